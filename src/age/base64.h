// Base64 (RFC 4648) as age uses it: standard alphabet, unpadded and strictly
// canonical in the header, padded in ASCII armor. The unpadded functions
// also speak the URL-safe alphabet (RFC 4648 section 5), which sealed files use.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tresor::age {

enum class Base64Alphabet { kStandard, kUrl };

std::string EncodeBase64Unpadded(std::span<const uint8_t> data,
                                 Base64Alphabet alphabet = Base64Alphabet::kStandard);
std::string EncodeBase64Padded(std::span<const uint8_t> data);

// Appends the decoding of `text` to `out`. Fails (returns false, `out`
// unchanged) on a character outside the alphabet, on padding, on a length
// that no encoding has, or on non-zero unused bits (non-canonical).
[[nodiscard]] bool DecodeBase64Unpadded(std::string_view text, std::vector<uint8_t>& out,
                                        Base64Alphabet alphabet = Base64Alphabet::kStandard);

// As above for padded text: the length must be a multiple of 4 and '=' may
// only pad the last quantum.
[[nodiscard]] bool DecodeBase64Padded(std::string_view text, std::vector<uint8_t>& out);

// True if c is in the standard alphabet (not '=').
bool IsBase64Char(char c);

}  // namespace tresor::age
