// The YAML parser for everything: libfyaml's event stream, which gives every
// scalar token's byte range. Quotes, tags and block-scalar headers are added
// to that range here, so a value's literal is exactly what it was in the
// source; anchors stay outside it (an alias then refers to the sealed value,
// and gets the original back on unseal). Multi-document streams give paths
// in the second and later documents a "---N." prefix.
#include <libfyaml.h>

#include <algorithm>
#include <functional>
#include <memory>

#include "formats/fyaml_parser.h"
#include "formats/text_scan.h"
#include "formats/yaml_parse.h"

namespace tresor::formats {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// YAML 1.2 core schema numbers: [-+]digits[.digits][e[-+]digits], 0x.., 0o..,
// [-+].inf, .nan.
bool IsYamlNumber(std::string_view s) {
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return true;
  if (s.starts_with("0x") || s.starts_with("0o")) {
    const std::string_view digits = s.substr(2);
    const std::string_view allowed = s[1] == 'x' ? "0123456789abcdefABCDEF" : "01234567";
    return !digits.empty() && digits.find_first_not_of(allowed) == std::string_view::npos;
  }
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  if (s == ".inf" || s == ".Inf" || s == ".INF") return true;
  size_t p = 0;
  auto digits = [&] {
    const size_t start = p;
    while (p < s.size() && IsDigit(s[p])) ++p;
    return p - start;
  };
  const size_t whole = digits();
  size_t fraction = 0;
  if (p < s.size() && s[p] == '.') {
    ++p;
    fraction = digits();
  }
  if (whole + fraction == 0) return false;
  if (p < s.size() && (s[p] == 'e' || s[p] == 'E')) {
    ++p;
    if (p < s.size() && (s[p] == '-' || s[p] == '+')) ++p;
    if (digits() == 0) return false;
  }
  return p == s.size();
}

}  // namespace

ValueType YamlPlainType(std::string_view s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return ValueType::kNull;
  if (s == "true" || s == "True" || s == "TRUE" || s == "false" || s == "False" || s == "FALSE") {
    return ValueType::kBool;
  }
  if (IsYamlNumber(s)) return ValueType::kNumber;
  return ValueType::kString;
}

namespace {

// One open collection while walking the events.
struct Frame {
  bool mapping = false;
  bool block = false;
  std::string path;
  size_t index = 0;        // next sequence index
  bool expect_key = true;  // mappings: the next scalar is a key
  std::string key;         // mappings: the key of the value that follows
  size_t key_begin = 0;
  size_t key_line_start = 0;
  bool key_starts_line = false;
  size_t last_end = 0;  // end of the last entry
  size_t first_key = std::string::npos;
};

class Walker {
 public:
  Walker(std::string_view text, Document& doc) : text_(text), doc_(doc) {}

  Result<void> Run() {
    FyamlParser parser(text_);
    size_t document = 0;
    size_t prev_end = 0;  // end of the previous token, for block scalar headers
    while (fy_event* event = fy_parser_parse(parser.get())) {
      std::unique_ptr<fy_event, std::function<void(fy_event*)>> owned(
          event, [&](fy_event* e) { fy_parser_event_free(parser.get(), e); });
      switch (event->type) {
        case FYET_DOCUMENT_START:
          prefix_ = document == 0 ? "" : "---" + std::to_string(document);
          ++document;
          root_ = {};
          break;
        case FYET_MAPPING_START:
        case FYET_SEQUENCE_START: {
          const fy_mark* start = fy_event_start_mark(event);
          TRESOR_RETURN_IF_ERROR(Open(event, start != nullptr ? start->input_pos : prev_end));
          break;
        }
        case FYET_MAPPING_END:
        case FYET_SEQUENCE_END: {
          const fy_mark* end = fy_event_end_mark(event);
          if (end != nullptr) prev_end = end->input_pos;
          Close();
          break;
        }
        case FYET_SCALAR:
          TRESOR_RETURN_IF_ERROR(Scalar(event, &prev_end));
          break;
        case FYET_ALIAS: {
          if (stack_.empty()) break;
          if (stack_.back().mapping && stack_.back().expect_key) {
            // Taken as a value, it would pair the next value with a key.
            const fy_mark* start = fy_event_start_mark(event);
            size_t at = start != nullptr ? start->input_pos : prev_end;
            if (at > 0 && at <= text_.size() && text_[at - 1] == '*') --at;  // the '*' itself
            return SyntaxError(text_, at, "an alias as a mapping key is not supported");
          }
          Advance(stack_.back(), prev_end);
          break;
        }
        default:
          break;
      }
    }
    if (fy_parser_get_stream_error(parser.get())) return parser.error(text_);
    return {};
  }

  // The root mapping of the last document: where the header goes.
  const Frame& last_root() const { return root_; }

 private:
  std::string Path(const Frame& f) const {
    if (f.mapping) return JoinPath(f.path, f.key);
    return f.path + "[" + std::to_string(f.index) + "]";
  }

  std::string ChildPath() const {
    if (stack_.empty()) return prefix_;
    return Path(stack_.back());
  }

