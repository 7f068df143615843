// A token's access rules: the rules of its policies merged, answering what
// may be done at a request path. As Vault does it:
// - rules for the same pattern in several policies add up, and deny among
//   them wins;
// - an exact pattern beats every pattern with '*' or '+';
// - among wildcard patterns that match, the one of highest priority alone
//   decides (see LowerPriority);
// - no matching rule means nothing is allowed;
// - the deciding rule's parameter constraints (merged as Vault merges them:
//   value lists add up, an empty list wins, required names add up) apply
//   to reads, creates, updates and patches.
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

// A request's parameters: each name (lowercase) with its values as text
// (a string's content, other JSON as written; a list gives one per element).
using Parameters = std::vector<std::pair<std::string, std::vector<std::string>>>;

// True if `given` passes `rules`: every required name is present; no
// parameter is denied (its name, else "*", lists no values or one of its
// values); and, when names are allowed, each parameter's name (else "*") is
// allowed with every one of its values.
bool ParametersAllowed(const ParameterRules& rules, const Parameters& given);

class Acl {
 public:
  static Acl FromPolicies(std::span<const Policy> policies);
  // The root policy: everything, everywhere.
  static Acl Root();

  // The capability bits granted at `path`; 0 if none is (kDeny is never
  // returned: denied is none).
  uint32_t Capabilities(std::string_view path) const;
  // True if some rule grants something (other than deny) at a path that
  // starts with `prefix` ("secret/"): whether a mount is worth showing to
  // the token (Vault's sys/internal/ui/mounts). An approximation that may
  // say yes for a path a higher-priority deny covers.
  bool GrantsSomethingUnder(std::string_view prefix) const;
  // True if `capability` is granted at `path` and, for read, create,
  // update and patch, the request's parameters pass the rule's constraints.
  bool Allows(std::string_view path, Capability capability,
              const Parameters& parameters = {}) const {
    return AllowsRequest(path, capability, [&]() -> const Parameters& { return parameters; });
  }
  // The same, with the parameters from `parameters()`, called only when the
  // deciding rule constrains them (most rules do not, and the server need
  // not copy a request's values then).
  template <typename GetParameters>
  bool AllowsRequest(std::string_view path, Capability capability,
                     const GetParameters& parameters) const {
    if (root_) return true;
    const ParameterRules* rules = nullptr;
    if (!Grants(path, capability, &rules)) return false;
    return rules == nullptr || ParametersAllowed(*rules, parameters());
  }

 private:
  // The rule that decides `path`, or null.
  const PathRule* Decide(std::string_view path) const;
  // True if a rule grants `capability` at `path` (root aside); `*rules`
  // becomes its parameter constraints if they apply to `capability`.
  bool Grants(std::string_view path, Capability capability, const ParameterRules** rules) const;

  bool root_ = false;
  std::unordered_map<std::string, PathRule> exact_;
  std::vector<PathRule> wildcard_;  // highest priority first
};

}  // namespace tresor::acl
