// ACL policies as Vault writes them, in HCL or JSON:
//
//   path "secret/data/app/*" {
//     capabilities = ["read", "list"]
//   }
//
// A path pattern is exact, or ends in '*' (a prefix: "secret/a*" matches
// "secret/abc/d"), and any segment may be '+' (exactly one segment). '*'
// anywhere but the end, and "+*", are errors; '+' inside a segment is a
// literal character. The legacy `policy = "read"` form (deny, read, write,
// sudo) is accepted. allowed_parameters, denied_parameters and
// required_parameters are kept (see ParameterRules); the wrapping TTLs are
// accepted and ignored (tresor does not wrap responses); any other key is
// an error.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/result.h"

namespace tresor::acl {

enum Capability : uint32_t {
  kCreate = 1u << 0,
  kRead = 1u << 1,
  kUpdate = 1u << 2,
  kPatch = 1u << 3,
  kDelete = 1u << 4,
  kList = 1u << 5,
  kSudo = 1u << 6,
  kDeny = 1u << 7,
};

// The capability called `name` ("read"), or 0.
uint32_t CapabilityByName(std::string_view name);
// "create", "read", ... for the bits of `capabilities`, in that order.
std::vector<std::string> CapabilityNames(uint32_t capabilities);

// Which request parameters a rule lets through, as Vault's policies say
// it. Names are lowercase; a value list that is empty means any value; a
// value may start or end with '*' (a suffix or prefix match). "*" as a name
// stands for every parameter not named otherwise.
struct ParameterRules {
  std::map<std::string, std::vector<std::string>> allowed;  // none: all allowed
  std::map<std::string, std::vector<std::string>> denied;
  std::vector<std::string> required;
  bool empty() const { return allowed.empty() && denied.empty() && required.empty(); }
};

struct PathRule {
  std::string pattern;    // without the trailing '*'
  bool glob = false;      // the pattern ended in '*'
  uint32_t capabilities;  // Capability bits
  ParameterRules parameters;
};

struct Policy {
  std::vector<PathRule> rules;
};

// The policy every token gets unless told otherwise ("default"): it can look
// itself up, renew and revoke itself, ask what it may do, and nothing else.
inline constexpr std::string_view kDefaultPolicy =
    R"(# Tokens may look up, renew and revoke themselves.
path "auth/token/lookup-self" {
  capabilities = ["read"]
}
path "auth/token/renew-self" {
  capabilities = ["update"]
}
path "auth/token/revoke-self" {
  capabilities = ["update"]
}
path "sys/capabilities-self" {
  capabilities = ["update"]
}
# Each token's own cubbyhole, which no other token can reach.
path "cubbyhole/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}
)";

// Parses HCL (or JSON: text whose first non-blank byte is '{'). Errors are
// kSyntax "LINE:COL: what", naming the pattern for a rule's errors
// ("3:5: path \"secret/*\": unknown capability \"raed\" ...").
Result<Policy> ParsePolicy(std::string_view text);

}  // namespace tresor::acl
