// dotenvx's encrypted .env files. Values read `encrypted:BASE64` (ecies.h);
// the file names its public keys in DOTENV_PUBLIC_KEY[_ENVIRONMENT]
// entries; the private keys are DOTENV_PRIVATE_KEY[_ENVIRONMENT] entries of
// a .env.keys file or of the environment, a comma-separated list being
// several keys. As dotenvx does, every key is tried on a value, those whose
// public key the file names first.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/result.h"
#include "crypto/secp256k1.h"
#include "crypto/secret_bytes.h"

namespace tresor::dotenvx {

inline constexpr std::string_view kPrivateKeyPrefix = "DOTENV_PRIVATE_KEY";
inline constexpr std::string_view kPublicKeyPrefix = "DOTENV_PUBLIC_KEY";

struct PrivateKey {
  std::string where;  // for messages: "DOTENV_PRIVATE_KEY (.env.keys)"
  crypto::SecretBytes key;
  std::array<uint8_t, crypto::kSecp256k1CompressedSize> public_key{};
};

// Appends the keys of `value` (one, or several separated by commas);
// kInvalidArgument naming `where` for one that is not a 64-digit hex
// secp256k1 private key.
Result<void> AddPrivateKeys(std::string_view value, const std::string& where,
                            std::vector<PrivateKey>& keys);

// Appends the keys of a .env.keys file (its DOTENV_PRIVATE_KEY* entries);
// errors are placed "LINE:COL:".
Result<void> AddKeysFile(std::string_view text, const std::string& file_name,
                         std::vector<PrivateKey>& keys);

struct OpenedFile {
  // The file with its values decrypted (each keeps its quotes where it
  // can) and its DOTENV_PUBLIC_KEY entries, with dotenvx's banner, removed.
  std::string plaintext;
  std::vector<std::string> encrypted;  // the paths of the values that were, in file order
};

// kInvalidArgument if no value is encrypted; an error of one value is
// placed "LINE:COL: KEY: ...".
Result<OpenedFile> OpenEnvFile(std::string_view text, const std::vector<PrivateKey>& keys);

}  // namespace tresor::dotenvx
