#include "runtime/interpolation.h"

#include <map>

#include "formats/ascii.h"
#include "formats/document.h"

namespace tresor::runtime {
namespace {

constexpr int kMaxDepth = 10;  // configparser's MAX_INTERPOLATION_DEPTH

struct IniKey {
  std::string section;
  std::string option;  // lower case, as configparser's optionxform makes it
};

std::optional<IniKey> KeyOf(const ConfigEntry& entry) {
  auto segments = formats::SplitPath(entry.path);
  if (!segments || segments->size() != 2) return std::nullopt;
  return IniKey{(*segments)[0], formats::AsciiLower((*segments)[1])};
}

class IniInterpolator {
 public:
  IniInterpolator(const std::vector<ConfigEntry>& entries, std::string file)
      : file_(std::move(file)) {
    for (const ConfigEntry& e : entries) {
      if (auto key = KeyOf(e)) raw_[key->section][key->option] = e.value;
    }
  }

  Result<std::string> Value(const ConfigEntry& entry) const {
    const auto key = KeyOf(entry);
    if (!key || entry.value.find('%') == std::string::npos) return entry.value;
    std::string out;
    TRESOR_RETURN_IF_ERROR(Expand(entry.path, key->section, entry.value, 1, out));
    return out;
  }

 private:
  Error Fail(const std::string& path, const std::string& what) const {
    return MakeError(ErrorCode::kInvalidArgument, file_ + ": " + path + ": " + what +
                                                      " (INI interpolation, as Python's "
                                                      "configparser does it; %% is a literal %)");
  }

  const std::string* Lookup(const std::string& section, const std::string& option) const {
    for (const std::string& s : {section, std::string("DEFAULT")}) {
      auto in = raw_.find(s);
      if (in == raw_.end()) continue;
      auto it = in->second.find(option);
      if (it != in->second.end()) return &it->second;
    }
    return nullptr;
  }

  Result<void> Expand(const std::string& path, const std::string& section, std::string_view rest,
                      int depth, std::string& out) const {
    if (depth > kMaxDepth) {
      return Fail(path, "references nested more than " + std::to_string(kMaxDepth) + " deep");
    }
    while (!rest.empty()) {
      const size_t p = rest.find('%');
      out.append(rest.substr(0, p));
      if (out.size() > kMaxInterpolated) {
        return Fail(path,
                    "longer than " + std::to_string(kMaxInterpolated) + " bytes once interpolated");
      }
      if (p == std::string_view::npos) return {};
      rest.remove_prefix(p);
      if (rest.starts_with("%%")) {
        out.push_back('%');
        rest.remove_prefix(2);
        continue;
      }
      if (!rest.starts_with("%(")) {
        return Fail(path, "'%' must be followed by '%' or '('");
      }
      const size_t close = rest.find(')');
      if (close == std::string_view::npos || close == 2 || close + 1 >= rest.size() ||
          rest[close + 1] != 's') {
        return Fail(path, "a reference is %(name)s");
      }
      const std::string name = formats::AsciiLower(rest.substr(2, close - 2));
      rest.remove_prefix(close + 2);
      const std::string* value = Lookup(section, name);
      if (value == nullptr) {
        return Fail(
            path, "%(" + name + ")s: no option " + name + " in section " + section + " or DEFAULT");
      }
      if (value->find('%') == std::string::npos) {
        out.append(*value);
      } else {
        TRESOR_RETURN_IF_ERROR(Expand(path, section, *value, depth + 1, out));
      }
    }
    return {};
  }

  std::string file_;
  std::map<std::string, std::map<std::string, std::string>> raw_;
};

}  // namespace

Result<void> InterpolateIni(std::vector<ConfigEntry>& entries, const std::string& file) {
  const IniInterpolator interpolator(entries, file);
  std::vector<std::string> values;
  values.reserve(entries.size());
  for (const ConfigEntry& e : entries) {
    TRESOR_ASSIGN_OR_RETURN(std::string v, interpolator.Value(e));
    values.push_back(std::move(v));
  }
  for (size_t i = 0; i < entries.size(); ++i) entries[i].value = std::move(values[i]);
  return {};
}

Result<void> ExpandDotenv(std::vector<ConfigEntry>& entries, const std::string& file,
                          const Environment& environment) {
  std::map<std::string, std::string, std::less<>> seen;  // the file's values so far
  for (ConfigEntry& entry : entries) {
    std::string_view rest = entry.value;
    std::string out;
    // python-dotenv's pattern: \$\{(name: [^}:]*)(:-(default: [^}]*))?\}
    while (!rest.empty()) {
      const size_t at = rest.find("${");
      const size_t close = at == std::string_view::npos ? at : rest.find('}', at);
      if (close == std::string_view::npos) {
        out.append(rest);
        break;
      }
      out.append(rest.substr(0, at));
      const std::string_view inner = rest.substr(at + 2, close - at - 2);
      const size_t colon = inner.find(':');
      const bool has_default =
          colon != std::string_view::npos && inner.substr(colon).starts_with(":-");
      if (colon != std::string_view::npos && !has_default) {
        out.append(rest.substr(at, 2));  // not a reference: "${" stays, as python-dotenv
        rest.remove_prefix(at + 2);
        continue;
      }
      const std::string name(inner.substr(0, colon));
      if (auto it = seen.find(name); it != seen.end()) {
        out.append(it->second);
      } else if (auto value = environment(name)) {
        out.append(*value);
      } else if (has_default) {
        out.append(inner.substr(colon + 2));
      }
      rest.remove_prefix(close + 1);
      if (out.size() > kMaxInterpolated) {
        return MakeError(ErrorCode::kInvalidArgument, file + ": " + entry.path + ": longer than " +
                                                          std::to_string(kMaxInterpolated) +
                                                          " bytes once expanded");
      }
    }
    entry.value = std::move(out);
    seen[entry.path] = entry.value;
  }
  return {};
}

}  // namespace tresor::runtime
