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

TEST(AclTest, TheDefaultPolicyOnlyLetsATokenManageItselfAndItsCubbyhole) {
  const Acl acl = Build({kDefaultPolicy});
  EXPECT_EQ(Caps(acl, "cubbyhole/x"), Caps(Build({"path \"c\" { capabilities = [\"create\", "
                                                  "\"read\", \"update\", \"delete\", \"list\"] }"}),
                                           "c"));
  EXPECT_EQ(Caps(acl, "auth/token/lookup-self"), "read");
  EXPECT_EQ(Caps(acl, "auth/token/renew-self"), "update");
  EXPECT_EQ(Caps(acl, "auth/token/revoke-self"), "update");
  for (const char* path :
       {"auth/token/create", "auth/token/lookup", "secret/data/x", "sys/policies/acl/default",
        "sys/mounts", "auth/token/revoke", "auth/token/lookup-self/x", "sys/seal"}) {
    EXPECT_EQ(Caps(acl, path), "-") << path;
  }
}

// ParametersAllowed on one rule: a table of constraints, requests and
// outcomes.
TEST(AclTest, ParameterConstraints) {
  auto rules = [](std::string_view body) {
    auto p = ParsePolicy("path \"p\" { capabilities = [\"update\"]\n" + std::string(body) + "\n}");
    EXPECT_TRUE(p) << p.error().message;
    return p->rules.at(0).parameters;
  };
  struct Case {
    std::string constraints;
    Parameters request;
    bool allowed;
  };
  const std::vector<Case> cases = {
      // Required names must all be there.
      {R"(required_parameters = ["a", "b"])", {{"a", {"1"}}, {"b", {"2"}}}, true},
      {R"(required_parameters = ["a", "b"])", {{"a", {"1"}}}, false},
      {R"(required_parameters = ["a"])", {}, false},
      // Allowed names: only those, with any value when the list is empty.
      {R"(allowed_parameters = { a = [] })", {{"a", {"anything"}}}, true},
      {R"(allowed_parameters = { a = [] })", {{"a", {"x"}}, {"b", {"y"}}}, false},
      {R"(allowed_parameters = { a = [] })", {}, true},
      {R"(allowed_parameters = { a = ["x", "y"] })", {{"a", {"y"}}}, true},
      {R"(allowed_parameters = { a = ["x", "y"] })", {{"a", {"z"}}}, false},
      // A list is allowed when each element is.
      {R"(allowed_parameters = { a = ["x", "y"] })", {{"a", {"x", "y"}}}, true},
      {R"(allowed_parameters = { a = ["x", "y"] })", {{"a", {"x", "z"}}}, false},
      // "*" stands for the names not listed; listed ones keep their values.
      {R"(allowed_parameters = { "*" = [], a = ["x"] })", {{"b", {"any"}}, {"a", {"x"}}}, true},
      {R"(allowed_parameters = { "*" = [], a = ["x"] })", {{"a", {"y"}}}, false},
      // Prefix and suffix globs in values.
      {R"(allowed_parameters = { a = ["ci-*"] })", {{"a", {"ci-build"}}}, true},
      {R"(allowed_parameters = { a = ["ci-*"] })", {{"a", {"prod"}}}, false},
      {R"(allowed_parameters = { a = ["*-ro"] })", {{"a", {"app-ro"}}}, true},
      {R"(allowed_parameters = { a = ["*-ro"] })", {{"a", {"app-rw"}}}, false},
      // Denied: any value with an empty list, else the listed values.
      {R"(denied_parameters = { a = [] })", {{"a", {"x"}}}, false},
      {R"(denied_parameters = { a = [] })", {{"b", {"x"}}}, true},
      {R"(denied_parameters = { a = ["x"] })", {{"a", {"y"}}}, true},
      {R"(denied_parameters = { a = ["x"] })", {{"a", {"y", "x"}}}, false},
      {R"(denied_parameters = { "*" = [] })", {{"a", {"x"}}}, false},
      {R"(denied_parameters = { "*" = [] })", {}, true},
      // Numbers and booleans compare as written.
      {R"(denied_parameters = { n = [0, true] })", {{"n", {"true"}}}, false},
      {R"(denied_parameters = { n = [0, true] })", {{"n", {"1"}}}, true},
      // Denied wins over allowed.
      {R"(allowed_parameters = { a = [] }
          denied_parameters = { a = ["x"] })",
       {{"a", {"x"}}},
       false},
  };
  for (const Case& c : cases) {
    std::string request;
    for (const auto& [name, values] : c.request) {
      request += " " + name + "=";
      for (const std::string& v : values) request += v + ",";
    }
    EXPECT_EQ(ParametersAllowed(rules(c.constraints), c.request), c.allowed)
        << c.constraints << " |" << request;
  }
}

