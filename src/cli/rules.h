// `.tresor.toml`: rules that say, per file path, who can read which values
// and which values are sealed (docs/rules.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/passphrase.h"
#include "crypto/result.h"
#include "sealed/policy.h"

namespace tresor::cli {

inline constexpr std::string_view kRulesFileName = ".tresor.toml";

// The nearest .tresor.toml in `file`'s directory or above it.
std::optional<std::string> FindRules(const std::string& file);

struct RuleGroup {
  std::string name;
  std::vector<std::string> paths;  // value path patterns (sealed::PathUnder)
  std::vector<std::string> recipients;
  std::vector<std::string> recipient_files;  // relative to the rules file
};

struct Rule {
  std::string path;  // file glob, relative to the rules file; "" matches every file
  std::vector<std::string> recipients;       // the default group
  std::vector<std::string> recipient_files;  // relative to the rules file
  std::string keys;                          // seal only values whose key matches
  std::vector<std::string> only;             // seal only values under these paths
  std::vector<RuleGroup> groups;
};

// The [env] table: env.file and env.default (docs/references.md).
struct EnvRule {
  std::string file;      // a path pattern with {env}
  std::string fallback;  // env.default
};

// Errors name "LINE:COL" in `text`. The [env] table goes to `env` if given.
Result<std::vector<Rule>> ParseRules(std::string_view text, EnvRule* env = nullptr);

// True if `relative` (a path with '/') matches `glob`: '*', '?' and '[...]'
// within one segment, "**" for any number of segments; a glob without '/'
// matches the file name alone.
bool FileGlobMatches(std::string_view glob, std::string_view relative);

// The policy of the first rule in `rules_path` that matches `file`, with
// its recipients loaded; nullopt if no rule matches. A group's "scrypt"
// asks `passphrases` when its key is wrapped (refused without them).
Result<std::optional<sealed::Policy>> LoadRulesPolicy(
    const std::string& rules_path, const std::string& file,
    const PassphraseSource* passphrases = nullptr);

// The file of environment `name` (or of env.default if `name` is empty):
// the [env] file pattern of the nearest .tresor.toml at or above
// `start_dir`, with {env} replaced, relative to that rules file.
Result<std::string> EnvironmentFile(const std::string& start_dir, std::string name);

}  // namespace tresor::cli
