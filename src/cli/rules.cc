#include "cli/rules.h"

#include <fnmatch.h>

#include <filesystem>
#include <memory>

#include "age/key_files.h"
#include "age/x25519.h"
#include "cli/files.h"
#include "cli/recipients.h"
#include "formats/format.h"
#include "sealed/codec.h"

namespace tresor::cli {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxRulesFile = 1 << 20;

Error RuleError(std::string_view text, const formats::Value& v, const std::string& what) {
  return formats::ValueError(ErrorCode::kInvalidArgument, text, v, what);
}

// Stores one value of a rule (`key` is the path below rule[N]).
Result<void> SetRuleField(Rule& rule, const std::vector<std::string>& key, std::string value,
                          bool is_string) {
  auto list = [&](std::vector<std::string>& to) -> bool {
    if (key.size() != 2 || !key[1].starts_with('[')) return false;
    to.push_back(std::move(value));
    return true;
  };
  auto scalar = [&](std::string& to) -> bool {
    if (key.size() != 1) return false;
    to = std::move(value);
    return true;
  };
  bool ok = false;
  if (!is_string) return MakeError(ErrorCode::kInvalidArgument, "must be a string");
  if (key[0] == "path") ok = scalar(rule.path);
  if (key[0] == "keys") ok = scalar(rule.keys);
  if (key[0] == "recipients") ok = list(rule.recipients);
  if (key[0] == "recipients_files") ok = list(rule.recipient_files);
  if (key[0] == "only") ok = list(rule.only);
  if (key[0] == "group" && key.size() >= 3 && key[1].starts_with('[')) {
    const size_t index = std::stoul(key[1].substr(1));
    if (rule.groups.size() <= index) rule.groups.resize(index + 1);
    RuleGroup& g = rule.groups[index];
    const std::vector<std::string> rest(key.begin() + 2, key.end());
    auto glist = [&](std::vector<std::string>& to) -> bool {
      if (rest.size() != 2 || !rest[1].starts_with('[')) return false;
      to.push_back(std::move(value));
      return true;
    };
    if (rest[0] == "name" && rest.size() == 1) ok = (g.name = std::move(value), true);
    if (rest[0] == "paths") ok = glist(g.paths);
    if (rest[0] == "recipients") ok = glist(g.recipients);
    if (rest[0] == "recipients_files") ok = glist(g.recipient_files);
  }
  if (!ok) return MakeError(ErrorCode::kInvalidArgument, "unknown setting (see docs/rules.md)");
  return {};
}

bool SegmentsMatch(const std::vector<std::string>& glob, size_t gi,
                   const std::vector<std::string>& path, size_t pi) {
  if (gi == glob.size()) return pi == path.size();
  if (glob[gi] == "**") {
    for (size_t skip = pi; skip <= path.size(); ++skip) {
      if (SegmentsMatch(glob, gi + 1, path, skip)) return true;
    }
    return false;
  }
  return pi < path.size() && fnmatch(glob[gi].c_str(), path[pi].c_str(), FNM_PERIOD) == 0 &&
         SegmentsMatch(glob, gi + 1, path, pi + 1);
}

std::vector<std::string> SplitSlashes(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const size_t slash = s.find('/');
    if (slash != 0) out.emplace_back(s.substr(0, slash));
    if (slash == std::string_view::npos) break;
    s.remove_prefix(slash + 1);
  }
  return out;
}

// The recipients of a group: listed ones and those in recipients files.
Result<void> AddRecipients(sealed::GroupPlan& plan, const std::vector<std::string>& listed,
                           const std::vector<std::string>& files, const fs::path& base,
                           const PassphraseSource* passphrases) {
  for (const std::string& text : listed) {
    auto r = ParseRecipient(text, passphrases, plan.name);
    if (!r) return WithPlace("group " + plan.name, r.error());
    plan.recipient_names.push_back((*r)->Name());
    plan.recipients.push_back(std::move(*r));
  }
  for (const std::string& name : files) {
    const std::string path = (base / name).string();
    TRESOR_ASSIGN_OR_RETURN(std::string content, ReadTextFile(path, kMaxRulesFile));
    auto parsed = age::ParseRecipientsFile(content);
    if (!parsed) return WithPlace(path, parsed.error());
    for (auto& r : *parsed) {
      plan.recipient_names.push_back(r->Name());
      plan.recipients.push_back(std::move(r));
    }
  }
  return {};
}

}  // namespace

std::optional<std::string> FindRules(const std::string& file) {
  std::error_code ec;
  fs::path dir = fs::absolute(fs::path(file), ec).parent_path();
  if (ec) return std::nullopt;
  while (true) {
    const fs::path candidate = dir / kRulesFileName;
    if (fs::exists(candidate, ec)) return candidate.string();
    if (dir == dir.root_path() || dir.empty()) return std::nullopt;
    dir = dir.parent_path();
  }
}

