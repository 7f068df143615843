#include <unordered_set>

#include "formats/format.h"
#include "formats/text_scan.h"

// JSON (RFC 8259), strictly: one top-level object, no comments, no trailing
// commas, no duplicate keys, nesting at most 256 deep.
namespace tresor::formats {
namespace {

// Decodes a JSON string literal (with its quotes); nothing if malformed.
std::optional<std::string> DecodeJsonString(std::string_view literal);

class JsonFormat : public Format {
 public:
  const char* name() const override { return "json"; }
  TRESOR_FORMAT_OPERATIONS
};

constexpr std::string_view kHeaderKey = "tresor";
constexpr int kMaxDepth = 256;

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads 4 hex digits at `p`; -1 if they are not.
int32_t Hex4(std::string_view s, size_t p) {
  if (p + 4 > s.size()) return -1;
  int32_t v = 0;
  for (size_t i = p; i < p + 4; ++i) {
    const int d = HexDigit(s[i]);
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

// A member of an object being parsed, for the header's removal range.
struct Member {
  std::string key;
  size_t key_begin = 0;
  Span value;
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<Document> Run() {
    doc_.eol = DetectEol(text_);
    Ws();
    if (p_ >= text_.size() || text_[p_] != '{') {
      return SyntaxError(text_, p_, "expected a JSON object at the top level");
    }
    TRESOR_RETURN_IF_ERROR(Object("", 0));
    Ws();
    if (p_ != text_.size()) return SyntaxError(text_, p_, "unexpected text after the JSON object");
    return std::move(doc_);
  }

 private:
  void Ws() {
    while (p_ < text_.size() &&
           (text_[p_] == ' ' || text_[p_] == '\t' || text_[p_] == '\n' || text_[p_] == '\r')) {
      ++p_;
    }
  }

  Error Expected(const char* what) {
    return SyntaxError(text_, p_, std::string("expected ") + what);
  }

  // After a member or element: true past a ',', false at `close` (not
  // consumed), an error at anything else.
  Result<bool> NextItem(char close) {
    Ws();
    if (p_ < text_.size() && text_[p_] == ',') {
      ++p_;
      return true;
    }
    if (p_ < text_.size() && text_[p_] == close) return false;
    return Expected(close == '}' ? "',' or '}'" : "',' or ']'");
  }

  Result<void> Value(const std::string& path, int depth, Span* span) {
    if (depth > kMaxDepth) return SyntaxError(text_, p_, "nested too deeply");
    if (p_ >= text_.size()) return Expected("a value");
    const size_t begin = p_;
    const char c = text_[p_];
    ValueType type = ValueType::kString;
    if (c == '{') {
      TRESOR_RETURN_IF_ERROR(Object(path, depth + 1));
    } else if (c == '[') {
      TRESOR_RETURN_IF_ERROR(Array(path, depth + 1));
    } else {
      if (c == '"') {
        TRESOR_RETURN_IF_ERROR(String());
      } else if (c == '-' || (c >= '0' && c <= '9')) {
        TRESOR_RETURN_IF_ERROR(Number());
        type = ValueType::kNumber;
      } else if (Literal("true") || Literal("false")) {
        type = ValueType::kBool;
      } else if (Literal("null")) {
        type = ValueType::kNull;
      } else {
        return Expected("a value");
      }
      scalar_ = true;
      last_scalar_ = {path, {begin, p_}, type};
    }
    *span = {begin, p_};
    return {};
  }

  bool Literal(std::string_view word) {
    if (text_.substr(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }

  Result<void> String() {
    const size_t begin = p_++;
    while (p_ < text_.size() && text_[p_] != '"') {
      const auto c = static_cast<unsigned char>(text_[p_]);
      if (c < 0x20) return SyntaxError(text_, p_, "control character in a string");
      if (c == '\\') {
        if (++p_ >= text_.size()) break;
        const char e = text_[p_];
        if (e == 'u') {
          if (Hex4(text_, p_ + 1) < 0) return SyntaxError(text_, p_, "bad \\u escape");
          p_ += 4;
        } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
          return SyntaxError(text_, p_ - 1, "bad escape in a string");
        }
      }
      ++p_;
    }
    if (p_ >= text_.size()) return SyntaxError(text_, begin, "unterminated string");
    ++p_;
    return {};
  }

  Result<void> Number() {
    const size_t begin = p_;
    if (text_[p_] == '-') ++p_;
    auto digits = [&] {
      const size_t start = p_;
      while (p_ < text_.size() && text_[p_] >= '0' && text_[p_] <= '9') ++p_;
      return p_ - start;
    };
    if (p_ < text_.size() && text_[p_] == '0') {
      ++p_;
    } else if (digits() == 0) {
      return SyntaxError(text_, begin, "bad number");
    }
    if (p_ < text_.size() && text_[p_] == '.') {
      ++p_;
      if (digits() == 0) return SyntaxError(text_, begin, "bad number");
    }
    if (p_ < text_.size() && (text_[p_] == 'e' || text_[p_] == 'E')) {
      ++p_;
      if (p_ < text_.size() && (text_[p_] == '+' || text_[p_] == '-')) ++p_;
      if (digits() == 0) return SyntaxError(text_, begin, "bad number");
    }
    return {};
  }

  // Records a scalar just parsed as a value of the document.
  void AddScalar(size_t entry_begin, size_t entry_end) {
    if (!scalar_) return;
    scalar_ = false;
    doc_.values.push_back(formats::Value{
        last_scalar_.path, last_scalar_.literal, {entry_begin, entry_end}, last_scalar_.type});
  }

  Result<void> Object(const std::string& path, int depth) {
    ++p_;  // '{'
    std::unordered_set<std::string> keys;
    std::vector<Member> members;
    size_t prev_end = p_;  // where the text after the previous member (or '{') starts
    Ws();
    if (p_ < text_.size() && text_[p_] == '}') {
      doc_.containers.push_back({path, prev_end, std::nullopt, 0});
      ++p_;
      return {};
    }
    while (true) {
      Ws();
      if (p_ >= text_.size() || text_[p_] != '"') return Expected("a string key");
      const size_t key_begin = p_;
      TRESOR_RETURN_IF_ERROR(String());
      auto key = DecodeJsonString(text_.substr(key_begin, p_ - key_begin));
      if (!key) return SyntaxError(text_, key_begin, "bad string key");
      if (!keys.insert(*key).second) {
        return SyntaxError(text_, key_begin, "duplicate key \"" + *key + "\"");
      }
      Ws();
      if (p_ >= text_.size() || text_[p_] != ':') return Expected("':'");
      ++p_;
      Ws();
      Span value;
      const bool header = depth == 0 && *key == kHeaderKey;
      TRESOR_RETURN_IF_ERROR(Value(header ? std::string() : JoinPath(path, *key), depth, &value));
      if (header) {
        scalar_ = false;
        if (text_[value.begin] != '"')
          return SyntaxError(text_, value.begin, "tresor header must be a string");
        doc_.header = HeaderEntry{value, {prev_end, value.end}};
      } else {
        // A member's entry runs from the end of the previous member (its
        // comma) to the end of its value, so removing it keeps the JSON valid.
        AddScalar(prev_end, value.end);
      }
      members.push_back({*key, key_begin, value});
      prev_end = p_;
      TRESOR_ASSIGN_OR_RETURN(const bool more, NextItem('}'));
      if (!more) break;
    }
    doc_.containers.push_back({path, prev_end, members.back().key_begin, 0});
    ++p_;
    return {};
  }

  Result<void> Array(const std::string& path, int depth) {
    ++p_;  // '['
    size_t prev_end = p_;
    Ws();
    if (p_ < text_.size() && text_[p_] == ']') {
      ++p_;
      return {};
    }
    for (size_t i = 0;; ++i) {
      Ws();
      Span value;
      TRESOR_RETURN_IF_ERROR(Value(path + "[" + std::to_string(i) + "]", depth, &value));
      AddScalar(prev_end, value.end);
      prev_end = p_;
      TRESOR_ASSIGN_OR_RETURN(const bool more, NextItem(']'));
      if (!more) break;
    }
    ++p_;
    return {};
  }

  struct Scalar {
    std::string path;
    Span literal;
    ValueType type = ValueType::kString;
  };

  std::string_view text_;
  size_t p_ = 0;
  Document doc_;
  bool scalar_ = false;
  Scalar last_scalar_;
};

// The whitespace before the key that starts at `key_begin`, if the key
// starts its line; nothing otherwise.
std::optional<std::string_view> LineIndent(std::string_view text, size_t key_begin) {
  size_t p = key_begin;
  while (p > 0 && (text[p - 1] == ' ' || text[p - 1] == '\t')) --p;
  if (p > 0 && text[p - 1] != '\n') return std::nullopt;
  return text.substr(p, key_begin - p);
}

std::optional<std::string> DecodeJsonString(std::string_view literal) {
  if (literal.size() < 2 || literal.front() != '"' || literal.back() != '"') return std::nullopt;
  std::string out;
  for (size_t i = 1; i + 1 < literal.size(); ++i) {
    const char c = literal[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i + 1 >= literal.size() + 1) return std::nullopt;
    switch (literal[i]) {
      case '"':
      case '\\':
      case '/':
        out += literal[i];
        break;
      case 'u': {
        int32_t cp = Hex4(literal, i + 1);
        if (cp < 0) return std::nullopt;
        i += 4;
        if (cp >= 0xd800 && cp < 0xdc00 && literal.substr(i + 1, 2) == "\\u") {
          const int32_t low = Hex4(literal, i + 3);
          if (low >= 0xdc00 && low < 0xe000) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
            i += 6;
          }
        }
        AppendUtf8(out, static_cast<uint32_t>(cp));
        break;
      }
      default:
        if (const char control = ControlEscape(literal[i])) {
          out += control;
          break;
        }
        return std::nullopt;
    }
  }
  return out;
}

Result<Document> JsonFormat::Parse(std::string_view text) const { return Parser(text).Run(); }

std::string JsonFormat::TokenLiteral(std::string_view s, char) const { return DoubleQuoted(s); }

std::string JsonFormat::Decode(std::string_view literal, ValueType type) const {
  if (type != ValueType::kString) return std::string(literal);
  return DecodeJsonString(literal).value_or(std::string(literal));
}

std::string JsonFormat::Encode(std::string_view value) const { return EscapedString(value); }

// A member placed after the last member of `object`, laid out like it: on a
// line of its own with the same indentation if that member starts its line.
Insertion MemberInsertion(std::string_view text, const Document& doc, const Container& object,
                          std::string_view member) {
  if (!object.last_key) return {object.insert_at, std::string(member)};
  std::string out = ",";
  if (auto indent = LineIndent(text, *object.last_key)) {
    out.append(doc.eol).append(*indent);
  } else {
    out += ' ';
  }
  return {object.insert_at, out.append(member)};
}

Result<Insertion> JsonFormat::HeaderInsertion(std::string_view text, const Document& doc,
                                              std::string_view header, bool* added_newline) const {
  *added_newline = false;
  const Container& top = doc.containers.back();  // the top-level object closes last
  std::string member = "\"";
  member.append(kHeaderKey).append("\": ").append(TokenLiteral(header, '\n'));
  return MemberInsertion(text, doc, top, member);
}

Result<Insertion> JsonFormat::NewEntry(std::string_view text, const Document& doc,
                                       std::string_view path, std::string_view literal) const {
  TRESOR_ASSIGN_OR_RETURN(ParentAndKey split, SplitParent(path));
  const std::string& parent = split.parent;
  std::string member = Encode(split.key);
  member.append(": ").append(literal);
  for (const Container& c : doc.containers) {
    if (c.path != parent) continue;
    Insertion insertion = MemberInsertion(text, doc, c, member);
    // Keep the header entry last in the top-level object.
    if (parent.empty() && doc.header) insertion.offset = doc.header->entry.begin;
    return insertion;
  }
  return MakeError(ErrorCode::kNotFound, std::string(path) + ": no object " +
                                             (parent.empty() ? "at the top level" : parent) +
                                             " to add the key to");
}

}  // namespace

const Format& Json() {
  static const JsonFormat format;
  return format;
}

}  // namespace tresor::formats
