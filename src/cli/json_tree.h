// The nested JSON object that get --json and render --json print: values
// placed by the segments of their canonical paths (docs/format.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "crypto/result.h"

namespace tresor::cli {

// Puts `value` at `path` in `tree`: "db.hosts[0]" becomes
// {"db": {"hosts": {"[0]": value}}} (arrays are objects keyed by "[i]", so a
// path never changes type between files). kSyntax for a malformed path.
Result<void> PutAtPath(nlohmann::json& tree, const std::string& path, std::string value);

// `tree` as printed: two-space indents, invalid UTF-8 replaced, a final
// newline.
std::string PrintJsonTree(const nlohmann::json& tree);

}  // namespace tresor::cli
