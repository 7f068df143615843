#include "acl/acl.h"

#include <algorithm>
#include <map>
#include <utility>

namespace tresor::acl {
namespace {

bool IsSegmentWildcard(std::string_view pattern, size_t i) {
  return pattern[i] == '+' && (i == 0 || pattern[i - 1] == '/') &&
         (i + 1 == pattern.size() || pattern[i + 1] == '/');
}

bool HasSegmentWildcard(std::string_view pattern) {
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (IsSegmentWildcard(pattern, i)) return true;
  }
  return false;
}

size_t FirstWildcard(const PathRule& r) {
  for (size_t i = 0; i < r.pattern.size(); ++i) {
    if (IsSegmentWildcard(r.pattern, i)) return i;
  }
  return r.glob ? r.pattern.size() : std::string::npos;
}

size_t SegmentWildcards(const PathRule& r) {
  size_t n = 0;
  for (size_t i = 0; i < r.pattern.size(); ++i) n += IsSegmentWildcard(r.pattern, i) ? 1 : 0;
  return n;
}

// Vault's merge of one rule's value lists into another's: lists add up and
// an empty list (any value) wins.
void MergeValues(std::map<std::string, std::vector<std::string>>& into,
                 const std::map<std::string, std::vector<std::string>>& from) {
  for (const auto& [name, values] : from) {
    auto [it, added] = into.try_emplace(name, values);
    if (added) continue;
    if (values.empty() || it->second.empty()) {
      it->second.clear();
    } else {
      it->second.insert(it->second.end(), values.begin(), values.end());
    }
  }
}

bool ValueMatches(std::string_view pattern, std::string_view value) {
  if (pattern.size() >= 2 && pattern.starts_with('*') && pattern.ends_with('*')) {
    return value.find(pattern.substr(1, pattern.size() - 2)) != std::string_view::npos;
  }
  if (pattern.starts_with('*')) return value.ends_with(pattern.substr(1));
  if (pattern.ends_with('*')) return value.starts_with(pattern.substr(0, pattern.size() - 1));
  return pattern == value;
}

bool AnyMatches(const std::vector<std::string>& patterns, std::string_view value) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& p) { return ValueMatches(p, value); });
}

// The list for `name`, else for "*", else null.
const std::vector<std::string>* ListFor(
    const std::map<std::string, std::vector<std::string>>& lists, const std::string& name) {
  auto it = lists.find(name);
  if (it == lists.end()) it = lists.find("*");
  return it == lists.end() ? nullptr : &it->second;
}

}  // namespace

bool ParametersAllowed(const ParameterRules& rules, const Parameters& given) {
  for (const std::string& name : rules.required) {
    if (std::none_of(given.begin(), given.end(), [&](const auto& p) { return p.first == name; })) {
      return false;
    }
  }
  for (const auto& [name, values] : given) {
    if (const auto* denied = ListFor(rules.denied, name)) {
      if (denied->empty()) return false;
      for (const std::string& v : values) {
        if (AnyMatches(*denied, v)) return false;
      }
    }
    if (rules.allowed.empty()) continue;
    const auto* allowed = ListFor(rules.allowed, name);
    if (allowed == nullptr) return false;
    if (allowed->empty()) continue;
    for (const std::string& v : values) {
      if (!AnyMatches(*allowed, v)) return false;
    }
  }
  return true;
}

bool PatternMatches(const PathRule& rule, std::string_view path) {
  std::string_view pattern = rule.pattern;
  while (true) {
    const size_t pslash = pattern.find('/');
    const std::string_view segment = pattern.substr(0, pslash);
    const bool last = pslash == std::string_view::npos;
    if (last && rule.glob) return path.starts_with(segment) && segment != "+";
    const size_t slash = path.find('/');
    const std::string_view actual = path.substr(0, slash);
    const bool wildcard = segment == "+";
    if (wildcard ? actual.empty() : actual != segment) return false;
    if (last) return slash == std::string_view::npos;
    if (slash == std::string_view::npos) return false;
    pattern.remove_prefix(pslash + 1);
    path.remove_prefix(slash + 1);
  }
}

