#include "acl/policy.h"

#include <array>

#include "acl/hcl.h"
#include "formats/ascii.h"
#include "formats/document.h"

namespace tresor::acl {
namespace {

constexpr std::array<std::string_view, 8> kNames = {"create", "read", "update", "patch",
                                                    "delete", "list", "sudo",   "deny"};

// The legacy `policy = "..."` levels, as Vault maps them to capabilities.
uint32_t LegacyLevel(std::string_view level) {
  constexpr uint32_t kWrite = kCreate | kRead | kUpdate | kPatch | kDelete | kList;
  if (level == "deny") return kDeny;
  if (level == "read") return kRead | kList;
  if (level == "write") return kWrite;
  if (level == "sudo") return kWrite | kSudo;
  return 0;
}

class Interpreter {
 public:
  explicit Interpreter(std::string_view text) : text_(text) {}

  Result<Policy> Run(const std::vector<HclItem>& items) {
    Policy policy;
    for (const HclItem& item : items) {
      if (item.key == "name") continue;  // Vault ignores a name in the body
      if (item.key != "path") {
        return Fail(item.offset, "unknown key " + formats::DoubleQuoted(item.key) +
                                     " (a policy has path blocks)");
      }
      if (item.value.kind != HclValue::Kind::kObject) {
        return Fail(item.value.offset, "a path needs a { } block");
      }
      if (item.labels.size() == 1) {
        TRESOR_RETURN_IF_ERROR(Rule(item.labels[0], item.offset, item.value, policy));
      } else if (item.labels.empty()) {  // JSON: "path": {"P": {...}, ...}
        for (const HclItem& inner : item.value.body) {
          if (!inner.labels.empty() || inner.value.kind != HclValue::Kind::kObject) {
            return Fail(inner.offset, "expected \"PATTERN\": { ... }");
          }
          TRESOR_RETURN_IF_ERROR(Rule(inner.key, inner.offset, inner.value, policy));
        }
      } else {
        return Fail(item.offset, "a path block takes one pattern");
      }
    }
    return policy;
  }

 private:
  Error Fail(size_t at, const std::string& what) const {
    return formats::SyntaxError(text_, at, what);
  }

  Result<void> Rule(const std::string& raw, size_t at, const HclValue& block, Policy& policy) {
    PathRule rule;
    std::string_view pattern = raw;
    if (pattern.starts_with('/')) pattern.remove_prefix(1);
    const std::string where = "path " + formats::DoubleQuoted(raw) + ": ";
    if (pattern.find("+*") != std::string_view::npos) {
      return Fail(at, where + "'+' and '*' cannot be combined");
    }
    rule.glob = pattern.ends_with('*');
    if (rule.glob) pattern.remove_suffix(1);
    if (pattern.find('*') != std::string_view::npos) {
      return Fail(at, where + "'*' is only allowed at the end");
    }
    rule.pattern = std::string(pattern);
    rule.capabilities = 0;
    bool has_capabilities = false;
    for (const HclItem& item : block.body) {
      if (item.key == "capabilities") {
        if (item.value.kind != HclValue::Kind::kList) {
          return Fail(item.value.offset, where + "capabilities must be a list");
        }
        has_capabilities = true;
        for (const HclValue& name : item.value.items) {
          const uint32_t bit =
              name.kind == HclValue::Kind::kString ? CapabilityByName(name.text) : 0;
          if (bit == 0) {
            return Fail(name.offset,
                        where + "unknown capability " + formats::DoubleQuoted(name.text) +
                            " (create, read, update, patch, delete, list, sudo, deny)");
          }
          rule.capabilities |= bit;
        }
      } else if (item.key == "policy") {
        const uint32_t level =
            item.value.kind == HclValue::Kind::kString ? LegacyLevel(item.value.text) : 0;
        if (level == 0) {
          return Fail(item.value.offset, where + "policy must be deny, read, write or sudo");
        }
        has_capabilities = true;
        rule.capabilities |= level;
      } else if (item.key == "allowed_parameters" || item.key == "denied_parameters") {
        auto& into =
            item.key == "allowed_parameters" ? rule.parameters.allowed : rule.parameters.denied;
        TRESOR_RETURN_IF_ERROR(ParameterValues(item, where, into));
      } else if (item.key == "required_parameters") {
        TRESOR_ASSIGN_OR_RETURN(rule.parameters.required, Scalars(item.value, where + item.key));
        for (std::string& name : rule.parameters.required) name = formats::AsciiLower(name);
      } else if (item.key != "min_wrapping_ttl" && item.key != "max_wrapping_ttl") {
        return Fail(item.offset, where + "unknown key " + formats::DoubleQuoted(item.key));
      }
    }
    if (!has_capabilities) return Fail(at, where + "no capabilities");
    if ((rule.capabilities & kDeny) != 0) rule.capabilities = kDeny;  // deny wins
    policy.rules.push_back(std::move(rule));
    return {};
  }

  // `{ "name" = [values], ... }` into `into` (names lowercased).
  Result<void> ParameterValues(const HclItem& item, const std::string& where,
                               std::map<std::string, std::vector<std::string>>& into) const {
    if (item.value.kind != HclValue::Kind::kObject) {
      return Fail(item.value.offset, where + item.key + " must be a { name = [values] } block");
    }
    for (const HclItem& entry : item.value.body) {
      TRESOR_ASSIGN_OR_RETURN(
          std::vector<std::string> values,
          Scalars(entry.value, where + item.key + " " + formats::DoubleQuoted(entry.key)));
      std::vector<std::string>& list = into[formats::AsciiLower(entry.key)];
      list.insert(list.end(), values.begin(), values.end());
    }
    return {};
  }

  // A list of strings, numbers or booleans, as their text.
  Result<std::vector<std::string>> Scalars(const HclValue& value, const std::string& what) const {
    if (value.kind != HclValue::Kind::kList) return Fail(value.offset, what + " must be a list");
    std::vector<std::string> out;
    for (const HclValue& v : value.items) {
      if (v.kind == HclValue::Kind::kList || v.kind == HclValue::Kind::kObject) {
        return Fail(v.offset, what + ": values must be strings, numbers or booleans");
      }
      out.push_back(v.text);
    }
    return out;
  }

  std::string_view text_;
};

}  // namespace

uint32_t CapabilityByName(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return 1u << i;
  }
  return 0;
}

std::vector<std::string> CapabilityNames(uint32_t capabilities) {
  std::vector<std::string> out;
  for (size_t i = 0; i < kNames.size(); ++i) {
    if ((capabilities & (1u << i)) != 0) out.emplace_back(kNames[i]);
  }
  return out;
}

Result<Policy> ParsePolicy(std::string_view text) {
  TRESOR_ASSIGN_OR_RETURN(auto items, ParseHcl(text));
  return Interpreter(text).Run(items);
}

}  // namespace tresor::acl
