// libFuzzer target for a transit keeper's answer to the transit seal
// (server/seals/transit_answer.h): the first byte picks the HTTP status,
// the rest is the body. Beyond not crashing: an answer other than 200 is
// always an error that starts with its status, and one that gives a field
// gives it whole.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/seals/transit_answer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static constexpr int kStatuses[] = {200, 200, 200, 400, 403, 404, 500, 503};
  const int status = kStatuses[data[0] % 8];
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  for (const char* field : {"ciphertext", "plaintext"}) {
    auto value = tresor::server::TransitAnswerField(status, body, field);
    if (status != 200 &&
        (value || !value.error().message.starts_with("HTTP " + std::to_string(status)))) {
      __builtin_trap();
    }
    if (value && body.find(field) == std::string_view::npos && !body.empty() &&
        body.find('\\') == std::string_view::npos) {
      __builtin_trap();  // a field the body does not name (nor escape)
    }
  }
  return 0;
}
