// dotenv: KEY=VALUE lines as python-dotenv, node's dotenv and dotenvx read
// them: `export` prefixes, `#` comments (a full line, or after whitespace
// following an unquoted value), single, double and backtick quotes, escapes
// in double quotes, and quoted values that span lines.
#include <algorithm>
#include <unordered_set>

#include "formats/format.h"
#include "formats/text_scan.h"

namespace tresor::formats {
namespace {

class DotenvFormat : public Format {
 public:
  const char* name() const override { return "dotenv"; }
  TRESOR_FORMAT_OPERATIONS
};

constexpr std::string_view kHeaderKey = "TRESOR_HEADER";

bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

// The end of a quoted value starting at `p` (past its closing quote), or npos.
size_t QuotedEnd(std::string_view text, size_t p) {
  const char quote = text[p];
  for (size_t i = p + 1; i < text.size(); ++i) {
    if (quote == '"' && text[i] == '\\') {
      ++i;
    } else if (text[i] == quote) {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

bool IsBareSafe(std::string_view value) {
  if (value.empty()) return false;
  for (char c : value) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("_./:@+,=-").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

Result<Document> DotenvFormat::Parse(std::string_view text) const {
  TRESOR_RETURN_IF_ERROR(RejectLoneCarriageReturns(text));
  Document doc;
  doc.eol = DetectEol(text);
  // At most one value per line: reserving avoids regrowing for big files.
  const size_t lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  doc.values.reserve(lines);
  std::unordered_set<std::string_view> seen;
  seen.reserve(lines);
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t line_start = pos;
    size_t p = SkipBlanks(text, pos);
    if (p == ContentEnd(text, p) || text[p] == '#') {  // blank line or comment
      pos = NextLine(text, p);
      continue;
    }
    if (text.substr(p, 7) == "export ") p = SkipBlanks(text, p + 7);
    const size_t key_begin = p;
    while (p < text.size() && IsKeyChar(text[p])) ++p;
    if (p == key_begin) return SyntaxError(text, p, "expected a variable name");
    const std::string_view key = text.substr(key_begin, p - key_begin);
    p = SkipBlanks(text, p);
    if (p >= text.size() || text[p] != '=') {
      return SyntaxError(text, p, "expected '=' after " + std::string(key));
    }
    p = SkipBlanks(text, p + 1);
    Span literal{p, p};
    const size_t content_end = ContentEnd(text, p);
    if (p < text.size() && (text[p] == '"' || text[p] == '\'' || text[p] == '`')) {
      literal.end = QuotedEnd(text, p);
      if (literal.end == std::string_view::npos) {
        return SyntaxError(text, p, "unterminated quoted value of " + std::string(key));
      }
      size_t after = SkipBlanks(text, literal.end);
      if (after < text.size() && text[after] != '#' && after != ContentEnd(text, after)) {
        return SyntaxError(text, after,
                           "unexpected text after the quoted value of " + std::string(key));
      }
    } else {
      // Unquoted: to the end of the line, or to a '#' that follows a blank.
      const std::string_view line = text.substr(0, content_end);
      size_t end = line.find('#', p);
      while (end != std::string_view::npos && (end == p || !IsBlank(text[end - 1]))) {
        end = line.find('#', end + 1);
      }
      literal.end = TrimBlanksBack(text, p, std::min(end, content_end));
    }
    const Span entry{line_start, NextLine(text, literal.end)};
    if (key == kHeaderKey) {
      if (doc.header) return SyntaxError(text, key_begin, "a second TRESOR_HEADER");
      doc.header = HeaderEntry{literal, entry};
    } else {
      if (!seen.insert(key).second)
        return SyntaxError(text, key_begin, "duplicate key " + std::string(key));
      doc.values.push_back(Value{JoinPath("", key), literal, entry, ValueType::kString});
    }
    pos = entry.end;
  }
  return doc;
}

std::string DotenvFormat::TokenLiteral(std::string_view s, char next) const {
  // `KEY="v"# note` is a value and a comment; bare, the '#' would join the value.
  if (next == '#') return DoubleQuoted(s);
  return std::string(s);
}

std::string DotenvFormat::Decode(std::string_view literal, ValueType) const {
  if (literal.empty()) return "";
  const char quote = literal.front();
  if (quote == '\'' || quote == '`') return std::string(literal.substr(1, literal.size() - 2));
  if (quote != '"') return std::string(literal);
  std::string out;
  for (size_t i = 1; i + 1 < literal.size(); ++i) {
    if (literal[i] != '\\' || i + 2 >= literal.size()) {
      out += literal[i];
      continue;
    }
    const char c = literal[++i];
    if (const char control = ControlEscape(c)) {
      out += control;
    } else if (c == '"' || c == '\\' || c == '\'') {
      out += c;
    } else {
      out.append({'\\', c});
    }
  }
  return out;
}

std::string DotenvFormat::Encode(std::string_view value) const {
  if (IsBareSafe(value)) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '\n') {
      out += "\\n";
    } else {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
  }
  return out += '"';
}

Result<Insertion> DotenvFormat::HeaderInsertion(std::string_view text, const Document& doc,
                                                std::string_view header,
                                                bool* added_newline) const {
  std::string line(kHeaderKey);
  line.append("=").append(header).append(doc.eol);
  return LinesAt(text, doc, text.size(), line, added_newline);
}

Result<Insertion> DotenvFormat::NewEntry(std::string_view text, const Document& doc,
                                         std::string_view path, std::string_view literal) const {
  for (char c : path) {
    if (!IsKeyChar(c)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "not a dotenv variable name: " + std::string(path));
    }
  }
  std::string line(path);
  line.append("=").append(literal).append(doc.eol);
  return LinesAt(text, doc, EndOfEntries(text, doc), line);
}

}  // namespace

const Format& Dotenv() {
  static const DotenvFormat format;
  return format;
}

}  // namespace tresor::formats
