// Parsing Vault policies: HCL and JSON, the legacy form, and exact errors.
#include "acl/policy.h"

#include <gtest/gtest.h>

namespace tresor::acl {
namespace {

std::string Describe(const Policy& p) {
  std::string out;
  for (const PathRule& r : p.rules) {
    out += r.pattern + (r.glob ? "*" : "") + " =";
    for (const std::string& c : CapabilityNames(r.capabilities)) out += " " + c;
    out += "\n";
  }
  return out;
}

std::string ErrorOf(std::string_view text) {
  auto p = ParsePolicy(text);
  if (p) return "parsed";
  EXPECT_EQ(p.error().code, ErrorCode::kSyntax);
  return p.error().message;
}

TEST(PolicyTest, ParsesHclWithCommentsAndEveryCapability) {
  auto p = ParsePolicy(R"(
# team policy
path "secret/data/app/*" {
  capabilities = ["read", "list",]   // trailing comma
}
/* block
   comment */
path "secret/+/config" { capabilities = ["create", "update", "patch", "delete", "sudo"] }
path "/sys/mounts" {
  capabilities = ["read"]
  allowed_parameters = { "type" = ["kv"], "*" = [] }
  required_parameters = ["type"]
  min_wrapping_ttl = "1s"
  max_wrapping_ttl = 90
}
)");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(Describe(*p),
            "secret/data/app/* = read list\n"
            "secret/+/config = create update patch delete sudo\n"
            "sys/mounts = read\n");
  const ParameterRules& mounts = p->rules[2].parameters;
  using Lists = std::map<std::string, std::vector<std::string>>;
  EXPECT_EQ(mounts.allowed, (Lists{{"*", {}}, {"type", {"kv"}}}));
  EXPECT_EQ(mounts.denied, Lists{});
  EXPECT_EQ(mounts.required, std::vector<std::string>{"type"});
  EXPECT_TRUE(p->rules[0].parameters.empty());
}

TEST(PolicyTest, ParameterConstraintsInHclAndJson) {
  auto hcl = ParsePolicy(R"(
path "auth/token/create" {
  capabilities = ["update"]
  allowed_parameters = { "Policies" = ["app", "ci-*"], "ttl" = [] }
  denied_parameters = { "no_parent" = [true], "num_uses" = [0, 1] }
  required_parameters = ["Policies", "ttl"]
}
)");
  ASSERT_TRUE(hcl) << hcl.error().message;
  auto json = ParsePolicy(R"({"path": {"auth/token/create": {"capabilities": ["update"],
    "allowed_parameters": {"Policies": ["app", "ci-*"], "ttl": []},
    "denied_parameters": {"no_parent": [true], "num_uses": [0, 1]},
    "required_parameters": ["Policies", "ttl"]}}})");
  ASSERT_TRUE(json) << json.error().message;
  using Lists = std::map<std::string, std::vector<std::string>>;
  for (const Policy* p : {&*hcl, &*json}) {
    const ParameterRules& rules = p->rules.at(0).parameters;
    EXPECT_EQ(rules.allowed, (Lists{{"policies", {"app", "ci-*"}}, {"ttl", {}}}));
    EXPECT_EQ(rules.denied, (Lists{{"no_parent", {"true"}}, {"num_uses", {"0", "1"}}}));
    EXPECT_EQ(rules.required, (std::vector<std::string>{"policies", "ttl"}));
  }
}

