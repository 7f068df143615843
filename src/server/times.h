// Times and durations as the Vault API writes and reads them.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "crypto/result.h"

namespace tresor::server {

// RFC 3339 UTC with nanoseconds ("2026-11-23T21:05:23.123456789Z"). Fixed
// width for years 0000-9999, so two such times compare as strings.
std::string Rfc3339(std::chrono::system_clock::time_point time);
std::string NowRfc3339();
// Seconds since the Unix epoch.
int64_t NowUnix();

// Seconds from a duration given as text ("90s", "1h30m"; "" is 0) or as a
// non-negative number of seconds; kInvalidArgument "expected a duration
// (like 90s, 30m or 1h30m) or a number of seconds" for other JSON, or the
// duration parser's message for bad text.
Result<int64_t> DurationSeconds(const nlohmann::json& value);

}  // namespace tresor::server
