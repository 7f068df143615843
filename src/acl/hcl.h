// The part of HCL (version 1) that policy files use: `key = value`,
// `key "label" { body }`, strings with escapes, numbers, booleans, lists,
// nested objects and #, // and /* */ comments. Heredocs and expressions are
// not part of it. JSON (an object of `"key": value` members) reads as the
// same items, as HCL does.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crypto/result.h"

namespace tresor::acl {

struct HclItem;

struct HclValue {
  enum class Kind { kString, kNumber, kBool, kList, kObject };
  Kind kind = Kind::kString;
  std::string text;             // string (decoded), number or bool as written
  std::vector<HclValue> items;  // kList
  std::vector<HclItem> body;    // kObject
  size_t offset = 0;            // where it starts in the text, for messages
};

struct HclItem {
  std::string key;
  std::vector<std::string> labels;  // `path "secret/*" { }` has one
  HclValue value;
  size_t offset = 0;
};

// Parses a whole file. Errors are kSyntax "LINE:COL: what". Nesting deeper
// than 32 levels is an error (a hostile file cannot exhaust the stack).
Result<std::vector<HclItem>> ParseHcl(std::string_view text);

}  // namespace tresor::acl
