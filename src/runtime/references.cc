#include "runtime/references.h"

#include <cstdlib>
#include <fstream>
#include <iterator>

namespace tresor::runtime {
namespace {

constexpr size_t kMaxReferencedFile = 1 << 20;

bool IsKindChar(char c) { return c >= 'a' && c <= 'z'; }

Error NotFound(std::string_view reference, const std::string& what) {
  std::string message(reference);
  return MakeError(ErrorCode::kNotFound, message.append(": ").append(what));
}

Result<std::string> ReadReferencedFile(std::string_view reference, const std::string& path) {
  auto read = ReadFileText(path, kMaxReferencedFile);
  if (!read) {
    if (read.error().code == ErrorCode::kInvalidArgument) {
      return MakeError(ErrorCode::kInvalidArgument,
                       std::string(reference) + ": " + path + " is larger than 1 MiB");
    }
    return NotFound(reference, "cannot read " + path);
  }
  std::string content = std::move(*read);
  // One final line break is the file's, not the value's (as `$(cat F)`).
  if (content.ends_with("\r\n")) {
    content.resize(content.size() - 2);
  } else if (content.ends_with('\n')) {
    content.pop_back();
  }
  return content;
}

Result<std::string> Lookup(std::string_view reference, std::string_view kind, std::string_view name,
                           const ReferenceSources& sources) {
  if (kind == "secret") {
    std::optional<std::string> value;
    if (sources.secret) value = sources.secret(name);
    if (!value) return NotFound(reference, "no such alias in the [secrets] table");
    return std::move(*value);
  }
  if (kind == "env") {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return NotFound(reference, "not set in the environment");
    return std::string(value);
  }
  if (kind == "sys") {
    const auto it = sources.properties.find(name);
    if (it == sources.properties.end()) {
      return NotFound(reference,
                      "no such property (-D" + std::string(name) + "=VALUE or --properties FILE)");
    }
    return it->second;
  }
  if (kind == "file") {
    std::string path(name);
    if (!path.starts_with('/')) path = sources.base_dir + "/" + path;
    return ReadReferencedFile(reference, path);
  }
  if (kind == "store") {
    if (!sources.store) {
      return MakeError(ErrorCode::kInvalidArgument,
                       std::string(reference) + ": no server to read it from here");
    }
    return sources.store(reference, name);
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   std::string(reference) +
                       ": unknown reference kind (known: $secret, $env, $sys, $file, $store; $$ "
                       "is a literal $)");
}

}  // namespace

Result<std::string> ReadFileText(const std::string& path, size_t max_size) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kIo, path + ": cannot open");
  std::string text;
  text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) return MakeError(ErrorCode::kIo, path + ": read failed");
  if (text.size() > max_size) {
    return MakeError(ErrorCode::kInvalidArgument,
                     path + ": larger than " + std::to_string(max_size) + " bytes");
  }
  return text;
}

Result<std::string> ResolveReferences(std::string_view value, const ReferenceSources& sources) {
  std::string out;
  out.reserve(value.size());
  size_t p = 0;
  while (p < value.size()) {
    const size_t dollar = value.find('$', p);
    if (dollar == std::string_view::npos) break;
    out.append(value.substr(p, dollar - p));
    if (dollar + 1 < value.size() && value[dollar + 1] == '$') {  // $$
      out.push_back('$');
      p = dollar + 2;
      continue;
    }
    size_t k = dollar + 1;
    while (k < value.size() && IsKindChar(value[k])) ++k;
    if (k == dollar + 1 || k == value.size() || value[k] != '{') {  // a plain '$'
      out.push_back('$');
      p = dollar + 1;
      continue;
    }
    const size_t close = value.find('}', k + 1);
    if (close == std::string_view::npos) {
      return MakeError(ErrorCode::kInvalidArgument,
                       std::string(value.substr(dollar, k + 1 - dollar)) +
                           "...: unterminated reference (no closing '}')");
    }
    const std::string_view reference = value.substr(dollar, close + 1 - dollar);
    const std::string_view name = value.substr(k + 1, close - k - 1);
    if (name.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, std::string(reference) + ": empty name");
    }
    TRESOR_ASSIGN_OR_RETURN(
        std::string resolved,
        Lookup(reference, value.substr(dollar + 1, k - dollar - 1), name, sources));
    out.append(resolved);
    p = close + 1;
  }
  if (p < value.size()) out.append(value.substr(p));
  return out;
}

Result<void> ReadProperties(std::string_view text, const std::string& name,
                            std::map<std::string, std::string, std::less<>>* into) {
  size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    const size_t start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos || line[start] == '#' || line[start] == '!') continue;
    line.remove_prefix(start);
    const size_t sep = line.find_first_of("=:");
    if (sep == std::string_view::npos || sep == 0) {
      return MakeError(ErrorCode::kSyntax,
                       name + ":" + std::to_string(line_number) + ": expected name=value");
    }
    std::string_view key = line.substr(0, sep);
    std::string_view value = line.substr(sep + 1);
    key = key.substr(0, key.find_last_not_of(" \t") + 1);
    const size_t value_start = value.find_first_not_of(" \t");
    value = value_start == std::string_view::npos ? std::string_view() : value.substr(value_start);
    (*into)[std::string(key)] = std::string(value);
  }
  return {};
}

}  // namespace tresor::runtime