  Result<void> Open(fy_event* event, size_t start) {
    if (!stack_.empty() && stack_.back().mapping && stack_.back().expect_key) {
      return SyntaxError(text_, start, "a collection as a mapping key is not supported");
    }
    // As for JSON and TOML: each value's path holds every key above it, so
    // unbounded depth would cost memory quadratic in it.
    if (stack_.size() >= kMaxYamlDepth) return SyntaxError(text_, start, "nested too deeply");
    Frame f;
    f.mapping = event->type == FYET_MAPPING_START;
    f.block = fy_event_get_node_style(event) == FYNS_BLOCK;
    f.path = ChildPath();
    stack_.push_back(std::move(f));
    return {};
  }

  void Close() {
    Frame closed = std::move(stack_.back());
    stack_.pop_back();
    if (stack_.empty()) {
      root_ = std::move(closed);
    } else {
      Advance(stack_.back(), closed.last_end);
    }
  }

  void Advance(Frame& f, size_t end) {
    f.last_end = std::max(f.last_end, end);
    if (f.mapping) {
      f.expect_key = true;
    } else {
      ++f.index;
    }
  }

  Result<void> Scalar(fy_event* event, size_t* prev_end) {
    fy_token* token = event->scalar.value;
    const fy_mark* start = fy_token_start_mark(token);
    const fy_mark* end = fy_token_end_mark(token);
    if (start == nullptr || end == nullptr) {  // an empty value
      if (!stack_.empty() && stack_.back().mapping && stack_.back().expect_key) {
        // A null key has no path; taking it for a value would shift every
        // key after it (found by yaml_fuzz).
        const fy_mark* mark = fy_event_start_mark(event);
        size_t at = mark != nullptr ? mark->input_pos : *prev_end;
        at = std::min(text_.find_first_not_of(" \t\r\n,{", at), text_.size());  // to the ':'
        return SyntaxError(text_, at, "an empty (null) mapping key is not supported");
      }
      if (!stack_.empty()) Advance(stack_.back(), *prev_end);
      return {};
    }
    Span span{start->input_pos, end->input_pos};
    const fy_scalar_style style = fy_token_scalar_style(token);
    if (style == FYSS_SINGLE_QUOTED || style == FYSS_DOUBLE_QUOTED) {
      --span.begin;
      ++span.end;
    } else if (style == FYSS_LITERAL || style == FYSS_FOLDED) {
      // From the '|' or '>' of the header; trailing line breaks stay outside.
      const size_t header = text_.substr(*prev_end, span.begin - *prev_end).find_first_of("|>");
      if (header != std::string_view::npos) span.begin = *prev_end + header;
      while (span.end > span.begin &&
             std::string_view(" \t\r\n").find(text_[span.end - 1]) != std::string_view::npos) {
        --span.end;
      }
    }
    const Span scalar = span;  // without its tag
    if (event->scalar.tag != nullptr) {
      if (const fy_mark* tag = fy_token_start_mark(event->scalar.tag)) {
        span.begin = std::min(span.begin, tag->input_pos);
      }
    }
    *prev_end = span.end;
    if (!stack_.empty() && stack_.back().mapping && stack_.back().expect_key) {
      Frame& f = stack_.back();
      if (style == FYSS_SINGLE_QUOTED) {
        f.key = SingleQuotedText(text_.substr(scalar.begin, scalar.end - scalar.begin));
      } else {
        size_t len = 0;
        const char* key = fy_token_get_text(token, &len);
        f.key.assign(key != nullptr ? key : "", len);
      }
      f.key_begin = span.begin;
      f.key_line_start = text_.rfind('\n', span.begin) == std::string_view::npos
                             ? 0
                             : text_.rfind('\n', span.begin) + 1;
      f.key_starts_line =
          f.block &&
          text_.substr(f.key_line_start, span.begin - f.key_line_start).find_first_not_of(" \t") ==
              std::string_view::npos;
      if (f.first_key == std::string::npos) f.first_key = span.begin;
      f.expect_key = false;
      return {};
    }
    const ValueType type = style == FYSS_PLAIN
                               ? YamlPlainType(text_.substr(span.begin, span.end - span.begin))
                               : ValueType::kString;
    const std::string path = ChildPath();
    Span entry{span.begin, span.begin};
    if (!stack_.empty() && stack_.back().mapping && stack_.back().key_starts_line) {
      entry = {stack_.back().key_line_start, NextLine(text_, span.end)};
    }
    if (stack_.size() == 1 && stack_.back().mapping && stack_.back().key == kYamlHeaderKey) {
      if (doc_.header) return SyntaxError(text_, span.begin, "a second tresor header");
      doc_.header = HeaderEntry{span, entry};
    } else if (!stack_.empty()) {
      doc_.values.push_back({path, span, entry, type});
    }
    if (!stack_.empty()) Advance(stack_.back(), entry.end > entry.begin ? entry.end : span.end);
    return {};
  }

  std::string_view text_;
  Document& doc_;
  std::vector<Frame> stack_;
  std::string prefix_;
  Frame root_;
};

}  // namespace

Result<YamlRoot> WalkYamlEvents(std::string_view text, Document& doc) {
  Walker walker(text, doc);
  TRESOR_RETURN_IF_ERROR(walker.Run());
  const Frame& root = walker.last_root();
  YamlRoot out;
  if (root.mapping && root.block && root.first_key != std::string::npos) {
    const size_t line = text.rfind('\n', root.first_key);
    out.block_mapping_indent = root.first_key - (line == std::string_view::npos ? 0 : line + 1);
  }
  return out;
}

}  // namespace tresor::formats
