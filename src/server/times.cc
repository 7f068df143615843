#include "server/times.h"

#include <cstdio>
#include <ctime>

#include "formats/duration.h"

namespace tresor::server {

std::string Rfc3339(std::chrono::system_clock::time_point time) {
  const auto since = time.time_since_epoch();
  const auto whole = std::chrono::floor<std::chrono::seconds>(since);
  const auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(since - whole).count();
  const auto secs = static_cast<std::time_t>(whole.count());
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(nanos));
  return buf;
}

std::string NowRfc3339() { return Rfc3339(std::chrono::system_clock::now()); }

int64_t NowUnix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<int64_t> DurationSeconds(const nlohmann::json& value) {
  if (value.is_number_integer() && value.get<int64_t>() >= 0) return value.get<int64_t>();
  if (value.is_string()) {
    const std::string text = value.get<std::string>();
    if (text.empty()) return 0;
    return formats::ParseDuration(text);
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   "expected a duration (like 90s, 30m or 1h30m) or a number of seconds");
}

}  // namespace tresor::server
