// libFuzzer target for ACL policies: the HCL (and JSON) parser, then the
// merged rules queried at fixed paths. Parsed patterns must hold no '*'
// (it was taken off as the glob flag), a denied path must grant nothing, and
// parameter constraints may only take a capability away, never add one.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "acl/acl.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto policy = tresor::acl::ParsePolicy(text);
  if (!policy) return 0;
  for (const auto& rule : policy->rules) {
    if (rule.pattern.find('*') != std::string::npos) std::abort();
    if ((rule.capabilities & tresor::acl::kDeny) != 0 && rule.capabilities != tresor::acl::kDeny) {
      std::abort();
    }
  }
  const tresor::acl::Policy policies[] = {*policy};
  const auto acl = tresor::acl::Acl::FromPolicies(policies);
  for (const char* path : {"secret/data/app/config", "sys/mounts", "auth/token/lookup-self",
                           "secret/", "", "a/b/c/d/e/f", "auth/token/create"}) {
    const uint32_t granted = acl.Capabilities(path);
    if ((granted & tresor::acl::kDeny) != 0) std::abort();
    const tresor::acl::Parameters parameters = {
        {"policies", {"app-x", "default"}}, {"type", {"kv"}}, {"ttl", {"1h"}}};
    for (const auto capability : {tresor::acl::kRead, tresor::acl::kUpdate, tresor::acl::kList}) {
      if (acl.Allows(path, capability, parameters) && (granted & capability) == 0) std::abort();
      if (acl.Allows(path, capability) && (granted & capability) == 0) std::abort();
    }
  }
  return 0;
}
