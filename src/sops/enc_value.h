// One value as sops encrypts it (getsops/sops aes/cipher.go):
//   ENC[AES256_GCM,data:B64,iv:B64,tag:B64,type:TYPE]
// AES-256-GCM under the file's data key with a 32-byte IV, standard padded
// base64, and the value's key path as associated data.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/result.h"
#include "crypto/secret_bytes.h"

namespace tresor::sops {

inline constexpr size_t kIvSize = 32;

struct EncValue {
  std::vector<uint8_t> data;
  std::vector<uint8_t> iv;
  std::vector<uint8_t> tag;
  std::string type;  // str, int, float, bool, bytes, time or comment
};

// True for text that starts as an encrypted value does ("ENC[").
bool LooksEncrypted(std::string_view s);

// kIntegrity "malformed sops value: WHAT" when `s` is not exactly one value
// of the form above (any cipher but AES256_GCM is refused).
Result<EncValue> ParseEnc(std::string_view s);
std::string FormatEnc(const EncValue& value);

// The plaintext; kIntegrity when the data key or `aad` is not the one it
// was sealed with.
Result<crypto::SecretBytes> OpenEnc(const EncValue& value, const crypto::SecretBytes& data_key,
                                    std::string_view aad);
// A new value with a random IV (tests build sops files with it).
Result<EncValue> SealEnc(std::string_view plaintext, std::string_view type,
                         const crypto::SecretBytes& data_key, std::string_view aad);

}  // namespace tresor::sops
