// libFuzzer target for the sealed-file codec: value tokens, header strings
// and base64url. Whatever decodes must encode back to the same text (the
// decoders accept only canonical encodings).
#include <cstddef>
#include <cstdint>
#include <string>

#include "sealed/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tresor::sealed;
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (auto token = DecodeToken(text); token && EncodeToken(*token) != text) __builtin_trap();
  if (auto header = DecodeHeader(text); header && EncodeHeader(*header) != text) __builtin_trap();
  if (auto bytes = DecodeBase64Url(text); bytes && EncodeBase64Url(*bytes) != text) {
    __builtin_trap();
  }
  return 0;
}
