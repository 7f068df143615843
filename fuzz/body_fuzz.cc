// libFuzzer target for request bodies (formats/bounded_json.h): any bytes are
// parsed under small limits, so that the fuzzer reaches every limit; a
// document that is accepted must respect them, and must survive what the
// API does with a body (the audit HMAC walk and serialisation) without
// an exception.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "audit/log.h"
#include "formats/bounded_json.h"

namespace {

size_t Depth(const nlohmann::json& value) {
  size_t deepest = 0;
  if (value.is_structured()) {
    for (const auto& child : value) deepest = std::max(deepest, Depth(child));
    return deepest + 1;
  }
  return 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const tresor::crypto::HmacSha256Key key(tresor::crypto::AsBytes("fuzz audit key"));
  const tresor::formats::JsonLimits limits{.max_depth = 16,
                                           .max_string_bytes = 64,
                                           .max_object_entries = 8,
                                           .max_array_elements = 8,
                                           .max_values = 64};
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = tresor::formats::ParseBoundedJson(text, limits);
  if (!parsed) {
    if (parsed.error().message.empty()) std::abort();
    return 0;
  }
  if (Depth(*parsed) > limits.max_depth) std::abort();
  (void)tresor::audit::HmacStrings(*parsed, key).dump();
  return 0;
}
