// INI as Python's configparser reads it by default: [sections], `key = value`
// or `key: value` (the first delimiter wins), full-line comments starting with
// `#` or `;`, and values continued on following lines that are indented more
// than the key (blank and comment lines inside such a value belong to it).
// `%(name)s` interpolation is left to the reader: literals are kept as is.
// Keys before the first section (which configparser refuses, but other INI
// readers accept) get a path without a section.
#include <algorithm>
#include <unordered_set>

#include "formats/ascii.h"
#include "formats/format.h"
#include "formats/text_scan.h"

namespace tresor::formats {
namespace {

class IniFormat : public Format {
 public:
  const char* name() const override { return "ini"; }
  TRESOR_FORMAT_OPERATIONS
};

constexpr std::string_view kHeaderSection = "tresor";
constexpr std::string_view kHeaderKey = "header";

bool IsCommentStart(char c) { return c == '#' || c == ';'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && (IsBlank(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// The end of a value whose first line is `first_end`, taking in the
// continuation lines indented more than `indent`.
size_t ValueEnd(std::string_view text, size_t first_end, size_t indent) {
  size_t end = first_end;
  for (size_t line = NextLine(text, first_end); line < text.size(); line = NextLine(text, line)) {
    const size_t p = SkipBlanks(text, line);
    const size_t content_end = ContentEnd(text, p);
    if (p == content_end || IsCommentStart(text[p])) continue;  // may be inside the value
    if (p - line <= indent) break;
    end = TrimBlanksBack(text, p, content_end);
  }
  return end;
}

Result<Document> IniFormat::Parse(std::string_view text) const {
  TRESOR_RETURN_IF_ERROR(RejectLoneCarriageReturns(text));
  Document doc;
  doc.eol = DetectEol(text);
  doc.containers.push_back({"", 0, std::nullopt, 0});
  // At most one value per line: reserving avoids regrowing for big files.
  const size_t lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  doc.values.reserve(lines);
  std::unordered_set<std::string> seen_paths, seen_sections;
  seen_paths.reserve(lines);
  std::string section;
  size_t section_start = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t line_start = pos;
    const size_t p = SkipBlanks(text, pos);
    const size_t content_end = ContentEnd(text, p);
    if (p == content_end || IsCommentStart(text[p])) {
      pos = NextLine(text, p);
      continue;
    }
    if (text[p] == '[') {
      const size_t close = TrimBlanksBack(text, p, content_end) - 1;
      if (close <= p || text[close] != ']') {
        return SyntaxError(text, p, "section header without a closing ']'");
      }
      section = std::string(text.substr(p + 1, close - p - 1));
      if (section.empty()) return SyntaxError(text, p, "empty section name");
      if (!seen_sections.insert(section).second) {
        return SyntaxError(text, p, "duplicate section [" + section + "]");
      }
      section_start = line_start;
      pos = NextLine(text, p);
      doc.containers.push_back({JoinPath("", section), pos, std::nullopt, 0});
      continue;
    }
    const size_t delim = text.find_first_of("=:", p);
    if (delim == std::string_view::npos || delim >= content_end) {
      return SyntaxError(text, p, "expected 'key = value', 'key: value' or a [section]");
    }
    const std::string key(Trim(text.substr(p, delim - p)));
    if (key.empty()) return SyntaxError(text, p, "empty key");
    const size_t value_begin = SkipBlanks(text, delim + 1);
    const size_t first_end = std::max(value_begin, TrimBlanksBack(text, value_begin, content_end));
    const Span literal{value_begin, ValueEnd(text, first_end, p - line_start)};
    const Span entry{line_start, NextLine(text, literal.end)};
    pos = entry.end;
    doc.containers.back().insert_at = entry.end;
    if (section == kHeaderSection) {
      if (key != kHeaderKey || doc.header) {
        return SyntaxError(text, p, "the [tresor] section holds only 'header'");
      }
      doc.header = HeaderEntry{literal, {section_start, entry.end}};
      continue;
    }
    std::string path = section.empty() ? JoinPath("", key) : JoinPath(JoinPath("", section), key);
    // configparser (and most INI readers) fold keys to lower case: keys that
    // differ only in case are one key to them, and the last one wins, so an
    // unsealed "PASSWORD" after a sealed "password" would be what they read.
    // The path keeps the key as written (tokens are bound to it).
    const std::string folded = section + '\0' + AsciiLower(key);
    if (!seen_paths.insert(folded).second) {
      return SyntaxError(text, p,
                         "duplicate key " + key + (section.empty() ? "" : " in [" + section + "]") +
                             " (keys that differ only in case are one key to INI readers)");
    }
    doc.values.push_back(Value{std::move(path), literal, entry, ValueType::kString});
  }
  return doc;
}

std::string IniFormat::TokenLiteral(std::string_view s, char) const { return std::string(s); }

std::string IniFormat::Decode(std::string_view literal, ValueType) const {
  // configparser joins continuation lines with '\n', each stripped, drops
  // comment lines, and strips the end.
  std::string out;
  size_t line = 0;
  bool first = true;
  while (line <= literal.size()) {
    const size_t nl = literal.find('\n', line);
    const auto raw = literal.substr(line, nl == std::string_view::npos ? literal.npos : nl - line);
    const auto content = Trim(raw);
    if (first || content.empty() || !IsCommentStart(content.front())) {
      if (!first) out += '\n';
      out.append(content);
    }
    first = false;
    if (nl == std::string_view::npos) break;
    line = nl + 1;
  }
  while (!out.empty() && (out.back() == '\n' || IsBlank(out.back()))) out.pop_back();
  return out;
}

std::string IniFormat::Encode(std::string_view value) const {
  std::string out;
  for (char c : value) {
    out += c;
    if (c == '\n') out += "    ";  // a continuation line
  }
  return out;
}

Result<Insertion> IniFormat::HeaderInsertion(std::string_view text, const Document& doc,
                                             std::string_view header, bool* added_newline) const {
  std::string lines = "[";
  lines.append(kHeaderSection).append("]").append(doc.eol);
  lines.append(kHeaderKey).append(" = ").append(header).append(doc.eol);
  return LinesAt(text, doc, text.size(), lines, added_newline);
}

Result<Insertion> IniFormat::NewEntry(std::string_view text, const Document& doc,
                                      std::string_view path, std::string_view literal) const {
  TRESOR_ASSIGN_OR_RETURN(auto segments, SplitPath(path));
  if (segments.size() > 2 || segments.back().front() == '[') {
    return MakeError(ErrorCode::kInvalidArgument,
                     "an INI path is KEY or SECTION.KEY, not " + std::string(path));
  }
  const std::string section = segments.size() == 2 ? JoinPath("", segments[0]) : "";
  const std::string line = segments.back() + " = " + std::string(literal) + doc.eol;
  for (const Container& c : doc.containers) {
    if (c.path == section) return LinesAt(text, doc, c.insert_at, line);
  }
  // A new section, before the header entry.
  return LinesAt(text, doc, EndOfEntries(text, doc), "[" + segments[0] + "]" + doc.eol + line);
}

}  // namespace

const Format& Ini() {
  static const IniFormat format;
  return format;
}

}  // namespace tresor::formats
