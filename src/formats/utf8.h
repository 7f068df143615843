// Well-formed UTF-8 (Unicode table 3-7: no overlongs, surrogates or code
// points past U+10FFFF), shared by the YAML guard and the HTTP parser.
#pragma once

#include <cstddef>
#include <string_view>

namespace tresor::formats {

// The length of the well-formed sequence at text[p], or 0 (also for NUL and
// past the end).
size_t Utf8Length(std::string_view text, size_t p);

}  // namespace tresor::formats
