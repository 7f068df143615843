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

}  // namespace

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
  std::map<std::pair<std::string, bool>, uint32_t> merged;
  for (const Policy& policy : policies) {
    for (const PathRule& rule : policy.rules) {
      merged[{rule.pattern, rule.glob}] |= rule.capabilities;
    }
  }
  for (auto& [key, capabilities] : merged) {
    const uint32_t caps = (capabilities & kDeny) != 0 ? kDeny : capabilities;
    if (!key.second && !HasSegmentWildcard(key.first)) {
      acl.exact_[key.first] = caps;
    } else {
      acl.wildcard_.push_back({key.first, key.second, caps});
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

uint32_t Acl::Capabilities(std::string_view path) const {
  if (root_) return kCreate | kRead | kUpdate | kPatch | kDelete | kList | kSudo;
  uint32_t caps = 0;
  if (auto it = exact_.find(std::string(path)); it != exact_.end()) {
    caps = it->second;
  } else {
    for (const PathRule& rule : wildcard_) {
      if (PatternMatches(rule, path)) {
        caps = rule.capabilities;
        break;
      }
    }
  }
  return (caps & kDeny) != 0 ? 0 : caps;
}

}  // namespace tresor::acl
