// libFuzzer target for the audit log verifier: any bytes give a report or an
// error naming a line within the text; a verified text's line count is its
// number of line ends.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "audit/log.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto report = tresor::audit::Verify(text);
  if (report &&
      report->lines != static_cast<uint64_t>(std::count(text.begin(), text.end(), '\n'))) {
    std::abort();
  }
  if (!report && !report.error().message.starts_with("line ")) std::abort();
  return 0;
}
