// Bech32 (BIP 173 checksum) as age uses it for keys: no 90-character limit,
// one case throughout.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/result.h"

namespace tresor::age {

// Encodes `data` under the human-readable part `hrp` (lowercase output).
std::string Bech32Encode(std::string_view hrp, std::span<const uint8_t> data);

struct Bech32Decoded {
  std::string hrp;  // lowercase
  std::vector<uint8_t> data;
};

// Decodes and checks the checksum. Mixed case is rejected. Errors carry
// kInvalidArgument and never echo the input (it may be a secret key).
Result<Bech32Decoded> Bech32Decode(std::string_view text);

}  // namespace tresor::age
