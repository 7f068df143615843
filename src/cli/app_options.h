// Option helpers shared by the CLI11 command definitions (app.cc,
// app_sealed.cc), which are the only files that include CLI11.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace tresor::cli {

// A repeatable option taking one value per occurrence (-r A -r B).
inline CLI::Option* AddRepeatable(CLI::App* cmd, const std::string& flags,
                                  std::vector<std::string>& target, const std::string& help,
                                  const std::string& type_name) {
  return cmd->add_option(flags, target, help)
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->type_name(type_name);
}

// The path given to --passphrase-file-once (any command); app.cc reads and
// deletes it before the command runs (cli/passphrase.h).
inline std::string& PassphraseFileOncePath() {
  static std::string path;
  return path;
}

inline void AddPassphraseFileOption(CLI::App* cmd, std::optional<std::string>& target) {
  cmd->add_option("--passphrase-file", target,
                  "Read the passphrase from the first line of FILE instead of the terminal "
                  "(refused if group or others can access FILE)")
      ->type_name("FILE");
  cmd->add_option("--passphrase-file-once", PassphraseFileOncePath(),
                  "As --passphrase-file, then delete FILE (even if the command fails): for "
                  "daemons given their password at start-up")
      ->type_name("FILE");
}

// --key NAME: a key of the keyring (tresor key list).
inline void AddKeyOption(CLI::App* cmd, std::string& target, const std::string& help) {
  cmd->add_option("--key", target, help)->type_name("NAME");
}

// -r, -R, -p and --work-factor; -i is the caller's, since its meaning varies.
inline void AddRecipientOptions(CLI::App* cmd, RecipientOptions& to, const std::string& verb) {
  AddRepeatable(cmd, "-r,--recipient", to.recipients, verb + " to RECIPIENT (age1...); repeatable",
                "RECIPIENT");
  AddRepeatable(cmd, "-R,--recipients-file", to.recipient_files,
                verb + " to the recipients listed in FILE; repeatable", "FILE");
  cmd->add_flag("-p,--passphrase", to.passphrase, verb + " with a passphrase (age scrypt)");
  cmd->add_option("--work-factor", to.work_factor,
                  "scrypt work factor (log2 N) for -p, 1..22 (default 18)")
      ->check(CLI::Range(1, 22));
}

}  // namespace tresor::cli