TEST(AclTest, ConstraintsApplyToWritesAndReadsOfTheDecidingRule) {
  const Acl acl = Build({R"(path "kv/*" { capabilities = ["create", "read", "update", "delete",
                                                          "list"]
                                          denied_parameters = { "owner" = [] } })",
                         R"(path "kv/free/*" { capabilities = ["update"] })"});
  const Parameters owner = {{"owner", {"x"}}};
  EXPECT_FALSE(acl.Allows("kv/a", kUpdate, owner));
  EXPECT_FALSE(acl.Allows("kv/a", kCreate, owner));
  EXPECT_FALSE(acl.Allows("kv/a", kRead, owner));
  EXPECT_TRUE(acl.Allows("kv/a", kUpdate, {{"other", {"x"}}}));
  // Delete and list are not checked; another rule that decides has its own.
  EXPECT_TRUE(acl.Allows("kv/a", kDelete, owner));
  EXPECT_TRUE(acl.Allows("kv/a", kList, owner));
  EXPECT_TRUE(acl.Allows("kv/free/a", kUpdate, owner));
  EXPECT_TRUE(Acl::Root().Allows("kv/a", kUpdate, owner));
}

TEST(AclTest, ConstraintsOfTheSamePatternMergeAsVaultMergesThem) {
  const Acl acl = Build({R"(path "t" { capabilities = ["update"]
                                       allowed_parameters = { p = ["a"], q = ["x"] }
                                       required_parameters = ["p"] })",
                         R"(path "t" { capabilities = ["update"]
                                       allowed_parameters = { p = ["b"], q = [] }
                                       required_parameters = ["q"] })"});
  // p: a or b; q: any (an empty list wins); both required.
  EXPECT_TRUE(acl.Allows("t", kUpdate, {{"p", {"b"}}, {"q", {"z"}}}));
  EXPECT_TRUE(acl.Allows("t", kUpdate, {{"p", {"a"}}, {"q", {"x"}}}));
  EXPECT_FALSE(acl.Allows("t", kUpdate, {{"p", {"c"}}, {"q", {"x"}}}));
  EXPECT_FALSE(acl.Allows("t", kUpdate, {{"p", {"a"}}}));
  EXPECT_FALSE(acl.Allows("t", kUpdate, {{"q", {"x"}}}));
}

TEST(AclTest, RootAllowsEverything) {
  EXPECT_EQ(Caps(Acl::Root(), "sys/seal"), "create read update patch delete list sudo");
}

}  // namespace
}  // namespace tresor::acl

namespace tresor::acl {
namespace {

TEST(AclTest, WhatAMountHoldsForATokenDecidesWhetherItIsShown) {
  const Acl acl =
      Build({"path \"secret/data/team/*\" { capabilities = [\"read\"] }\n"
             "path \"kv2/+/x\" { capabilities = [\"list\"] }\n"
             "path \"exact/path\" { capabilities = [\"update\"] }\n"
             "path \"denied/*\" { capabilities = [\"deny\"] }\n"
             "path \"s*\" { capabilities = [\"deny\"] }\n"});
  for (const char* shown : {"secret/", "kv2/", "exact/"}) {
    EXPECT_TRUE(acl.GrantsSomethingUnder(shown)) << shown;
  }
  for (const char* hidden : {"denied/", "other/", "sys/", "ex/"}) {
    EXPECT_FALSE(acl.GrantsSomethingUnder(hidden)) << hidden;
  }
  EXPECT_TRUE(Acl::Root().GrantsSomethingUnder("anything/"));
}

}  // namespace
}  // namespace tresor::acl
