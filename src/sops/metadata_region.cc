#include "sops/metadata_region.h"

#include <optional>

#include "formats/text_scan.h"

namespace tresor::sops {
namespace {

Error NoMetadata(std::string_view where) {
  return MakeError(ErrorCode::kIntegrity,
                   "not a sops file: no " + std::string(where) + " holds sops metadata");
}

size_t LineEnd(std::string_view text, size_t at) {
  const size_t nl = text.find('\n', at);
  return nl == std::string_view::npos ? text.size() : nl + 1;
}

// A region that runs to the end of the text takes the blank lines before
// it too, so that the text ends as it did before the metadata was added.
formats::Span TakeBlankLinesBefore(std::string_view text, formats::Span region) {
  if (region.end != text.size()) return region;
  while (region.begin >= 2 && text[region.begin - 1] == '\n' &&
         (text[region.begin - 2] == '\n' || (region.begin >= 3 && text[region.begin - 2] == '\r' &&
                                             text[region.begin - 3] == '\n'))) {
    region.begin -= text[region.begin - 2] == '\r' ? 2 : 1;
  }
  return region;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Past a JSON string starting at text[at] == '"'; text.size() if unterminated.
size_t SkipString(std::string_view text, size_t at) {
  for (size_t i = at + 1; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '"') {
      return i + 1;
    }
  }
  return text.size();
}

// Past the JSON value starting at text[at] (any nesting, counted rather
// than recursed into).
size_t SkipValue(std::string_view text, size_t at) {
  size_t depth = 0;
  size_t i = at;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"') {
      i = SkipString(text, i);
      if (depth == 0) return i;
      continue;
    }
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return i;  // the end of the enclosing container
      if (--depth == 0) return i + 1;
    } else if (depth == 0 && (c == ',' || IsSpace(c))) {
      return i;
    }
    ++i;
  }
  return i;
}

}  // namespace

Result<std::vector<formats::Span>> YamlMetadataRegion(std::string_view text) {
  // sops writes its map last, at the top level: from the "sops:" line to the
  // next line that starts at column 0 (another key, a document marker).
  size_t at = 0;
  while (at < text.size()) {
    const size_t next = LineEnd(text, at);
    const std::string_view line = text.substr(at, next - at);
    // "sops:" then a space or the line's end: "sops:#x: 1" is the key
    // "sops:#x", not sops.
    if (line.starts_with("sops:") && (line.size() == 5 || IsSpace(line[5]))) {
      // Indented, blank and comment lines stay in the block.
      size_t end = next;
      while (end < text.size() && (IsSpace(text[end]) || text[end] == '#')) {
        end = LineEnd(text, end);
      }
      return std::vector<formats::Span>{TakeBlankLinesBefore(text, {at, end})};
    }
    at = next;
  }
  return NoMetadata("top-level sops: key");
}

Result<std::vector<formats::Span>> JsonMetadataRegion(std::string_view text) {
  // The members of the top-level object, read by counting brackets.
  size_t i = 0;
  while (i < text.size() && IsSpace(text[i])) ++i;
  if (i == text.size() || text[i] != '{') return NoMetadata("top-level JSON object");
  ++i;
  size_t after_previous = i;  // just past the previous member (or the '{')
  while (i < text.size()) {
    while (i < text.size() && (IsSpace(text[i]) || text[i] == ',')) ++i;
    if (i == text.size() || text[i] != '"') break;
    const size_t key_begin = i;
    const size_t key_end = SkipString(text, i);
    i = key_end;
    while (i < text.size() && IsSpace(text[i])) ++i;
    if (i == text.size() || text[i] != ':') break;
    ++i;
    while (i < text.size() && IsSpace(text[i])) ++i;
    const size_t value_end = SkipValue(text, i);
    if (text.substr(key_begin, key_end - key_begin) == "\"sops\"") {
      // With the comma before it, or as the first member, the one after.
      const bool first = text.find_first_not_of(" \t\r\n", after_previous) == key_begin;
      size_t begin = first ? key_begin : after_previous;
      size_t end = value_end;
      if (first) {
        size_t j = value_end;
        while (j < text.size() && IsSpace(text[j])) ++j;
        if (j < text.size() && text[j] == ',') {
          ++j;
          while (j < text.size() && IsSpace(text[j])) ++j;
          end = j;
        }
      }
      return std::vector<formats::Span>{{begin, end}};
    }
    after_previous = value_end;
    i = value_end;
  }
  return NoMetadata("\"sops\" member of the top-level JSON object");
}

// The [sops] section, from its header line to the next header. Lines are
// told apart as formats/ini.cc tells them, so that a '[' on a value's
// continuation line neither starts nor ends the section.
Result<std::vector<formats::Span>> IniMetadataRegion(std::string_view text) {
  using formats::ContentEnd, formats::NextLine, formats::SkipBlanks, formats::TrimBlanksBack;
  std::optional<size_t> begin;       // of the [sops] header line
  std::optional<size_t> key_indent;  // of the last key, whose value may continue
  for (size_t at = 0; at < text.size(); at = NextLine(text, at)) {
    const size_t p = SkipBlanks(text, at);
    const size_t content_end = ContentEnd(text, p);
    if (p == content_end || text[p] == '#' || text[p] == ';') continue;
    if (key_indent && p - at > *key_indent) continue;
    if (text[p] != '[') {
      key_indent = p - at;
      continue;
    }
    if (begin) return std::vector<formats::Span>{{*begin, at}};
    if (text.substr(p, TrimBlanksBack(text, p, content_end) - p) == "[sops]") begin = at;
    key_indent.reset();
  }
  if (begin) return std::vector<formats::Span>{TakeBlankLinesBefore(text, {*begin, text.size()})};
  return NoMetadata("[sops] section");
}

std::vector<formats::Span> DotenvMetadataRegion(
    const std::vector<const formats::Value*>& metadata_values) {
  std::vector<formats::Span> out;
  for (const formats::Value* v : metadata_values) out.push_back(v->entry);
  return out;
}

}  // namespace tresor::sops
