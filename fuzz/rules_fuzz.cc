// libFuzzer target for .tresor.toml: the rules parser, and the file globs
// and value path patterns it yields, matched against fixed paths. (Key
// patterns go to the C library's regcomp, which is not ours to fuzz.)
#include <cstddef>
#include <cstdint>
#include <string>

#include "cli/rules.h"
#include "sealed/policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto rules = tresor::cli::ParseRules(text);
  if (!rules) return 0;
  for (const auto& rule : *rules) {
    tresor::cli::FileGlobMatches(rule.path, "etc/cinder/cinder.conf");
    tresor::cli::FileGlobMatches(rule.path, ".env");
    for (const auto& group : rule.groups) {
      for (const auto& pattern : group.paths) {
        tresor::sealed::PathUnder("backend_b.users[0].\"a.b\"", pattern);
      }
    }
    for (const auto& pattern : rule.only) tresor::sealed::PathUnder("secrets.token", pattern);
  }
  return 0;
}
