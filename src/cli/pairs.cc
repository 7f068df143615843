#include "cli/pairs.h"

#include <iostream>
#include <iterator>

#include "cli/files.h"
#include "formats/bounded_json.h"

namespace tresor::cli {

Result<nlohmann::json> ParsePairs(const std::vector<std::string>& pairs) {
  nlohmann::json body = nlohmann::json::object();
  for (const std::string& pair : pairs) {
    const size_t eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "expected KEY=VALUE, got \"" + pair.substr(0, eq) + "\"");
    }
    const bool typed = pair[eq - 1] == ':';
    const std::string key = pair.substr(0, typed ? eq - 1 : eq);
    if (key.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, "expected KEY:=JSON, got \"" + pair + "\"");
    }
    std::string value = pair.substr(eq + 1);
    if (value == "-") {
      value.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
      if (value.ends_with('\n')) value.pop_back();
    } else if (value.starts_with('@')) {
      TRESOR_ASSIGN_OR_RETURN(value, ReadTextFile(value.substr(1), 16 << 20));
    }
    if (typed) {
      auto parsed = formats::ParseBoundedJson(value);  // bounded depth: no recursion on input
      if (!parsed) return MakeError(ErrorCode::kInvalidArgument, key + ":=: not JSON");
      body[key] = std::move(*parsed);
    } else {
      body[key] = value;
    }
  }
  return body;
}

}  // namespace tresor::cli
