// The simple YAML scanner (yaml_parse.h): one pass over the lines of a text
// that is printable ASCII, with a stack of open block collections. Anything
// it does not fully understand — flow collections, anchors, aliases, tags,
// block scalars, scalars over several lines, escapes, several
// documents, tabs, non-ASCII text — makes it decline, and libfyaml reads the
// text instead; so it never has to report an error itself.
#include <cstdint>
#include <string>
#include <vector>

#include "formats/text_scan.h"
#include "formats/yaml_parse.h"

namespace tresor::formats {
namespace {

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool IsKeyStart(char c) { return IsAlnum(c) || c == '_'; }
bool IsKeyChar(char c) { return IsAlnum(c) || c == '_' || c == '-' || c == '.' || c == '/'; }

// Printable ASCII and line breaks only: no tabs, controls or other encodings.
// Whole blocks, branch-free, so that the compiler vectorises the loop.
bool IsSimpleText(std::string_view text) {
  constexpr size_t kBlock = 512;
  for (size_t at = 0; at < text.size(); at += kBlock) {
    const std::string_view block = text.substr(at, kBlock);
    uint8_t bad = 0;
    for (const char c : block) {
      const auto u = static_cast<uint8_t>(c);
      bad |= static_cast<uint8_t>(static_cast<uint8_t>(u - 0x20) > 0x5e) &
             static_cast<uint8_t>(u != '\n') & static_cast<uint8_t>(u != '\r');
    }
    if (bad != 0) return false;
  }
  return true;
}

// Characters that give a scalar's first character another meaning.
bool IsIndicator(char c) {
  switch (c) {
    case '[':
    case ']':
    case '{':
    case '}':
    case '#':
    case '&':
    case '*':
    case '!':
    case '|':
    case '>':
    case '%':
    case '@':
    case '`':
    case ',':
    case '?':
    case ':':
      return true;
    default:
      return false;
  }
}

// YAML limits an implicit key to 1024 characters; stay well inside it.
constexpr size_t kMaxKey = 512;

class Scanner {
 public:
  Scanner(std::string_view text, Document& doc) : text_(text), doc_(doc) {}

  std::optional<YamlRoot> Run() {
    if (!IsSimpleText(text_)) return std::nullopt;
    for (size_t pos = 0; pos < text_.size(); pos = NextLine(text_, pos)) {
      const size_t end = ContentEnd(text_, pos);
      size_t p = pos;
      while (p < end && text_[p] == ' ') ++p;
      if (p == end || text_[p] == '#') continue;  // blank line or comment
      if (p == pos &&
          (text_[p] == '%' || text_.substr(p, 3) == "---" || text_.substr(p, 3) == "...")) {
        return std::nullopt;  // directives and document markers
      }
      if (!Line(pos, p, end)) return std::nullopt;
    }
    YamlRoot root;
    if (!stack_.empty() && stack_.front().mapping)
      root.block_mapping_indent = stack_.front().indent;
    return root;
  }

 private:
  struct Frame {
    bool mapping = false;
    size_t indent = 0;
    std::string path;
    size_t index = 0;  // sequences: the next item's index
  };

  // A content line: `KEY: [VALUE]` or `- VALUE`, starting at column p - start.
  bool Line(size_t start, size_t p, size_t end) {
    const size_t indent = p - start;
    const bool item = text_[p] == '-' && (p + 1 == end || text_[p + 1] == ' ');
    if (pending_) {
      pending_ = false;
      const size_t parent = stack_.back().indent;
      // Deeper (or a sequence at the key's column): the first line of the
      // key's collection. Otherwise the key had an empty (null) value, which
      // gives no Value, as in libfyaml's path.
      if (item ? indent >= parent : indent > parent) {
        if (stack_.size() >= kMaxYamlDepth) return false;  // libfyaml's walker refuses it
        stack_.push_back({!item, indent, std::move(pending_path_)});
        return item ? ItemLine(p + 1, end) : KeyLine(start, p, end);
      }
    }
    if (stack_.empty()) {
      stack_.push_back({!item, indent, ""});
    } else {
      while (stack_.size() > 1 && stack_.back().indent > indent) stack_.pop_back();
      // A key at the column of a sequence under a key ends that sequence.
      if (!item && stack_.size() > 1 && !stack_.back().mapping &&
          stack_[stack_.size() - 2].indent == indent) {
        stack_.pop_back();
      }
      if (stack_.back().indent != indent || stack_.back().mapping == item) return false;
    }
    return item ? ItemLine(p + 1, end) : KeyLine(start, p, end);
  }

