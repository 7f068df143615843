// A token's access rules: the rules of its policies merged, answering what
// may be done at a request path. As Vault does it:
// - rules for the same pattern in several policies add up, and deny among
//   them wins;
// - an exact pattern beats every pattern with '*' or '+';
// - among wildcard patterns that match, the one of highest priority alone
//   decides (see LowerPriority);
// - no matching rule means nothing is allowed.
// Immutable once built; thread-safe to query.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "acl/policy.h"

namespace tresor::acl {

// True if `rule` matches `path` (no leading '/').
bool PatternMatches(const PathRule& rule, std::string_view path);

// Vault's order between two wildcard patterns, from lowest to highest
// priority: a pattern is lower if its first '+' or '*' comes earlier; if it
// ends in '*' and the other does not; if it has more '+' segments; if it is
// shorter; if it sorts first.
bool LowerPriority(const PathRule& a, const PathRule& b);

class Acl {
 public:
  static Acl FromPolicies(std::span<const Policy> policies);
  // The root policy: everything, everywhere.
  static Acl Root();

  // The capability bits granted at `path`; 0 if none is (kDeny is never
  // returned: denied is none).
  uint32_t Capabilities(std::string_view path) const;
  bool Allows(std::string_view path, Capability capability) const {
    return (Capabilities(path) & capability) != 0;
  }

 private:
  bool root_ = false;
  std::unordered_map<std::string, uint32_t> exact_;
  std::vector<PathRule> wildcard_;  // highest priority first
};

}  // namespace tresor::acl
