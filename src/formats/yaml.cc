// YAML 1.2: the format adapter. Parsing takes the simple scanner's fast path
// for the plain block YAML most configuration files are, and libfyaml's event
// stream for everything else (yaml_parse.h); values are decoded by libfyaml,
// single-quoted ones excepted.
#include <libfyaml.h>

#include <algorithm>
#include <functional>
#include <memory>

#include "formats/format.h"
#include "formats/fyaml_parser.h"
#include "formats/text_scan.h"
#include "formats/yaml_parse.h"

namespace tresor::formats {
namespace {

class YamlFormat : public Format {
 public:
  const char* name() const override { return "yaml"; }
  TRESOR_FORMAT_OPERATIONS
};

Result<Document> YamlFormat::Parse(std::string_view text) const {
  TRESOR_RETURN_IF_ERROR(RejectLoneCarriageReturns(text));
  TRESOR_RETURN_IF_ERROR(RejectNonUnicode(text));  // see fyaml_parser.h
  Document doc;
  doc.eol = DetectEol(text);
  // At most one value per line: reserving avoids regrowing for big files.
  doc.values.reserve(static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1);
  std::optional<YamlRoot> root = ScanSimpleYaml(text, doc);
  if (!root) {  // beyond the simple subset: the full parser decides
    doc.values.clear();
    doc.header.reset();
    TRESOR_ASSIGN_OR_RETURN(root, WalkYamlEvents(text, doc));
  }
  if (root->block_mapping_indent) {
    doc.containers.push_back({"", text.size(), std::nullopt, *root->block_mapping_indent});
  }
  if (const Value* twice = FirstDuplicatePath(doc.values)) {
    return SyntaxError(text, twice->literal.begin, "duplicate key " + twice->path);
  }
  return doc;
}

std::string YamlFormat::TokenLiteral(std::string_view s, char) const { return DoubleQuoted(s); }

std::string YamlFormat::Decode(std::string_view literal, ValueType) const {
  // A plain scalar on one line (no quotes, block indicator, tag or anchor)
  // is its own text: no parser needed, which matters in a file of
  // thousands of values.
  if (!literal.empty() && literal.find('\n') == std::string_view::npos &&
      literal.find('\r') == std::string_view::npos &&
      std::string_view("\"'|>!&*").find(literal.front()) == std::string_view::npos) {
    return std::string(literal);
  }
  // A tag or anchor does not change the text, and libfyaml misreads a block
  // scalar after a tag at the top level when its lines are indented less
  // than the tag is long: the properties go before the scalar is parsed.
  while (!literal.empty() && (literal.front() == '!' || literal.front() == '&')) {
    const size_t end = literal.find_first_of(" \t\r\n");
    const size_t next = literal.find_first_not_of(" \t\r\n", end);
    literal.remove_prefix(next == std::string_view::npos ? literal.size() : next);
  }
  if (literal.size() >= 2 && literal.front() == '\'' && literal.back() == '\'') {
    return SingleQuotedText(literal);
  }
  // A block scalar's last line break is outside its literal; add one back so
  // that clip and keep chomping see it.
  const std::string document = std::string(literal) + "\n";
  FyamlParser parser(document);
  std::string out(literal);
  while (fy_event* event = fy_parser_parse(parser.get())) {
    const bool scalar = event->type == FYET_SCALAR;
    if (scalar) {
      size_t len = 0;
      const char* text = fy_token_get_text(event->scalar.value, &len);
      out.assign(text != nullptr ? text : "", len);
    }
    fy_parser_event_free(parser.get(), event);
    if (scalar) break;
  }
  return out;
}

std::string YamlFormat::Encode(std::string_view value) const { return EscapedString(value); }

Result<Insertion> YamlFormat::HeaderInsertion(std::string_view text, const Document& doc,
                                              std::string_view header, bool* added_newline) const {
  if (doc.containers.empty()) {
    return SyntaxError(text, text.size(),
                       "the last YAML document must be a block mapping to hold the tresor header");
  }
  std::string line(doc.containers.front().indent, ' ');
  line.append(kYamlHeaderKey).append(": ").append(DoubleQuoted(header)).append(doc.eol);
  return LinesAt(text, doc, text.size(), line, added_newline);
}

Result<Insertion> YamlFormat::NewEntry(std::string_view text, const Document& doc,
                                       std::string_view path, std::string_view literal) const {
  TRESOR_ASSIGN_OR_RETURN(ParentAndKey split, SplitParent(path));
  if (!split.parent.empty() || doc.containers.empty()) {
    return MakeError(ErrorCode::kNotFound,
                     std::string(path) +
                         ": no such value (YAML files take new keys only at the top level of a "
                         "block mapping)");
  }
  std::string line(doc.containers.front().indent, ' ');
  line.append(JoinPath("", split.key)).append(": ").append(literal).append(doc.eol);
  return LinesAt(text, doc, EndOfEntries(text, doc), line);
}

}  // namespace

const Format& Yaml() {
  static const YamlFormat format;
  return format;
}

}  // namespace tresor::formats
