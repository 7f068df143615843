// ansible-vault's format 1.1 and 1.2 (ansible's parsing/vault): a header
// line "$ANSIBLE_VAULT;1.1;AES256" (1.2 adds ";LABEL", the vault id), then
// hex lines of hex(salt) "\n" hex(HMAC) "\n" hex(ciphertext). Keys are
// PBKDF2-HMAC-SHA-256 of the vault password (10,000 iterations, 80 bytes:
// the AES key, the HMAC key and the CTR IV); the plaintext is PKCS#7
// padded, AES-256-CTR encrypted, and HMAC-SHA-256 authenticates the
// ciphertext.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/result.h"
#include "crypto/secret_bytes.h"

namespace tresor::ansible {

struct VaultText {
  std::string version;  // "1.1" or "1.2"
  std::string label;    // 1.2's vault id; "" otherwise
  std::vector<uint8_t> salt;
  std::vector<uint8_t> hmac;
  std::vector<uint8_t> ciphertext;
};

// True for text that starts as a vault does ("$ANSIBLE_VAULT;").
bool LooksVaulted(std::string_view text);

// kIntegrity "ansible vault: WHAT" for a malformed vault; kUnsupported-like
// kInvalidArgument for a version or cipher other than 1.1/1.2 and AES256.
Result<VaultText> ParseVault(std::string_view text);

// The plaintext; kNoMatch when the HMAC does not verify (a wrong password,
// or a changed file: the format cannot tell them apart).
Result<crypto::SecretBytes> OpenVault(const VaultText& vault, std::span<const uint8_t> password);

// A vault of `plaintext` with a random salt, as ansible-vault writes it
// (80-character lines, a final newline); `label` makes it 1.2.
Result<std::string> SealVault(std::span<const uint8_t> plaintext, std::span<const uint8_t> password,
                              std::string_view label = "");

}  // namespace tresor::ansible
