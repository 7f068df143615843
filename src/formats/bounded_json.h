// JSON from outside (request bodies, a server's answers, input on the
// command line) parsed with limits, so that no text, however it is nested
// or however many values it holds, costs more than its limits allow.
// The limits are checked while parsing (nlohmann's SAX interface, which
// keeps its own stack on the heap), before any value is built past them;
// the resulting document is at most `max_depth` deep, so code that walks it
// recursively is bounded too.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

#include "crypto/result.h"

namespace tresor::formats {

// Vault's request-JSON defaults for depth, string length and container
// sizes (max_request_json_*), and a total that bounds the document's
// memory at a few MiB whatever the body's size.
struct JsonLimits {
  size_t max_depth = 300;
  size_t max_string_bytes = 1024 * 1024;  // a key or a string value
  size_t max_object_entries = 10000;
  size_t max_array_elements = 10000;
  size_t max_values = 100000;  // in the whole document
};

// The JSON value in `text`. kInvalidArgument with a message that says what
// ("nesting deeper than 300", "not valid JSON at byte 812") for malformed
// JSON or a limit passed; the message never quotes the input. Integers are kept exact: one outside
// the 64-bit range is refused rather than rounded to a float.
Result<nlohmann::json> ParseBoundedJson(std::string_view text, const JsonLimits& limits = {});

}  // namespace tresor::formats
