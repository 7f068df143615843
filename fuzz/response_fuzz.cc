// libFuzzer target for the client's response reader: any bytes give a
// response or an error, and a response whose length the head gives parses
// the same from exactly that many bytes as from more.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/client_response.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view received(reinterpret_cast<const char*>(data), size);
  const auto whole = tresor::http::ParseResponse(received);
  const std::optional<size_t> length = tresor::http::ResponseLength(received);
  if (!length || *length > received.size()) return 0;
  const auto exact = tresor::http::ParseResponse(received.substr(0, *length));
  if (exact.has_value() != whole.has_value()) std::abort();
  if (exact && (exact->status != whole->status || exact->body != whole->body)) std::abort();
  return 0;
}
