// Durations as tresor and Vault write them: "90s", "30m", "8h", "1d",
// "1h30m", or a plain number of seconds.
#pragma once

#include <cstdint>
#include <string_view>

#include "crypto/result.h"

namespace tresor::formats {

// Seconds; kInvalidArgument "bad duration \"TEXT\" (like 90s, 30m, 8h, 1d or 1h30m)".
// At most 100 years.
Result<int64_t> ParseDuration(std::string_view text);

}  // namespace tresor::formats
