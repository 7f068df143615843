#include "formats/document.h"

#include <algorithm>
#include <cstdint>
#include <functional>

namespace tresor::formats {

const char* ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kString:
      return "string";
    case ValueType::kNumber:
      return "number";
    case ValueType::kBool:
      return "bool";
    case ValueType::kNull:
      return "null";
    case ValueType::kDateTime:
      return "datetime";
  }
  return "string";
}

LineColumn LocationOf(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  const auto prefix = text.substr(0, offset);
  const size_t newline = prefix.rfind('\n');
  const size_t line_start = newline == std::string_view::npos ? 0 : newline + 1;
  return {1 + static_cast<int>(std::count(prefix.begin(), prefix.end(), '\n')),
          static_cast<int>(offset - line_start) + 1};
}

std::string Position(std::string_view text, size_t offset) {
  const LineColumn at = LocationOf(text, offset);
  return std::to_string(at.line) + ":" + std::to_string(at.column);
}

Error SyntaxError(std::string_view text, size_t offset, const std::string& what) {
  return MakeError(ErrorCode::kSyntax, Position(text, offset) + ": " + what);
}

Error ValueError(ErrorCode code, std::string_view text, const Value& v, const std::string& what) {
  return MakeError(code, Position(text, v.literal.begin) + ": " + v.path + ": " + what);
}

std::string JoinPath(std::string_view parent, std::string_view key) {
  const bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
  std::string out(parent);
  if (!out.empty()) out += '.';
  if (plain) return out.append(key);
  out += '"';
  for (char c : key) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

const Value* FirstDuplicatePath(const std::vector<Value>& values) {
  // An open-addressing table of value indices, at most half full: a tenth of
  // the memory of a node-based set, which matters for 10,000-value files.
  size_t slots = 16;
  while (slots < 2 * values.size()) slots *= 2;
  constexpr uint32_t kEmpty = UINT32_MAX;
  std::vector<uint32_t> table(slots, kEmpty);
  const std::hash<std::string_view> hash;
  for (size_t i = 0; i < values.size(); ++i) {
    const std::string_view path = values[i].path;
    for (size_t slot = hash(path) & (slots - 1);; slot = (slot + 1) & (slots - 1)) {
      if (table[slot] == kEmpty) {
        table[slot] = static_cast<uint32_t>(i);
        break;
      }
      if (values[table[slot]].path == path) return &values[i];
    }
  }
  return nullptr;
}

Result<std::vector<std::string>> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  auto bad = [&](const char* what) {
    return MakeError(ErrorCode::kInvalidArgument, "bad path " + std::string(path) + ": " + what);
  };
  while (i < path.size()) {
    if (path[i] == '[') {
      const size_t close = path.find(']', i);
      if (close == std::string_view::npos) return bad("unclosed [");
      out.emplace_back(path.substr(i, close - i + 1));
      i = close + 1;
    } else if (path[i] == '"') {
      std::string key;
      for (++i; i < path.size() && path[i] != '"'; ++i) {
        if (path[i] == '\\' && i + 1 < path.size()) ++i;
        key += path[i];
      }
      if (i >= path.size()) return bad("unclosed quote");
      ++i;
      out.push_back(std::move(key));
    } else {
      const size_t end = path.find_first_of(".[", i);
      const auto key = path.substr(i, end == std::string_view::npos ? path.size() - i : end - i);
      if (key.empty()) return bad("empty key");
      out.emplace_back(key);
      i += key.size();
    }
    if (i < path.size() && path[i] == '.') {
      if (++i == path.size()) return bad("ends with '.'");
    } else if (i < path.size() && path[i] != '[') {
      return bad("expected '.' or '['");
    }
  }
  if (out.empty()) return bad("empty");
  return out;
}

Result<ParentAndKey> SplitParent(std::string_view path) {
  TRESOR_ASSIGN_OR_RETURN(auto segments, SplitPath(path));
  if (segments.back().front() == '[') {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(path) + ": cannot add array elements, only keys");
  }
  ParentAndKey out;
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    out.parent =
        segments[i].front() == '[' ? out.parent + segments[i] : JoinPath(out.parent, segments[i]);
  }
  out.key = std::move(segments.back());
  return out;
}

std::string DoubleQuoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.append(1, '"').append(s).append(1, '"');
  return out;
}

std::string EscapedString(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.append({'\\', c});
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      static const char* kHex = "0123456789abcdef";
      out.append("\\u00").append({kHex[u >> 4], kHex[u & 15]});
    } else {
      out += c;
    }
  }
  return out += '"';
}

std::string DetectEol(std::string_view text) {
  const size_t nl = text.find('\n');
  return nl != std::string_view::npos && nl > 0 && text[nl - 1] == '\r' ? "\r\n" : "\n";
}

}  // namespace tresor::formats
