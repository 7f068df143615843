#include "formats/format.h"

namespace tresor::formats {

Insertion LinesAt(std::string_view text, const Document& doc, size_t offset, std::string_view lines,
                  bool* added_newline) {
  const bool newline = offset > 0 && text[offset - 1] != '\n';
  if (added_newline != nullptr) *added_newline = newline;
  std::string out = newline ? doc.eol : "";
  return {offset, out.append(lines)};
}

size_t EndOfEntries(std::string_view text, const Document& doc) {
  return doc.header ? doc.header->entry.begin : text.size();
}

const Format* FormatByName(std::string_view name) {
  if (name == "ini") return &Ini();
  if (name == "dotenv" || name == "env") return &Dotenv();
  if (name == "json") return &Json();
  if (name == "toml") return &Toml();
  if (name == "yaml" || name == "yml") return &Yaml();
  return nullptr;
}

const Format* FormatForFile(std::string_view path) {
  const size_t slash = path.rfind('/');
  const std::string_view base = path.substr(slash == std::string_view::npos ? 0 : slash + 1);
  if (base == ".env" || base.starts_with(".env.")) return FormatByName("dotenv");
  const size_t dot = base.rfind('.');
  if (dot == std::string_view::npos) return nullptr;
  const std::string_view ext = base.substr(dot + 1);
  if (ext == "ini" || ext == "cfg" || ext == "conf") return FormatByName("ini");
  if (ext == "env") return FormatByName("dotenv");
  if (ext == "json") return FormatByName("json");
  if (ext == "toml") return FormatByName("toml");
  if (ext == "yaml" || ext == "yml") return FormatByName("yaml");
  return nullptr;
}

}  // namespace tresor::formats
