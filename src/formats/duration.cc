#include "formats/duration.h"

#include <string>

namespace tresor::formats {

Result<int64_t> ParseDuration(std::string_view text) {
  constexpr int64_t kLimit = 100LL * 365 * 86400;
  int64_t total = 0;
  int64_t n = -1;
  bool bad = text.empty();
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      n = (n < 0 ? 0 : n) * 10 + (c - '0');
      if (n > kLimit) {
        bad = true;
        break;
      }
      continue;
    }
    const int64_t unit = c == 's' ? 1 : c == 'm' ? 60 : c == 'h' ? 3600 : c == 'd' ? 86400 : 0;
    if (unit == 0 || n < 0) {
      bad = true;
      break;
    }
    total += n * unit;
    n = -1;
  }
  if (!bad && n > 0) total += n;
  if (bad || total > kLimit) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "bad duration \"" + std::string(text) + "\" (like 90s, 30m, 8h, 1d or 1h30m)");
  }
  return total;
}

}  // namespace tresor::formats
