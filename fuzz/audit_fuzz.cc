// libFuzzer target for the audit log verifier: any bytes give a report or an
// error naming a line within the text, from the chain's start and as a file
// whose start was rotated away; a verified text's line count is its number
// of line ends, and a text that verifies from the start verifies alone too.
// The web UI's view of the same bytes (audit/view.h) holds at most the
// limit's entries, newest first, and says it verified exactly when Verify
// does; the text's first line is also tried as a time filter.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "audit/log.h"
#include "audit/view.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto lines = static_cast<uint64_t>(std::count(text.begin(), text.end(), '\n'));
  auto report = tresor::audit::Verify(text);
  auto alone = tresor::audit::Verify(text, std::nullopt);
  for (const auto* r : {&report, &alone}) {
    if (*r && (*r)->lines != lines) std::abort();
    if (!*r && !r->error().message.starts_with("line ")) std::abort();
  }
  if (report && (!alone || alone->last.hash != report->last.hash)) std::abort();

  tresor::audit::ViewFilter filter;
  filter.limit = 3;
  const auto page = tresor::audit::ReadView(text, true, {}, filter);
  if (page.entries.size() > filter.limit) std::abort();
  for (size_t i = 1; i < page.entries.size(); ++i) {
    if (page.entries[i].seq > page.entries[i - 1].seq && report) std::abort();
  }
  const std::string_view whole = text.substr(0, text.rfind('\n') + 1);
  if (page.verified != tresor::audit::Verify(whole).has_value()) std::abort();
  if (auto time = tresor::audit::NormalizeTime(text.substr(0, text.find('\n')))) {
    if (time->size() != 30 || !tresor::audit::NormalizeTime(*time)) std::abort();
  }
  return 0;
}
