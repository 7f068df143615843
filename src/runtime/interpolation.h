// What `tresor run` hands a program from INI and dotenv files: their values
// as the usual readers of those files see them. INI values get Python
// configparser's basic interpolation (%(name)s from the same section or
// DEFAULT, %% for %), dotenv values python-dotenv's expansion
// (${NAME} and ${NAME:-default}, from earlier values of the file, then the
// environment). Errors name the value and the reference, never a value.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/result.h"
#include "runtime/config.h"

namespace tresor::runtime {

// At most this many bytes per value after interpolation: references that
// double a value at each of configparser's ten levels stop here.
inline constexpr size_t kMaxInterpolated = 1 << 20;

// In place. kInvalidArgument "FILE: SECTION.KEY: ..." for a malformed or
// missing reference, or one nested deeper than configparser's 10 levels.
Result<void> InterpolateIni(std::vector<ConfigEntry>& entries, const std::string& file);

// In place, in file order, as dotenv_values() does: a name resolves to the
// file's value given before it, else `environment`'s, else the default
// (or ""). kInvalidArgument only when a value would pass kMaxInterpolated.
using Environment = std::function<std::optional<std::string>(const std::string&)>;
Result<void> ExpandDotenv(std::vector<ConfigEntry>& entries, const std::string& file,
                          const Environment& environment);

}  // namespace tresor::runtime
