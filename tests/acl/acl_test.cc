// Matching request paths against policies: globs, '+' segments, Vault's
// priority between patterns, deny, and deny by default.
#include "acl/acl.h"

#include <gtest/gtest.h>

namespace tresor::acl {
namespace {

PathRule Rule(std::string text) {
  PathRule r;
  r.glob = !text.empty() && text.back() == '*';
  if (r.glob) text.pop_back();
  r.pattern = text;
  r.capabilities = kRead;
  return r;
}

Acl Build(std::initializer_list<std::string_view> policies) {
  std::vector<Policy> parsed;
  for (std::string_view text : policies) {
    auto p = ParsePolicy(text);
    EXPECT_TRUE(p) << p.error().message;
    parsed.push_back(*p);
  }
  return Acl::FromPolicies(parsed);
}

std::string Caps(const Acl& acl, std::string_view path) {
  std::string out;
  for (const std::string& c : CapabilityNames(acl.Capabilities(path))) {
    out += (out.empty() ? "" : " ") + c;
  }
  return out.empty() ? "-" : out;
}

TEST(AclTest, PatternMatching) {
  struct Case {
    const char* pattern;
    const char* path;
    bool matches;
  } cases[] = {
      {"secret/app", "secret/app", true},
      {"secret/app", "secret/app/", false},
      {"secret/app", "secret/apps", false},
      {"secret/app/*", "secret/app/x", true},
      {"secret/app/*", "secret/app/x/y/z", true},
      {"secret/app/*", "secret/app/", true},
      {"secret/app/*", "secret/app", false},
      {"secret/a*", "secret/abc/def", true},
      {"secret/a*", "secret/b", false},
      {"*", "anything/at/all", true},
      {"secret/+/config", "secret/dev/config", true},
      {"secret/+/config", "secret/dev/prod/config", false},
      {"secret/+/config", "secret//config", false},
      {"secret/+/config", "secret/dev/config/x", false},
      {"+/data/*", "kv/data/a/b", true},
      {"+/data/*", "kv/metadata/a", false},
      {"secret/+", "secret/x", true},
      {"secret/+", "secret/x/y", false},
      {"secret/+/*", "secret/x/y/z", true},
      {"secret/+/*", "secret/x", false},
      {"secret/a+c", "secret/a+c", true},  // '+' inside a segment is literal
      {"secret/a+c", "secret/abc", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(PatternMatches(Rule(c.pattern), c.path), c.matches) << c.pattern << " vs " << c.path;
  }
}

TEST(AclTest, PriorityBetweenPatterns) {
  // Each pair: the first is lower priority than the second.
  const char* pairs[][2] = {
      {"secret/*", "secret/a/*"},        // first wildcard earlier
      {"+/a/b", "secret/+/b"},           // '+' earlier
      {"secret/a*", "secret/a+b"},       // literal '+' is no wildcard: glob loses
      {"secret/+/b*", "secret/+/bc"},    // ends in '*' vs not
      {"secret/+/+/c", "secret/+/b/+"},  // more '+' segments (first '+' at the same place)
      {"secret/+/b", "secret/+/bc"},     // shorter
      {"secret/+/ab", "secret/+/ac"},    // lexicographically smaller
  };
  for (const auto& [low, high] : pairs) {
    EXPECT_TRUE(LowerPriority(Rule(low), Rule(high))) << low << " < " << high;
    EXPECT_FALSE(LowerPriority(Rule(high), Rule(low))) << high << " > " << low;
  }
}

TEST(AclTest, TheHighestPriorityMatchAloneDecides) {
  const Acl acl = Build({R"(
path "secret/*" { capabilities = ["read", "list"] }
path "secret/team/*" { capabilities = ["create", "update"] }
path "secret/team/+/private" { capabilities = ["deny"] }
path "secret/team/lead/private" { capabilities = ["read"] }
)"});
  EXPECT_EQ(Caps(acl, "secret/other"), "read list");
  EXPECT_EQ(Caps(acl, "secret/team/x"), "create update");    // not read: the longer glob wins
  EXPECT_EQ(Caps(acl, "secret/team/dev/private"), "-");      // deny
  EXPECT_EQ(Caps(acl, "secret/team/lead/private"), "read");  // exact beats the denying glob
  EXPECT_EQ(Caps(acl, "kv/anything"), "-");                  // no rule: nothing
  EXPECT_EQ(Caps(acl, "secret"), "-");
}

TEST(AclTest, SamePatternInSeveralPoliciesAddsUpAndDenyWins) {
  const Acl merged = Build({R"(path "kv/a" { capabilities = ["read"] })",
                            R"(path "kv/a" { capabilities = ["update"] })"});
  EXPECT_EQ(Caps(merged, "kv/a"), "read update");
  const Acl denied = Build({R"(path "kv/*" { capabilities = ["read", "update"] })",
                            R"(path "kv/*" { capabilities = ["deny"] })"});
  EXPECT_EQ(Caps(denied, "kv/a"), "-");
  EXPECT_FALSE(denied.Allows("kv/a", kRead));
}

TEST(AclTest, TheDefaultPolicyOnlyLetsATokenManageItself) {
  const Acl acl = Build({kDefaultPolicy});
  EXPECT_EQ(Caps(acl, "auth/token/lookup-self"), "read");
  EXPECT_EQ(Caps(acl, "auth/token/renew-self"), "update");
  EXPECT_EQ(Caps(acl, "auth/token/revoke-self"), "update");
  for (const char* path :
       {"auth/token/create", "auth/token/lookup", "secret/data/x", "sys/policies/acl/default",
        "sys/mounts", "auth/token/revoke", "auth/token/lookup-self/x", "sys/seal"}) {
    EXPECT_EQ(Caps(acl, path), "-") << path;
  }
}

TEST(AclTest, RootAllowsEverything) {
  EXPECT_EQ(Caps(Acl::Root(), "sys/seal"), "create read update patch delete list sudo");
}

}  // namespace
}  // namespace tresor::acl
