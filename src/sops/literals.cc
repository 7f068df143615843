#include "sops/literals.h"

#include <algorithm>
#include <array>

#include "formats/ascii.h"

namespace tresor::sops {
namespace {

bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A string YAML reads back as the same string when written bare.
bool IsYamlPlainSafe(std::string_view s) {
  if (s.empty() || !IsLetter(s.front()) || s.back() == ' ') return false;
  for (char c : s) {
    if (!IsLetter(c) && !IsDigit(c) && c != ' ' && c != '_' && c != '.' && c != '/' && c != '@' &&
        c != '-') {
      return false;
    }
  }
  static constexpr std::array<std::string_view, 9> kWords = {"y",   "n",    "yes",   "no",  "on",
                                                             "off", "true", "false", "null"};
  const std::string lower = formats::AsciiLower(s);
  return std::find(kWords.begin(), kWords.end(), lower) == kWords.end();
}

bool IsNumberText(std::string_view s) {
  if (s.empty()) return false;
  const size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (i == s.size() || !IsDigit(s[i])) return false;
  return s.find_first_not_of("0123456789.eE+-_", i) == std::string_view::npos;
}

// JSON's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsJsonNumber(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    const size_t from = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    return i > from;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.' && (++i, !digits())) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

}  // namespace

std::string PlainLiteral(const formats::Format& format, std::string_view enc_type,
                         std::string_view plain) {
  const std::string_view name = format.name();
  const bool yaml = name == "yaml";
  const bool json = name == "json";
  const bool structured = yaml || json;
  const bool number = enc_type == "int" || enc_type == "float";
  if (number && (json ? IsJsonNumber(plain) : structured && IsNumberText(plain))) {
    return std::string(plain);
  }
  if (structured && enc_type == "bool" && (plain == "True" || plain == "False")) {
    return plain == "True" ? "true" : "false";
  }
  if (yaml && enc_type == "time" && plain.size() >= 4 && IsNumberText(plain.substr(0, 4)) &&
      !plain.ends_with(':') &&
      plain.find_first_not_of("0123456789-:.TtZz+") == std::string_view::npos) {
    return std::string(plain);
  }
  if (yaml && IsYamlPlainSafe(plain)) return std::string(plain);
  return format.Encode(plain);
}

}  // namespace tresor::sops
