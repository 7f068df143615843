#include "cli/app_runtime.h"

#include <cstdio>

#include "cli/app_options.h"

namespace tresor::cli {
namespace {

void AddReadingOptions(CLI::App* cmd, RuntimeOptions& o) {
  cmd->add_option("--env", o.env,
                  "Read the file of environment NAME: the [env] file rule of the nearest "
                  ".tresor.toml, e.g. file = \"secrets-{env}.ini\" (default $TRESOR_ENV)")
      ->type_name("NAME");
  cmd->add_option("--format", o.format,
                  "ini, dotenv, json, toml or yaml (default: from the name); render also takes "
                  "text: any file, references resolved and every other byte kept (the default "
                  "for names of no known format)")
      ->type_name("FORMAT");
  AddRepeatable(cmd, "-i,--identity", o.identity_files,
                "Open sealed files with the identities in FILE (default $TRESOR_IDENTITY_FILE); "
                "repeatable",
                "FILE");
  AddKeyOption(cmd, o.key_name, "Open sealed files with keyring key NAME only");
  AddPassphraseFileOption(cmd, o.passphrase_file);
  cmd->add_option("--secrets", o.secrets_file,
                  "Resolve $secret{alias} from the [secrets] table of this sealed file first")
      ->type_name("FILE");
  AddRepeatable(cmd, "-D", o.defines, "Define $sys{name} (-Dname=value); repeatable", "NAME=VALUE");
  AddRepeatable(cmd, "--properties", o.properties_files,
                "Read $sys properties from FILE (name=value lines); repeatable", "FILE");
  cmd->add_option("--address", o.address,
                  "Server for $store{path#field} references; several nodes separated by commas "
                  "(default $TRESOR_ADDR, $VAULT_ADDR, http://127.0.0.1:8200; token from "
                  "$TRESOR_TOKEN, $TRESOR_TOKEN_FILE or ~/.tresor-token)")
      ->type_name("URL");
  cmd->add_option("--ca-cert", o.ca_cert,
                  "CA certificates (PEM) to trust for an https:// --address (default "
                  "$TRESOR_CACERT, $VAULT_CACERT, else the system's)")
      ->type_name("FILE");
  cmd->add_option("--role-id-file", o.role_id_file,
                  "Log in to the server with AppRole: the role ID in FILE (default "
                  "$TRESOR_ROLE_ID_FILE)")
      ->type_name("FILE");
  auto* secret_file = cmd->add_option("--secret-id-file", o.secret_id_file,
                                      "The AppRole secret ID in FILE, mode 0600 (default "
                                      "$TRESOR_SECRET_ID_FILE)")
                          ->type_name("FILE");
  cmd->add_option_function<std::string>(
         "--secret-id-file-once",
         [&o](const std::string& file) {
           o.secret_id_file = file;
           o.secret_id_file_once = true;
         },
         "The same, deleted once read (default $TRESOR_SECRET_ID_FILE_ONCE)")
      ->type_name("FILE")
      ->excludes(secret_file);
  cmd->add_flag("--allow-unadopted", o.allow_unadopted,
                "Use values added with set --public that no key holder has adopted yet "
                "(anyone who can write the file could have planted them)");
}

}  // namespace

void AddRuntimeCommands(CLI::App& app, RuntimeCommands& c) {
  RuntimeOptions& o = c.options;
  c.render = app.add_subcommand(
      "render",
      "Print FILE as a program reads it: sealed values opened, $secret/$env/$sys/$file/$store "
      "references resolved");
  c.render->add_option("FILE", o.files, "The configuration file (or --env NAME)")->expected(0, 1);
  AddReadingOptions(c.render, o);
  c.render
      ->add_option("-o,--output", o.output,
                   "Write to OUT atomically, mode 0600; on any error OUT is untouched")
      ->type_name("OUT");
  c.render->add_option("--mode", o.mode, "The mode of -o OUT (default 0600)")->type_name("OCTAL");
  c.render->add_flag("--json", o.json,
                     "Print the values, not the file: one JSON object nested by their paths "
                     "(as get --json), strings throughout");
  c.render->add_flag("--force", o.force,
                     "Write -o OUT even in a directory that every user can read");
  c.render->add_flag("--watch", o.watch,
                     "Keep running: render again every --interval (and on SIGHUP), replace -o OUT "
                     "when the result changed and run --on-change; SIGTERM ends it");
  c.render->add_option("--interval", o.interval, "How often --watch renders (default 60s)")
      ->type_name("DURATION");
  c.render
      ->add_option("--on-change", o.on_change,
                   "With --watch: run CMD (with /bin/sh) after OUT changed, e.g. a reload")
      ->type_name("CMD");

  c.run = app.add_subcommand(
      "run",
      "Run CMD with the values of the files as environment variables (db.password -> "
      "DB_PASSWORD); tresor becomes CMD, so signals and the exit code are CMD's");
  AddRepeatable(c.run, "-f,--file", o.files, "A configuration file to load; repeatable", "FILE");
  AddReadingOptions(c.run, o);
  c.run->add_flag("--pristine", o.pristine,
                  "Give CMD only the files' values, not tresor's own environment");
  c.run->add_option("--prefix", o.prefix, "Put PREFIX before every variable name")
      ->type_name("PREFIX");
  c.run->add_option("CMD", o.command, "The command and its arguments, after --")
      ->expected(-1)
      ->required();
}

std::optional<Result<void>> RunRuntimeCommands(RuntimeCommands& c) {
  if (c.render->parsed()) return RunRender(c.options);
  if (c.run->parsed()) return RunRun(c.options);  // returns only on failure
  return std::nullopt;
}

int RunFailureExitCode(const Error& error, int reported) {
  // As shells and env(1): 127 for a command not found, 126 for one that
  // cannot be executed.
  if (error.message.starts_with("run: ") && error.message.ends_with(": command not found")) {
    return 127;
  }
  if (error.message.starts_with("run: cannot execute")) return 126;
  return reported;
}

}  // namespace tresor::cli
