// What a format adapter finds in a configuration file: where each scalar
// value's literal is (byte offsets into the original text), under which
// canonical path, and where the tresor header entry is. Nothing is ever
// re-serialised: sealing and unsealing splice these spans, so every other
// byte of the file stays as it was. See docs/format.md.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/result.h"

namespace tresor::formats {

enum class ValueType { kString, kNumber, kBool, kNull, kDateTime };

// "string", "number", "bool", "null", "datetime": the TYPE of docs/format.md.
const char* ValueTypeName(ValueType type);

// A half-open byte range [begin, end) of the text.
struct Span {
  size_t begin = 0;
  size_t end = 0;
};

struct Value {
  std::string path;  // canonical path, docs/format.md
  Span literal;      // the value's source text, quotes included
  Span entry;        // the whole entry (key, value, its line ending): what unset removes
  ValueType type = ValueType::kString;
};

struct HeaderEntry {
  Span literal;  // the header value's literal
  Span entry;    // what sealing added (without the newline of the `n` flag)
};

// Somewhere new entries can go: an INI section, a JSON object.
struct Container {
  std::string path;                // "" for the top level
  size_t insert_at = 0;            // offset just past the container's last entry
  std::optional<size_t> last_key;  // JSON: where the last member's key starts
  size_t indent = 0;               // YAML: the column of the mapping's keys
};

struct Document {
  std::vector<Value> values;  // source order; the header entry is not among them
  std::vector<Container> containers;
  std::optional<HeaderEntry> header;
  std::string eol = "\n";  // "\r\n" if the first line ends so
};

// Positions are computed only for messages: counting lines for every value
// would make parsing quadratic.
struct LineColumn {
  int line = 0;    // 1-based
  int column = 0;  // 1-based, in bytes
};
LineColumn LocationOf(std::string_view text, size_t offset);

// "line:col" of a byte offset.
std::string Position(std::string_view text, size_t offset);

// A kSyntax error "LINE:COL: what".
Error SyntaxError(std::string_view text, size_t offset, const std::string& what);

// An error about the value `v` of `text`: "LINE:COL: PATH: what".
Error ValueError(ErrorCode code, std::string_view text, const Value& v, const std::string& what);

// Appends a key to a canonical path, quoting it if it needs to be.
std::string JoinPath(std::string_view parent, std::string_view key);

// The first value whose path an earlier value already has, or nullptr.
const Value* FirstDuplicatePath(const std::vector<Value>& values);

// Splits a canonical path into its key segments (quotes removed); an array
// index stays as "[N]". Fails on a malformed path.
Result<std::vector<std::string>> SplitPath(std::string_view path);

// `s` between double quotes, as is (for strings that need no escaping).
std::string DoubleQuoted(std::string_view s);

// `value` as a double-quoted string with the escapes JSON and TOML share
// (\" \\ \n \r \t \u00XX).
std::string EscapedString(std::string_view value);

// A path split into the canonical path of its parent and its last key, for
// adding a key; kInvalidArgument if the path ends in an array index.
struct ParentAndKey {
  std::string parent;
  std::string key;
};
Result<ParentAndKey> SplitParent(std::string_view path);

// The line ending of a text: "\r\n" if its first line ends so, else "\n".
std::string DetectEol(std::string_view text);

}  // namespace tresor::formats
