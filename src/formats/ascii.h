// ASCII case folding for names that compare without case (HTTP headers,
// policy parameter names, booleans in configuration). Bytes outside A-Z are
// kept as they are, so UTF-8 passes through unchanged.
#pragma once

#include <string>
#include <string_view>

namespace tresor::formats {

inline std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace tresor::formats
