// libFuzzer target for the audit log verifier: any bytes give a report or an
// error naming a line within the text, from the chain's start and as a file
// whose start was rotated away; a verified text's line count is its number
// of line ends, and a text that verifies from the start verifies alone too.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "audit/log.h"

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
  return 0;
}