bool LowerPriority(const PathRule& a, const PathRule& b) {
  const size_t fa = FirstWildcard(a);
  const size_t fb = FirstWildcard(b);
  if (fa != fb) return fa < fb;
  if (a.glob != b.glob) return a.glob;
  const size_t sa = SegmentWildcards(a);
  const size_t sb = SegmentWildcards(b);
  if (sa != sb) return sa > sb;
  const size_t la = a.pattern.size() + (a.glob ? 1 : 0);
  const size_t lb = b.pattern.size() + (b.glob ? 1 : 0);
  if (la != lb) return la < lb;
  return a.pattern < b.pattern;
}

Acl Acl::FromPolicies(std::span<const Policy> policies) {
  Acl acl;
  std::map<std::pair<std::string, bool>, PathRule> merged;
  for (const Policy& policy : policies) {
    for (const PathRule& rule : policy.rules) {
      auto [it, added] = merged.try_emplace({rule.pattern, rule.glob}, rule);
      if (added) continue;
      PathRule& into = it->second;
      into.capabilities |= rule.capabilities;
      MergeValues(into.parameters.allowed, rule.parameters.allowed);
      MergeValues(into.parameters.denied, rule.parameters.denied);
      into.parameters.required.insert(into.parameters.required.end(),
                                      rule.parameters.required.begin(),
                                      rule.parameters.required.end());
    }
  }
  for (auto& [key, rule] : merged) {
    if ((rule.capabilities & kDeny) != 0) rule.capabilities = kDeny;
    if (!rule.glob && !HasSegmentWildcard(rule.pattern)) {
      acl.exact_.emplace(rule.pattern, std::move(rule));
    } else {
      acl.wildcard_.push_back(std::move(rule));
    }
  }
  std::sort(acl.wildcard_.begin(), acl.wildcard_.end(),
            [](const PathRule& a, const PathRule& b) { return LowerPriority(b, a); });
  return acl;
}

Acl Acl::Root() {
  Acl acl;
  acl.root_ = true;
  return acl;
}

const PathRule* Acl::Decide(std::string_view path) const {
  if (auto it = exact_.find(std::string(path)); it != exact_.end()) return &it->second;
  for (const PathRule& rule : wildcard_) {
    if (PatternMatches(rule, path)) return &rule;
  }
  return nullptr;
}

uint32_t Acl::Capabilities(std::string_view path) const {
  if (root_) return kCreate | kRead | kUpdate | kPatch | kDelete | kList | kSudo;
  const PathRule* rule = Decide(path);
  const uint32_t caps = rule == nullptr ? 0 : rule->capabilities;
  return (caps & kDeny) != 0 ? 0 : caps;
}

bool Acl::Grants(std::string_view path, Capability capability, const ParameterRules** rules) const {
  const PathRule* rule = Decide(path);
  if (rule == nullptr || (rule->capabilities & kDeny) != 0 ||
      (rule->capabilities & capability) == 0) {
    return false;
  }
  constexpr uint32_t kChecked = kRead | kCreate | kUpdate | kPatch;
  if ((capability & kChecked) != 0 && !rule->parameters.empty()) *rules = &rule->parameters;
  return true;
}

bool Acl::GrantsSomethingUnder(std::string_view prefix) const {
  if (root_) return true;
  const auto grants = [](const PathRule& rule) {
    return (rule.capabilities & ~static_cast<uint32_t>(kDeny)) != 0 &&
           (rule.capabilities & kDeny) == 0;
  };
  for (const auto& [path, rule] : exact_) {
    if (path.starts_with(prefix) && grants(rule)) return true;
  }
  for (const PathRule& rule : wildcard_) {
    // The pattern's literal start, up to its first '+'.
    const std::string_view literal =
        std::string_view(rule.pattern).substr(0, rule.pattern.find('+'));
    if ((literal.starts_with(prefix) || prefix.starts_with(literal)) && grants(rule)) return true;
  }
  return false;
}

}  // namespace tresor::acl