Result<std::vector<Rule>> ParseRules(std::string_view text, EnvRule* env) {
  TRESOR_ASSIGN_OR_RETURN(formats::Document doc, formats::Toml().Parse(text));
  std::vector<Rule> rules;
  for (const formats::Value& v : doc.values) {
    auto segments = formats::SplitPath(v.path);
    if (segments && segments->size() == 2 && (*segments)[0] == "env") {
      if ((*segments)[1] != "file" && (*segments)[1] != "default") {
        return RuleError(text, v, "unknown setting: [env] takes file and default");
      }
      if (v.type != formats::ValueType::kString) {
        return RuleError(text, v, "env." + (*segments)[1] + " must be a string");
      }
      if (env != nullptr) {
        const std::string literal(text.substr(v.literal.begin, v.literal.end - v.literal.begin));
        std::string& field = (*segments)[1] == "file" ? env->file : env->fallback;
        field = formats::Toml().Decode(literal, v.type);
      }
      continue;
    }
    if (!segments || segments->size() < 3 || (*segments)[0] != "rule" ||
        !(*segments)[1].starts_with('[')) {
      return RuleError(text, v, "unknown setting: rules are [[rule]] tables (see docs/rules.md)");
    }
    const size_t index = std::stoul((*segments)[1].substr(1));
    if (rules.size() <= index) rules.resize(index + 1);
    const std::string literal(text.substr(v.literal.begin, v.literal.end - v.literal.begin));
    auto set = SetRuleField(rules[index], {segments->begin() + 2, segments->end()},
                            formats::Toml().Decode(literal, v.type),
                            v.type == formats::ValueType::kString);
    if (!set) return RuleError(text, v, set.error().message);
  }
  for (size_t i = 0; i < rules.size(); ++i) {
    for (const RuleGroup& g : rules[i].groups) {
      if (!sealed::IsGroupName(g.name) || g.name == "default" || g.paths.empty()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "rule[" + std::to_string(i) +
                             "]: every group needs a name ([a-z0-9_-], not \"default\") and paths");
      }
    }
  }
  return rules;
}

bool FileGlobMatches(std::string_view glob, std::string_view relative) {
  std::vector<std::string> path = SplitSlashes(relative);
  if (glob.find('/') == std::string_view::npos) {
    return !path.empty() &&
           fnmatch(std::string(glob).c_str(), path.back().c_str(), FNM_PERIOD) == 0;
  }
  return SegmentsMatch(SplitSlashes(glob), 0, path, 0);
}

Result<std::optional<sealed::Policy>> LoadRulesPolicy(const std::string& rules_path,
                                                      const std::string& file,
                                                      const PassphraseSource* passphrases) {
  TRESOR_ASSIGN_OR_RETURN(std::string text, ReadTextFile(rules_path, kMaxRulesFile));
  auto rules = ParseRules(text);
  if (!rules) return WithPlace(rules_path, rules.error());
  const fs::path base = fs::path(rules_path).parent_path();
  std::error_code ec;
  const std::string relative =
      fs::absolute(file, ec).lexically_normal().lexically_relative(base).string();
  for (const Rule& rule : *rules) {
    if (!rule.path.empty() && !FileGlobMatches(rule.path, relative)) continue;
    sealed::Policy policy;
    policy.assigns_groups = true;
    policy.groups.push_back({std::string("default"), {}, {}, {}});
    TRESOR_RETURN_IF_ERROR(AddRecipients(policy.groups.back(), rule.recipients,
                                         rule.recipient_files, base, passphrases));
    for (const RuleGroup& g : rule.groups) {
      policy.groups.push_back({g.name, g.paths, {}, {}});
      TRESOR_RETURN_IF_ERROR(
          AddRecipients(policy.groups.back(), g.recipients, g.recipient_files, base, passphrases));
    }
    if (!rule.keys.empty()) {
      auto pattern = sealed::KeyPattern::Compile(rule.keys);
      if (!pattern) return WithPlace(rules_path, pattern.error());
      policy.keys.emplace(std::move(*pattern));
    }
    policy.only = rule.only;
    return std::optional<sealed::Policy>(std::move(policy));
  }
  return std::optional<sealed::Policy>();
}

Result<std::string> EnvironmentFile(const std::string& start_dir, std::string name) {
  const std::optional<std::string> rules_path = FindRules(start_dir + "/.");
  if (!rules_path) {
    return MakeError(ErrorCode::kNotFound,
                     "--env needs a .tresor.toml with an [env] file rule in " + start_dir +
                         " or above (see docs/rules.md)");
  }
  TRESOR_ASSIGN_OR_RETURN(std::string text, ReadTextFile(*rules_path, kMaxRulesFile));
  EnvRule env;
  if (auto rules = ParseRules(text, &env); !rules) return WithPlace(*rules_path, rules.error());
  std::string pattern = std::move(env.file);
  if (pattern.empty() || pattern.find("{env}") == std::string::npos) {
    return MakeError(ErrorCode::kNotFound,
                     *rules_path + ": no [env] file = \"...{env}...\" rule for --env");
  }
  if (name.empty()) name = env.fallback;
  if (name.empty()) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "no environment: give --env NAME, set TRESOR_ENV, or set env.default in " + *rules_path);
  }
  if (name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
      std::string::npos) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "environment name " + name + ": only letters, digits, '_' and '-'");
  }
  for (size_t at = pattern.find("{env}"); at != std::string::npos;
       at = pattern.find("{env}", at + name.size())) {
    pattern.replace(at, 5, name);
  }
  return (fs::path(*rules_path).parent_path() / pattern).string();
}

}  // namespace tresor::cli