TEST(PolicyTest, ParsesJsonTheSameWay) {
  auto p = ParsePolicy(R"({"path": {"secret/data/app/*": {"capabilities": ["read", "list"]},
                                     "sys/mounts": {"capabilities": ["read"]}}})");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(Describe(*p), "secret/data/app/* = read list\nsys/mounts = read\n");
}

TEST(PolicyTest, DenyOverridesTheRestOfItsRule) {
  auto p = ParsePolicy(R"(path "a/*" { capabilities = ["read", "deny"] })");
  ASSERT_TRUE(p);
  EXPECT_EQ(Describe(*p), "a/* = deny\n");
}

TEST(PolicyTest, LegacyPolicyLevels) {
  auto p = ParsePolicy(R"(
path "r" { policy = "read" }
path "w" { policy = "write" }
path "s" { policy = "sudo" }
path "d" { policy = "deny" }
)");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(Describe(*p),
            "r = read list\n"
            "w = create read update patch delete list\n"
            "s = create read update patch delete list sudo\n"
            "d = deny\n");
}

TEST(PolicyTest, TheDefaultPolicyParses) {
  auto p = ParsePolicy(kDefaultPolicy);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(Describe(*p),
            "auth/token/lookup-self = read\n"
            "auth/token/renew-self = update\n"
            "auth/token/revoke-self = update\n"
            "sys/capabilities-self = update\n"
            "cubbyhole/* = create read update delete list\n");
}

TEST(PolicyTest, ErrorsNameLineColumnAndPattern) {
  EXPECT_EQ(ErrorOf("path \"a\" {\n  capabilities = [\"raed\"]\n}"),
            "2:19: path \"a\": unknown capability \"raed\" (create, read, update, patch, delete, "
            "list, sudo, deny)");
  EXPECT_EQ(ErrorOf("path \"a/*/b\" { capabilities = [\"read\"] }"),
            "1:1: path \"a/*/b\": '*' is only allowed at the end");
  EXPECT_EQ(ErrorOf("path \"a/+*\" { capabilities = [\"read\"] }"),
            "1:1: path \"a/+*\": '+' and '*' cannot be combined");
  EXPECT_EQ(ErrorOf("path \"a\" { }"), "1:1: path \"a\": no capabilities");
  EXPECT_EQ(ErrorOf("path \"a\" { capabilities = \"read\" }"),
            "1:27: path \"a\": capabilities must be a list");
  EXPECT_EQ(ErrorOf("path \"a\" { policy = \"admin\" }"),
            "1:21: path \"a\": policy must be deny, read, write or sudo");
  EXPECT_EQ(ErrorOf("path \"a\" { capabilities = [\"read\"]\n  colour = \"red\" }"),
            "2:3: path \"a\": unknown key \"colour\"");
  EXPECT_EQ(ErrorOf("paths \"a\" { }"), "1:1: unknown key \"paths\" (a policy has path blocks)");
  EXPECT_EQ(ErrorOf("path \"a\" {\n capabilities = [\"read\"]\n"), "3:1: expected '}'");
  EXPECT_EQ(ErrorOf("path \"a\" { capabilities = [\"read\" \"list\"] }"),
            "1:35: expected ',' or ']'");
  EXPECT_EQ(ErrorOf("path \"a { }"), "1:6: unterminated string");
  EXPECT_EQ(ErrorOf("/* never closed"), "1:1: unterminated comment");
  EXPECT_EQ(ErrorOf("path \"a\" \"b\" { capabilities = [\"read\"] }"),
            "1:1: a path block takes one pattern");
  EXPECT_EQ(ErrorOf("{\"path\": {}} x"), "1:14: unexpected text after the JSON object");
  EXPECT_EQ(ErrorOf("x = " + std::string(40, '[')), "1:37: nested too deeply");
  EXPECT_EQ(ErrorOf("path \"a\" { capabilities = [\"read\"]\n  allowed_parameters = [\"x\"] }"),
            "2:24: path \"a\": allowed_parameters must be a { name = [values] } block");
  EXPECT_EQ(ErrorOf("path \"a\" { capabilities = [\"read\"]\n  denied_parameters = { x = \"y\" }"
                    " }"),
            "2:29: path \"a\": denied_parameters \"x\" must be a list");
  EXPECT_EQ(ErrorOf("path \"a\" { capabilities = [\"read\"]\n  allowed_parameters = { x = [[1]] }"
                    " }"),
            "2:31: path \"a\": allowed_parameters \"x\": values must be strings, numbers or "
            "booleans");
  EXPECT_EQ(ErrorOf("path \"a\" { capabilities = [\"read\"]\n  required_parameters = \"x\" }"),
            "2:25: path \"a\": required_parameters must be a list");
}

}  // namespace
}  // namespace tresor::acl
