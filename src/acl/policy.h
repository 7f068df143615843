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
// sudo) is accepted. Parameter constraints and wrapping TTLs are parsed and
// not enforced (see docs/api.md when the server lands); any other key is an
// error.
#pragma once

#include <cstdint>
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

struct PathRule {
  std::string pattern;    // without the trailing '*'
  bool glob = false;      // the pattern ended in '*'
  uint32_t capabilities;  // Capability bits
};

struct Policy {
  std::vector<PathRule> rules;
};

// The policy every token gets unless told otherwise ("default"): it can look
// itself up, renew and revoke itself, and nothing else.
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
)";

// Parses HCL (or JSON: text whose first non-blank byte is '{'). Errors are
// kSyntax "LINE:COL: what", naming the pattern for a rule's errors
// ("3:5: path \"secret/*\": unknown capability \"raed\" ...").
Result<Policy> ParsePolicy(std::string_view text);

}  // namespace tresor::acl