  bool KeyLine(size_t start, size_t p, size_t end) {
    if (!IsKeyStart(text_[p])) return false;
    size_t k = p + 1;
    while (k < end && IsKeyChar(text_[k])) ++k;
    if (k == end || text_[k] != ':' || k - p > kMaxKey) return false;
    if (k + 1 < end && text_[k + 1] != ' ') return false;
    const std::string_view key = text_.substr(p, k - p);
    const size_t v = SkipSpaces(k + 1, end);
    std::string path = JoinPath(stack_.back().path, key);
    if (v == end || text_[v] == '#') {  // a nested collection follows
      pending_ = true;
      pending_path_ = std::move(path);
      return true;
    }
    Span span;
    ValueType type = ValueType::kString;
    if (!Scalar(v, end, &span, &type)) return false;
    const Span entry{start, NextLine(text_, span.end)};
    if (stack_.size() == 1 && key == kYamlHeaderKey) {
      if (doc_.header) return false;  // libfyaml's path reports it
      doc_.header = HeaderEntry{span, entry};
      return true;
    }
    doc_.values.push_back({std::move(path), span, entry, type});
    return true;
  }

  bool ItemLine(size_t p, size_t end) {
    const size_t v = SkipSpaces(p, end);
    // An empty item: libfyaml 0.7.12 refuses some (`k:` then `- ` at the
    // key's column) that YAML allows, so it decides.
    if (v == end || text_[v] == '#') return false;
    Span span;
    ValueType type = ValueType::kString;
    if (!Scalar(v, end, &span, &type)) return false;
    Frame& f = stack_.back();
    std::string path = f.path;
    path.append("[").append(std::to_string(f.index++)).append("]");
    doc_.values.push_back({std::move(path), span, {span.begin, span.begin}, type});
    return true;
  }

  // A scalar from p to the end of the line, which may hold a comment after it.
  bool Scalar(size_t p, size_t end, Span* span, ValueType* type) {
    const char c = text_[p];
    size_t after = 0;
    if (c == '"') {
      const size_t close = text_.substr(0, end).find('"', p + 1);
      if (close == std::string_view::npos) return false;
      if (text_.substr(p + 1, close - p - 1).find('\\') != std::string_view::npos) return false;
      after = close + 1;
    } else if (c == '\'') {
      size_t q = p + 1;
      while (true) {
        q = text_.substr(0, end).find('\'', q);
        if (q == std::string_view::npos) return false;
        if (q + 1 < end && text_[q + 1] == '\'') {
          q += 2;
          continue;
        }
        break;
      }
      after = q + 1;
    } else {
      if (IsIndicator(c)) return false;
      if (c == '-' && (p + 1 == end || text_[p + 1] == ' ')) return false;
      size_t i = p;
      for (; i < end; ++i) {
        if (text_[i] == ':' && (i + 1 == end || text_[i + 1] == ' ')) return false;
        if (text_[i] == '#' && text_[i - 1] == ' ') break;
      }
      while (text_[i - 1] == ' ') --i;
      *span = {p, i};
      *type = YamlPlainType(text_.substr(p, i - p));
      return true;
    }
    const size_t rest = SkipSpaces(after, end);
    if (rest != end && !(text_[rest] == '#' && rest > after)) return false;
    *span = {p, after};
    *type = ValueType::kString;
    return true;
  }

  size_t SkipSpaces(size_t p, size_t end) const {
    while (p < end && text_[p] == ' ') ++p;
    return p;
  }

  std::string_view text_;
  Document& doc_;
  std::vector<Frame> stack_;
  bool pending_ = false;  // the last line was `KEY:` with nothing after it
  std::string pending_path_;
};

}  // namespace

std::optional<YamlRoot> ScanSimpleYaml(std::string_view text, Document& doc) {
  return Scanner(text, doc).Run();
}

}  // namespace tresor::formats
