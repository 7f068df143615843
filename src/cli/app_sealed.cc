#include "cli/app_sealed.h"

#include <cstring>
#include <tuple>

#include "cli/app_options.h"
#include "cli/files.h"
#include "crypto/kdf.h"

namespace tresor::cli {
namespace {

void AddFileOptions(CLI::App* cmd, SealedCommandOptions& o, bool identities) {
  cmd->add_option("FILE", o.file, "The configuration file")->required();
  cmd->add_option("--format", o.format,
                  "ini, dotenv, json, toml or yaml (default: from the file name: .ini .cfg .conf, "
                  ".env, .json, .toml, .yaml .yml)")
      ->type_name("FORMAT");
  if (identities) {
    AddRepeatable(cmd, "-i,--identity", o.identity_files,
                  "Open the file with the identities in FILE (a passphrase-protected file is "
                  "asked for its passphrase); repeatable",
                  "FILE");
    AddKeyOption(cmd, o.key_name, "Open the file with keyring key NAME only");
  }
  AddPassphraseFileOption(cmd, o.passphrase_file);
}

void AddNoRules(CLI::App* cmd, SealedCommandOptions& o) {
  cmd->add_flag("--no-rules", o.no_rules,
                "Ignore .tresor.toml (the nearest one in FILE's directory or above)");
}

void AddIgnoreMac(CLI::App* cmd, SealedCommandOptions& o) {
  cmd->add_flag("--ignore-mac", o.ignore_mac,
                "Skip the group MAC checks (each value is still authenticated)");
}

}  // namespace

void AddSealedCommands(CLI::App& app, SealedCommands& c) {
  SealedCommandOptions& o = c.options;
  c.seal = app.add_subcommand(
      "seal", "Seal the values of a config file in place: every other byte stays as it was");
  AddFileOptions(c.seal, o, false);
  AddRecipientOptions(c.seal, o.to, "Seal");
  AddRepeatable(c.seal, "-i,--identity", o.identity_files,
                "A new file: seal to the recipients of the identities in FILE. A sealed "
                "file: open it with them to seal new values; repeatable",
                "FILE");
  AddKeyOption(c.seal, o.to.key_name, "A new file: seal to keyring key NAME");
  c.seal->add_flag("--in-place", o.in_place, "Replace FILE atomically instead of printing");
  c.seal
      ->add_option("--only", o.only_regex,
                   "Seal only values whose key matches this POSIX extended regular expression "
                   "((?i) ignores case), as sops's --encrypted-regex; replaces the rules' keys")
      ->type_name("REGEX");
  c.seal
      ->add_option("--except", o.except_regex,
                   "Never seal values whose key matches this regular expression (sops's "
                   "--unencrypted-regex)")
      ->type_name("REGEX");
  c.seal->add_flag("--summary", o.summary,
                   "Say on stderr how many values each group seals and for whom (always when "
                   "stderr is a terminal)");
  AddNoRules(c.seal, o);
  c.seal->add_option("-o,--output", o.output, "Write to OUT atomically (default stdout)")
      ->type_name("OUT");

  c.unseal = app.add_subcommand("unseal", "Print (or restore) the original file, byte for byte");
  AddFileOptions(c.unseal, o, true);
  AddIgnoreMac(c.unseal, o);
  c.unseal->add_flag("--in-place", o.in_place,
                     "Replace FILE with the plaintext atomically instead of printing");
  c.unseal
      ->add_option("--group", o.group,
                   "Only this group: its values back in plaintext and the group gone from the "
                   "header; the other groups stay sealed (needs only this group's key)")
      ->type_name("NAME");
  c.unseal
      ->add_option("--path", o.unseal_path,
                   "Only the values under PATTERN (a path, a section; glob segments: "
                   "backend_*, servers[*].password) back in plaintext; every group stays")
      ->type_name("PATTERN")
      ->excludes("--group");
  c.unseal
      ->add_option("-o,--output", o.output, "Write to OUT atomically, mode 0600 (default stdout)")
      ->type_name("OUT");
  c.unseal
      ->add_option("--mode", o.mode,
                   "The mode of the plaintext written by --in-place or -o (default 0600, "
                   "whatever mode the file had)")
      ->type_name("OCTAL");

  c.get = app.add_subcommand(
      "get",
      "Print the value at PATH (section.key, a.b[0].c); a section or subtree prints each value "
      "under it as PATH=VALUE (glob segments: backend_*)");
  AddFileOptions(c.get, o, true);
  c.get->add_option("PATH", o.path, "The value's path, or a section's")->required();
  c.get->add_flag("--json", o.json, "A section or subtree as one JSON object");
  AddIgnoreMac(c.get, o);

  c.set = app.add_subcommand(
      "set", "Seal VALUE (or stdin) at PATH in FILE; only that value and the MAC change");
  AddFileOptions(c.set, o, true);
  c.set->add_option("PATH", o.path, "The value's path")->required();
  c.set->add_option("VALUE", c.value_arg,
                    "The new value (prefer --stdin: arguments are visible to other users "
                    "until tresor starts)");
  c.set->add_flag("--stdin", o.from_stdin, "Read the value from stdin (one final newline dropped)");
  c.set->add_flag("--public", o.set_public,
                  "Seal with the file's public key alone, no identity needed (you will not be "
                  "able to read it back); covered by the MAC once someone re-seals the file");
  AddIgnoreMac(c.set, o);
  AddNoRules(c.set, o);

  c.edit = app.add_subcommand(
      "edit",
      "Edit the unsealed FILE in $VISUAL/$EDITOR (on a tmpfs, removed afterwards); only "
      "changed values get new tokens");
  AddFileOptions(c.edit, o, true);
  AddIgnoreMac(c.edit, o);
  AddNoRules(c.edit, o);

  for (auto [cmd, name, help] :
       {std::tuple{&c.rotate, "rotate",
                   "Give every group of FILE a new data key and re-seal every value (recipients: "
                   "-r/-R/-p for the default group, else .tresor.toml, else the header's)"},
        std::tuple{&c.updatekeys, "updatekeys",
                   "Wrap FILE's data keys for the recipients .tresor.toml (or -r/-R/-p, for the "
                   "default group) now names; values keep their tokens (a removed recipient can "
                   "still read what it had: use revoke)"}}) {
    *cmd = app.add_subcommand(name, help);
    AddFileOptions(*cmd, o, false);
    AddRecipientOptions(*cmd, o.to, "Wrap the data key");
    AddRepeatable(*cmd, "-i,--identity", o.identity_files,
                  "Open the sealed file with the identities in ID_FILE; repeatable", "ID_FILE");
    AddKeyOption(*cmd, o.to.key_name, "Wrap the data key for keyring key NAME too");
    // No --ignore-mac: new keys are wrapped for the header's recipient list,
    // which only the MAC vouches for.
    AddNoRules(*cmd, o);
  }

  c.revoke = app.add_subcommand(
      "revoke",
      "Remove RECIPIENT from every group of FILE that lists it, give those groups a new data "
      "key, and print the paths of the values it could read (change those at their source)");
  AddFileOptions(c.revoke, o, true);
  c.revoke->add_option("RECIPIENT", o.revoked, "An age1... recipient, or scrypt for a passphrase")
      ->required();
  c.revoke->add_flag("--json", o.json, "Print {\"file\", \"groups\", \"paths\"} as JSON");
  AddNoRules(c.revoke, o);

  c.git_setup = app.add_subcommand(
      "git-setup",
      "In this git repository: a diff textconv (git diff shows unsealed values to whoever can "
      "unseal) and a merge driver (merges unsealed values, re-seals) for files matching PATTERN");
  c.git_setup->add_option("PATTERN", c.git.patterns,
                          "Paths to mark in .gitattributes (e.g. '*.env' config/*.toml)");
  c.git_textconv = app.add_subcommand(
      "git-textconv", "Print FILE unsealed if TRESOR_IDENTITY_FILE opens it, else as it is");
  c.git_textconv->add_option("FILE", c.git.files, "The file")->required()->expected(1);
  c.git_textconv->add_option("--format", c.git.format, "The format (default: from the name)");
  c.git_merge = app.add_subcommand(
      "git-merge", "git merge driver: BASE OURS THEIRS PATH (%O %A %B %P); result in OURS");
  c.git_merge->add_option("FILES", c.git.files, "BASE OURS THEIRS PATH")->required()->expected(4);
  c.git_merge->add_option("--format", c.git.format, "The format (default: from PATH)");

  c.inspect = app.add_subcommand(
      "inspect",
      "Show a sealed file's groups, recipients, value counts and write counters (no key "
      "needed): a copy from before a later write shows a lower version");
  c.inspect->add_option("FILE", o.file, "The configuration file")->required();
  c.inspect->add_option("--format", o.format, "ini, dotenv, json, toml or yaml")
      ->type_name("FORMAT");
  c.inspect->add_flag("--json", o.json,
                      "Print JSON for scripts (with every sealed path, by group, and the "
                      "plaintext ones)");
  c.inspect->add_flag("--paths", o.show_paths,
                      "List the sealed paths under each group, and the values left in plaintext");

  c.unset = app.add_subcommand("unset", "Remove the entry at PATH from FILE");
  AddFileOptions(c.unset, o, true);
  c.unset->add_option("PATH", o.path, "The value's path")->required();
  AddIgnoreMac(c.unset, o);
}

std::optional<Result<void>> RunSealedCommands(SealedCommands& c, int argc, char** argv) {
  SealedCommandOptions& o = c.options;
  // A command that rewrites FILE refuses a symlink there before reading
  // it (AtomicOutput would refuse at the write anyway).
  const bool rewrites = ((c.seal->parsed() || c.unseal->parsed()) && o.in_place) ||
                        c.set->parsed() || c.unset->parsed() || c.edit->parsed() ||
                        c.rotate->parsed() || c.updatekeys->parsed() || c.revoke->parsed();
  if (rewrites) {
    if (auto refused = RefuseSymlinkTarget(o.file); !refused) return refused;
  }
  if (c.seal->parsed()) return RunSeal(o);
  if (c.unseal->parsed()) return RunUnseal(o);
  if (c.get->parsed()) return RunGet(o);
  if (c.inspect->parsed()) return RunInspect(o);
  if (c.unset->parsed()) return RunUnset(o);
  if (c.edit->parsed()) return RunEdit(o);
  if (c.rotate->parsed()) return RunRotate(o);
  if (c.updatekeys->parsed()) return RunUpdateKeys(o);
  if (c.revoke->parsed()) return RunRevoke(o);
  if (c.git_setup->parsed()) return RunGitSetup(c.git);
  if (c.git_textconv->parsed()) return RunGitTextconv(c.git);
  if (c.git_merge->parsed()) return RunGitMerge(c.git);
  if (!c.set->parsed()) return std::nullopt;
  if (c.set->count("VALUE") > 0) {
    if (o.from_stdin)
      return MakeError(ErrorCode::kInvalidArgument, "give VALUE or --stdin, not both");
    o.value = crypto::SecretBytes::CopyOf(crypto::AsBytes(c.value_arg));
    // Blank the argument in /proc/PID/cmdline, and our copy.
    for (int i = argc - 1; i > 0; --i) {
      if (c.value_arg == argv[i]) {
        std::memset(argv[i], 'x', std::strlen(argv[i]));
        break;
      }
    }
    crypto::Wipe({reinterpret_cast<uint8_t*>(c.value_arg.data()), c.value_arg.size()});
  }
  return RunSet(o);
}

}  // namespace tresor::cli
