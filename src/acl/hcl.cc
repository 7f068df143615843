#include "acl/hcl.h"

#include <cctype>

#include "formats/document.h"

namespace tresor::acl {
namespace {

constexpr int kMaxDepth = 32;

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  // HCL, or JSON: one object whose members are read as `key = value`.
  Result<std::vector<HclItem>> File() {
    TRESOR_RETURN_IF_ERROR(Skip());
    if (Peek() != '{') return Body(0, false);
    TRESOR_ASSIGN_OR_RETURN(HclValue object, Value(0));
    TRESOR_RETURN_IF_ERROR(Skip());
    if (!AtEnd()) return Fail(pos_, "unexpected text after the JSON object");
    return std::move(object.body);
  }

 private:
  Error Fail(size_t at, const std::string& what) const {
    return formats::SyntaxError(text_, at, what);
  }

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }

  // Skips blanks, newlines and comments.
  Result<void> Skip() {
    while (!AtEnd()) {
      const char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        ++pos_;
      } else if (c == '#' || text_.substr(pos_, 2) == "//") {
        while (!AtEnd() && text_[pos_] != '\n') ++pos_;
      } else if (text_.substr(pos_, 2) == "/*") {
        const size_t end = text_.find("*/", pos_ + 2);
        if (end == std::string_view::npos) return Fail(pos_, "unterminated comment");
        pos_ = end + 2;
      } else {
        break;
      }
    }
    return {};
  }

  static bool IsIdentifierChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  }

  Result<std::string> String() {
    const size_t start = pos_++;
    std::string out;
    while (true) {
      if (AtEnd() || text_[pos_] == '\n') return Fail(start, "unterminated string");
      const char c = text_[pos_++];
      if (c == '"') return out;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (AtEnd()) return Fail(start, "unterminated string");
      const char e = text_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out.push_back(e);
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'r':
          out.push_back('\r');
          break;
        default:
          return Fail(pos_ - 2, std::string("unknown escape \\") + e);
      }
    }
  }

  // An identifier or a string: a key or a label.
  Result<std::string> Key() {
    if (Peek() == '"') return String();
    const size_t start = pos_;
    while (!AtEnd() && IsIdentifierChar(text_[pos_])) ++pos_;
    if (pos_ == start) return Fail(start, "expected a key");
    return std::string(text_.substr(start, pos_ - start));
  }

  Result<HclValue> Value(int depth) {
    if (depth > kMaxDepth) return Fail(pos_, "nested too deeply");
    TRESOR_RETURN_IF_ERROR(Skip());
    HclValue v;
    v.offset = pos_;
    const char c = Peek();
    if (c == '"') {
      TRESOR_ASSIGN_OR_RETURN(v.text, String());
      return v;
    }
    if (c == '[') {
      ++pos_;
      v.kind = HclValue::Kind::kList;
      while (true) {
        TRESOR_RETURN_IF_ERROR(Skip());
        if (Peek() == ']') {
          ++pos_;
          return v;
        }
        TRESOR_ASSIGN_OR_RETURN(HclValue item, Value(depth + 1));
        v.items.push_back(std::move(item));
        TRESOR_RETURN_IF_ERROR(Skip());
        if (Peek() == ',') {
          ++pos_;
        } else if (Peek() != ']') {
          return Fail(pos_, "expected ',' or ']'");
        }
      }
    }
    if (c == '{') {
      ++pos_;
      v.kind = HclValue::Kind::kObject;
      TRESOR_ASSIGN_OR_RETURN(v.body, Body(depth + 1, true));
      return v;
    }
    const size_t start = pos_;
    while (!AtEnd() && (IsIdentifierChar(text_[pos_]) || text_[pos_] == '+')) ++pos_;
    const std::string_view word = text_.substr(start, pos_ - start);
    if (word == "true" || word == "false") {
      v.kind = HclValue::Kind::kBool;
    } else if (!word.empty() && (std::isdigit(static_cast<unsigned char>(word[0])) ||
                                 word[0] == '-' || word[0] == '+')) {
      v.kind = HclValue::Kind::kNumber;
    } else {
      return Fail(start, "expected a value");
    }
    v.text = std::string(word);
    return v;
  }

  // Items up to the end of the text, or to the '}' closing a block.
  Result<std::vector<HclItem>> Body(int depth, bool in_block) {
    std::vector<HclItem> items;
    while (true) {
      TRESOR_RETURN_IF_ERROR(Skip());
      if (AtEnd()) {
        if (in_block) return Fail(pos_, "expected '}'");
        return items;
      }
      if (Peek() == '}') {
        if (!in_block) return Fail(pos_, "unexpected '}'");
        ++pos_;
        return items;
      }
      HclItem item;
      item.offset = pos_;
      TRESOR_ASSIGN_OR_RETURN(item.key, Key());
      while (true) {
        TRESOR_RETURN_IF_ERROR(Skip());
        if (Peek() != '"') break;
        TRESOR_ASSIGN_OR_RETURN(std::string label, String());
        item.labels.push_back(std::move(label));
      }
      if (Peek() == '=' || Peek() == ':') {  // ':' for JSON
        ++pos_;
        TRESOR_ASSIGN_OR_RETURN(item.value, Value(depth + 1));
      } else if (Peek() == '{') {
        TRESOR_ASSIGN_OR_RETURN(item.value, Value(depth + 1));
      } else {
        return Fail(pos_, "expected '=' or '{' after " + formats::DoubleQuoted(item.key));
      }
      items.push_back(std::move(item));
      TRESOR_RETURN_IF_ERROR(Skip());
      if (Peek() == ',') ++pos_;  // HCL allows commas between object items
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

Result<std::vector<HclItem>> ParseHcl(std::string_view text) { return Parser(text).File(); }

}  // namespace tresor::acl
