#include "cli/app.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string_view>

#include "build_info.h"
#include "cli/app_client.h"
#include "cli/app_keys.h"
#include "cli/app_options.h"
#include "cli/app_runtime.h"
#include "cli/app_sealed.h"
#include "cli/commands.h"
#include "cli/completion.h"
#include "cli/dash_options.h"
#include "cli/doctor_command.h"
#include "cli/examples.h"
#include "cli/exit_codes.h"
#include "cli/files.h"
#include "cli/import_commands.h"
#include "cli/passphrase.h"
#include "cli/usage_errors.h"

namespace tresor::cli {
namespace {

// tresor help [COMMAND...|exit-codes]
int RunHelp(const CLI::App& app, const std::vector<std::string>& topic) {
  if (topic.size() == 1 && topic[0] == "exit-codes") {
    std::fputs(kExitCodeHelp, stdout);
    return kExitOk;
  }
  const CLI::App* at = &app;
  std::string where = "tresor";
  for (const std::string& name : topic) {
    std::vector<std::string> names;
    const CLI::App* next = nullptr;
    for (const CLI::App* sub : at->get_subcommands({})) {
      names.push_back(sub->get_name());
      if (sub->get_name() == name) next = sub;
    }
    if (next == nullptr) {
      if (at == &app) names.push_back("exit-codes");
      const std::string nearest = Nearest(name, names);
      std::fprintf(stderr, "tresor: error: no help for '%s %s'%s\n", where.c_str(), name.c_str(),
                   nearest.empty() ? (" (see " + where + " --help)").c_str()
                                   : ("; did you mean '" + nearest + "'?").c_str());
      return kExitUsage;
    }
    at = next;
    where += " " + name;
  }
  // App::help() would describe the selected subcommand (`help` itself) for
  // tresor: the formatter describes the app asked for.
  const std::string text =
      at == &app ? app.get_formatter()->make_help(&app, "tresor", CLI::AppFormatMode::Normal)
                 : at->help(where.substr(0, where.rfind(' ')));
  std::fputs(text.c_str(), stdout);
  return kExitOk;
}

int Report(const Result<void>& result) {
  if (result) return kExitOk;
  std::fprintf(stderr, "tresor: error: %s\n", result.error().message.c_str());
  return ExitCodeFor(result.error().code);
}

}  // namespace

namespace {

// Whether `app` has a subcommand called `name` (or aliased so).
bool Defines(const CLI::App& app, const std::string& name) {
  for (const CLI::App* command : app.get_subcommands({})) {
    if (command->check_name(name)) return true;
  }
  return false;
}

}  // namespace

int RunApp(int argc, char** argv) {
  CLI::App app(
      "tresor: secrets in configuration files, rooted in the age v1 format.\n"
      "Files written by tresor decrypt with age and the other way round.",
      "tresor");
  app.set_version_flag("--version",
                       std::string("tresor ") + TRESOR_VERSION + " (commit " + TRESOR_COMMIT + ")");
  app.require_subcommand(1);

  KeygenOptions keygen;
  CLI::App* keygen_cmd = app.add_subcommand(
      "keygen", "Generate an X25519 identity (age format), or print an identity's recipient");
  keygen_cmd
      ->add_option("-o,--output", keygen.output,
                   "Write the identity to FILE (created 0600; never overwritten)")
      ->type_name("FILE");
  keygen_cmd->add_flag("-y", keygen.to_recipients,
                       "Print the recipient (public key) of each identity in INPUT");
  keygen_cmd->add_option("INPUT", keygen.input, "Identity file for -y (default: stdin)");
  keygen_cmd->add_flag("--passphrase", keygen.passphrase,
                       "Protect the new identity file with a passphrase (age scrypt, armored)");
  AddPassphraseFileOption(keygen_cmd, keygen.passphrase_file);
  keygen_cmd
      ->add_option("--work-factor", keygen.work_factor,
                   "scrypt work factor (log2 N) for --passphrase, 1..22 (default 18)")
      ->check(CLI::Range(1, 22));

  EncryptCommandOptions enc;
  CLI::App* enc_cmd = app.add_subcommand(
      "encrypt", "Encrypt INPUT (default stdin) to age recipients or a passphrase");
  AddRecipientOptions(enc_cmd, enc.to, "Encrypt");
  AddRepeatable(enc_cmd, "-i,--identity", enc.to.identity_files,
                "Encrypt to the recipients of the identities in FILE; repeatable", "FILE");
  AddKeyOption(enc_cmd, enc.to.key_name,
               "Encrypt to keyring key NAME (with no recipient option: the default key)");
  enc_cmd->add_flag("-a,--armor", enc.armor, "Write PEM-style ASCII armor instead of binary");
  enc_cmd->add_option("-o,--output", enc.output, "Write to FILE atomically (default stdout)")
      ->type_name("FILE");
  enc_cmd->add_option("INPUT", enc.input, "File to encrypt (default stdin)");
  AddPassphraseFileOption(enc_cmd, enc.passphrase_file);

  DecryptCommandOptions dec;
  CLI::App* dec_cmd = app.add_subcommand(
      "decrypt", "Decrypt an age file (binary or armored) from INPUT (default stdin)");
  AddRepeatable(dec_cmd, "-i,--identity", dec.identity_files,
                "Use the identities in FILE (a passphrase-protected file is asked for "
                "its passphrase); repeatable",
                "FILE");
  AddKeyOption(dec_cmd, dec.key_name,
               "Use keyring key NAME only (through the agent if it holds it)");
  dec_cmd
      ->add_option("-o,--output", dec.output,
                   "Write to FILE atomically, mode 0600 (default stdout); "
                   "on any error FILE is left as it was")
      ->type_name("FILE");
  dec_cmd->add_option("--mode", dec.mode, "The mode of -o FILE (default 0600)")->type_name("OCTAL");
  dec_cmd->add_option("INPUT", dec.input, "File to decrypt (default stdin)");
  AddPassphraseFileOption(dec_cmd, dec.passphrase_file);
  dec_cmd->add_flag("--sops", dec.sops,
                    "INPUT is a sops file (YAML, JSON, dotenv, INI, binary) whose key is wrapped "
                    "for age: print it decrypted, as sops -d does (sops's MAC checked)");
  dec_cmd
      ->add_option("--input-type", dec.input_type,
                   "With --sops: yaml, json, dotenv, ini or binary (default: from the name)")
      ->type_name("TYPE");
  dec_cmd->add_flag("--ignore-mac", dec.ignore_mac,
                    "With --sops: print even if sops's MAC does not match the values");

  // Building CLI11's tree for every command was most of a short command's
  // start-up (a decrypt in a cron job, --version): the groups are added in
  // turn until one defines the command named first, and all of them when none
  // does (help, completion and a mistyped command list every command).
  const std::string named = argc > 1 ? argv[1] : "";
  const bool version_only = argc == 2 && named == "--version";
  auto wanted = [&] { return !version_only && !Defines(app, named); };
  SealedCommands sealed;
  const bool sealed_built = wanted();
  if (sealed_built) AddSealedCommands(app, sealed);
  RuntimeCommands runtime;
  const bool runtime_built = wanted();
  if (runtime_built) AddRuntimeCommands(app, runtime);
  KeyCommands key_commands;
  const bool keys_built = wanted();
  if (keys_built) AddKeyCommands(app, key_commands);
  ImportCommands import_commands;
  const bool import_built = wanted();
  if (import_built) AddImportCommands(app, import_commands);
  ClientCommands client_commands;
  const bool client_built = wanted();
  if (client_built) AddClientCommands(app, client_commands);

  DoctorOptions doctor;
  CLI::App* doctor_cmd = app.add_subcommand(
      "doctor",
      "Check the agent and its socket, the keyring's modes, the server (its TLS trust, the "
      "token) and git's drivers for sealed files; say what to fix (exit 1 if a check fails)");
  doctor_cmd->add_option("--address", doctor.address,
                         "The server (default $TRESOR_ADDR, $VAULT_ADDR; not checked if unset "
                         "and none listens at http://127.0.0.1:8200)");
  doctor_cmd->add_flag("--json", doctor.json, "Print the checks as JSON");
  std::string completion_shell;
  CLI::App* completion_cmd = app.add_subcommand(
      "completion",
      "Print the completion script for SHELL: bash (source it, or put it in "
      "/usr/share/bash-completion/completions/tresor), zsh (a file _tresor in $fpath) or fish "
      "(~/.config/fish/completions/tresor.fish)");
  completion_cmd->add_option("SHELL", completion_shell, "bash, zsh or fish")->required();
  std::vector<std::string> help_topic;
  CLI::App* help_cmd =
      app.add_subcommand("help",
                         "Show help: tresor's, a command's (tresor help kv put), or exit codes' "
                         "(tresor help exit-codes)");
  help_cmd->add_option("TOPIC", help_topic, "A command and its subcommands, or exit-codes");
  // Set last: a subcommand starts with its parent's footer, and the exit
  // codes are told once, here and in `tresor help exit-codes`.
  app.footer(std::string("\n") + kExitCodeHelp +
             "\nRun 'tresor COMMAND --help' or 'tresor help COMMAND' for the options of a "
             "command.");
  AddExamples(app);

  // Every command that writes files can be told to write through a symlink
  // at the target; without the flag a link there is refused.
  bool follow_symlinks = false;
  for (CLI::App* cmd : app.get_subcommands({})) {
    static constexpr std::string_view kWriters[] = {
        "encrypt", "decrypt", "keygen",     "seal",   "unseal", "set",      "unset",
        "edit",    "rotate",  "updatekeys", "revoke", "render", "git-merge"};
    if (std::find(std::begin(kWriters), std::end(kWriters), cmd->get_name()) !=
        std::end(kWriters)) {
      cmd->add_flag("--follow-symlinks", follow_symlinks,
                    "Write through a symlink at the target (replacing the file it points to); "
                    "without it a symlink there is refused");
    }
  }

  // -method=userpass as Vault's CLI takes it (dash_options.h).
  // The commands below get the process's own argv: they overwrite the
  // secrets in it, so that ps no longer shows them.
  std::vector<std::string> args = WithDoubleDashes(app, argc, argv);
  std::vector<char*> parsed;
  for (std::string& arg : args) parsed.push_back(arg.data());
  try {
    app.parse(argc, parsed.data());
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (!PassphraseFileOncePath().empty()) ::unlink(PassphraseFileOncePath().c_str());
    std::fprintf(stderr, "tresor: error: %s\n",
                 DescribeParseError(app, argc, parsed.data(), e).c_str());
    return kExitUsage;
  }
  if (help_cmd->parsed()) return RunHelp(app, help_topic);
  if (doctor_cmd->parsed()) return Report(RunDoctor(doctor));
  if (completion_cmd->parsed()) {
    auto script = CompletionScript(app, completion_shell);
    if (script) std::fputs(script->c_str(), stdout);
    return Report(script ? Result<void>() : Result<void>(script.error()));
  }
  SetFollowSymlinks(follow_symlinks);
  if (!PassphraseFileOncePath().empty()) {
    if (auto consumed = ConsumePassphraseFileOnce(PassphraseFileOncePath()); !consumed) {
      return Report(consumed);
    }
  }

  if (keygen_cmd->parsed()) {
    if (!keygen.input.empty() && !keygen.to_recipients) {
      std::fprintf(stderr, "tresor: error: keygen takes INPUT only with -y\n");
      return kExitUsage;
    }
    return Report(RunKeygen(keygen));
  }
  if (enc_cmd->parsed()) return Report(RunEncrypt(enc));
  if (keys_built) {
    if (auto result = RunKeyCommands(key_commands, argc, argv)) return Report(*result);
  }
  if (client_built) {
    if (auto result = RunClientCommands(client_commands, argc, argv)) return Report(*result);
  }
  if (sealed_built) {
    if (auto result = RunSealedCommands(sealed, argc, argv)) return Report(*result);
  }
  if (import_built) {
    if (auto result = RunImportCommands(import_commands)) return Report(*result);
  }
  if (!runtime_built) return Report(RunDecrypt(dec));
  if (auto result = RunRuntimeCommands(runtime)) {
    const int code = Report(*result);
    return *result ? code : RunFailureExitCode(result->error(), code);
  }
  return Report(RunDecrypt(dec));
}

}  // namespace tresor::cli
