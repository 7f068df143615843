#include "cli/app_keys.h"

#include <cstring>
#include <string_view>

#include "cli/app_options.h"

namespace tresor::cli {

void AddServerCommand(CLI::App& app, KeyCommands& c);
void AddAuditCommand(CLI::App& app, KeyCommands& c);

namespace {

void AddJson(CLI::App* cmd, KeyOptions& o) {
  cmd->add_flag("--json", o.json, "Print JSON for scripts");
}

void AddName(CLI::App* cmd, KeyOptions& o) {
  cmd->add_option("NAME", o.name, "The key's name (letters, digits, '.', '_', '-')")->required();
}

}  // namespace

void AddKeyCommands(CLI::App& app, KeyCommands& c) {
  KeyOptions& o = c.options;
  auto leaf = [&](CLI::App* parent, const char* name, const char* help,
                  Result<void> (*run)(const KeyOptions&)) {
    CLI::App* cmd = parent->add_subcommand(name, help);
    c.leaves.emplace_back(cmd, run);
    return cmd;
  };

  CLI::App* key = app.add_subcommand(
      "key", "Named keys in the keyring (${XDG_CONFIG_HOME:-~/.config}/tresor/keys)");
  key->require_subcommand(1);
  CLI::App* key_new =
      leaf(key, "new", "Make a new X25519 key NAME; print its recipient", RunKeyNew);
  AddName(key_new, o);
  key_new->add_flag("--passphrase", o.passphrase, "Protect the key file with a passphrase");
  key_new->add_option("--work-factor", o.work_factor, "scrypt work factor (log2 N), 1..22")
      ->check(CLI::Range(1, 22));
  AddPassphraseFileOption(key_new, o.passphrase_file);
  CLI::App* key_import =
      leaf(key, "import", "Copy the identity file FILE into the keyring as NAME", RunKeyImport);
  AddName(key_import, o);
  key_import->add_option("FILE", o.file, "An age identity file, plain or protected")->required();
  AddPassphraseFileOption(key_import, o.passphrase_file);
  CLI::App* key_delete = leaf(key, "delete",
                              "Delete key NAME from the keyring, after confirmation (or, with "
                              "--server, the server's transit key NAME)",
                              RunKeyDelete);
  AddName(key_delete, o);
  key_delete->add_flag("--yes,--force", o.yes, "Do not ask");
  key_delete->add_flag("--server", o.server,
                       "Delete the server's transit key NAME ([MOUNT/]NAME, default mount "
                       "transit): files whose groups are sealed to tresor:NAME can no longer be "
                       "opened anywhere; tresor unseal --group first keeps their values");
  AddJson(key_delete, o);
  AddName(leaf(key, "default",
               "Make NAME the default key (encrypt and seal use it when no "
               "recipient is given)",
               RunKeyDefault),
          o);
  AddJson(leaf(key, "list", "List the keyring's keys, the default first", RunKeyList), o);

  CLI::App* keys = leaf(&app, "keys",
                        "List every usable key in discovery order (-i, TRESOR_IDENTITY, "
                        "TRESOR_IDENTITY_FILE, the agent, the keyring) and where it comes from",
                        RunKeys);
  AddRepeatable(keys, "-i,--identity", o.identity_files, "List the identities in FILE only",
                "FILE");
  AddJson(keys, o);

  CLI::App* agent = app.add_subcommand(
      "agent",
      "Hold unlocked keys for unattended decryption (socket: $TRESOR_AGENT_SOCK, or "
      "$XDG_RUNTIME_DIR/tresor/agent.sock)");
  agent->require_subcommand(1);
  leaf(agent, "start", "Start the agent in the background", RunAgentStart);
  leaf(agent, "run", "Run the agent in the foreground, logging to stderr (for a service manager)",
       RunAgentRun);
  leaf(agent, "stop", "Stop the agent (its keys are wiped)", RunAgentStop);
  AddJson(leaf(agent, "status", "Say whether the agent runs (exit 1 if not)", RunAgentStatus), o);
  CLI::App* add = leaf(agent, "add",
                       "Unlock IDENTITY_FILE (default: the keyring's default key) into the "
                       "agent; the agent reads and opens it itself",
                       RunAgentAdd);
  add->add_option("IDENTITY_FILE", o.file, "An age identity file, plain or protected");
  AddKeyOption(add, o.name, "Add keyring key NAME");
  add->add_option("--ttl", o.ttl, "Forget the key after this long (8h, 30m, 1d; default never)")
      ->type_name("DURATION");
  add->add_option("--idle", o.idle, "Forget the key after this long unused")->type_name("DURATION");
  AddPassphraseFileOption(add, o.passphrase_file);
  AddJson(leaf(agent, "list", "List the agent's keys and their state", RunAgentList), o);
  CLI::App* remove =
      leaf(agent, "remove", "Remove IDENTITY_FILE's key from the agent", RunAgentRemove);
  remove->add_option("IDENTITY_FILE", o.file, "The file it was added from");
  AddKeyOption(remove, o.name, "Remove keyring key NAME");
  remove->add_flag("--all", o.all, "Remove every key");
  leaf(agent, "lock", "Wipe the agent's keys until unlock (keys without a passphrase are removed)",
       RunAgentLock);
  AddPassphraseFileOption(
      leaf(agent, "unlock", "Unlock the agent's locked keys, asking each one's passphrase",
           RunAgentUnlock),
      o.passphrase_file);
  AddServerCommand(app, c);
  AddAuditCommand(app, c);
}

void AddServerCommand(CLI::App& app, KeyCommands& c) {
  ServerOptions& o = c.server_options;
  c.server = app.add_subcommand(
      "server",
      "Serve secrets over the Vault HTTP API: --config server.toml (SQLite, sealed until "
      "unsealed), or --dev (in memory)");
  c.server
      ->add_option("--config", o.config,
                   "The settings file (docs/server.md); flags given as well override it")
      ->type_name("FILE");
  c.server->add_flag("--check", o.check,
                     "Check the settings and the files and directories they name, print "
                     "\"FILE: ok\", and exit (1 and the first problem if not)");
  c.server->add_flag("--dev", o.dev,
                     "Development mode: in memory, unsealed, a root token printed on start");
  c.server->add_option("--listen", o.listen, "Address to listen on (default 127.0.0.1:8200)")
      ->type_name("HOST:PORT");
  c.server
      ->add_option("--dev-root-token", o.root_token,
                   "The root token (default: $TRESOR_DEV_ROOT_TOKEN, $VAULT_DEV_ROOT_TOKEN_ID, "
                   "else random); it is blanked from the command line, which other users can "
                   "read: prefer the file or the environment")
      ->type_name("TOKEN");
  c.server
      ->add_option("--dev-root-token-file", o.root_token_file,
                   "Read the root token from FILE (its first line)")
      ->type_name("FILE");
  c.server
      ->add_option("--request-timeout", o.request_timeout,
                   "A request must arrive whole within this (default 10s; else 408)")
      ->type_name("DURATION");
  c.server
      ->add_option("--idle-timeout", o.idle_timeout,
                   "Close keep-alive connections idle this long (default 60s)")
      ->type_name("DURATION");
  c.server
      ->add_option("--audit-file", o.audit_file,
                   "Log every request and response to FILE, hash-chained (values and tokens "
                   "HMAC'd); check it with tresor audit verify")
      ->type_name("FILE");
  c.server->add_flag("--audit-accept-gap", o.audit_accept_gap,
                     "Unseal even though the audit log no longer ends where the server left it "
                     "(lines cut, or the file replaced): a \"gap\" line records the loss");
  c.server
      ->add_option("--threads", o.threads,
                   "Worker threads that serve connections (default: one per core it may run on)")
      ->type_name("N")
      ->check(CLI::Range(1, 1024));
  c.server->add_flag("--insecure-listen", o.insecure_listen,
                     "Serve plain HTTP on an address other than loopback");
  c.server
      ->add_option("--tls-cert-file", o.tls_cert_file,
                   "Serve HTTPS with this certificate chain (PEM, leaf first)")
      ->type_name("FILE");
  c.server->add_option("--tls-key-file", o.tls_key_file, "The certificate's private key (PEM)")
      ->type_name("FILE");
}

void AddAuditCommand(CLI::App& app, KeyCommands& c) {
  CLI::App* audit = app.add_subcommand("audit", "The server's audit log");
  audit->require_subcommand(1);
  c.audit_verify = audit->add_subcommand(
      "verify",
      "Check an audit log's hash chain: any edited, removed, reordered or cut line is "
      "reported with its file and number (exit 5)");
  c.audit_verify
      ->add_option("FILE", c.audit_options.files,
                   "The audit log; after rotation, its files oldest first (one chain)")
      ->required();
  c.audit_verify->add_flag("--continued", c.audit_options.continued,
                           "The first file continues one rotated away: accept it starting "
                           "past the chain's first line, and print where it starts");
  c.audit_verify->add_flag("--json", c.audit_options.json,
                           "Print JSON for scripts (a line per file)");
  c.audit_verify->add_flag("--server", c.audit_options.server,
                           "Also check that the files hold the running server's last audit line "
                           "(GET sys/audit-head, with $TRESOR_TOKEN): a log cut or replaced "
                           "since is reported");
  c.audit_verify
      ->add_option("--address", c.audit_options.address,
                   "The server (default $TRESOR_ADDR, $VAULT_ADDR, http://127.0.0.1:8200)")
      ->type_name("URL");
}

std::optional<Result<void>> RunKeyCommands(KeyCommands& c, int argc, char** argv) {
  if (c.audit_verify != nullptr && c.audit_verify->parsed()) {
    return RunAuditVerify(c.audit_options);
  }
  if (c.server != nullptr && c.server->parsed()) {
    for (const CLI::Option* option : c.server->get_options()) {
      if (option->count() > 0) c.server_options.given.push_back(option->get_name());
    }
    // The token typed on the command line: gone from /proc/PID/cmdline.
    const std::string& token = c.server_options.root_token;
    for (int i = 1; i < argc && !token.empty(); ++i) {
      const std::string_view arg = argv[i];
      if (arg == token || arg == "--dev-root-token=" + token) {
        std::memset(argv[i] + (arg.size() - token.size()), 'x', token.size());
      }
    }
    return RunServerCommand(c.server_options);
  }
  for (const auto& [cmd, run] : c.leaves) {
    if (cmd->parsed()) return run(c.options);
  }
  return std::nullopt;
}

}  // namespace tresor::cli
