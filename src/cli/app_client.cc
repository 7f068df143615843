#include "cli/app_client.h"

#include <charconv>
#include <cstring>

#include "cli/app_options.h"
#include "client/session.h"

namespace tresor::cli {

using client::SetCaCertFile;

namespace {

void AddCommon(CLI::App* cmd, ClientOptions& o, bool json) {
  cmd->add_option("--address", o.address,
                  "Server address, http:// or https:// (default $TRESOR_ADDR, $VAULT_ADDR, "
                  "http://127.0.0.1:8200)")
      ->type_name("URL");
  cmd->add_option("--ca-cert", o.ca_cert,
                  "CA certificates (PEM) to trust for https:// (default $TRESOR_CACERT, "
                  "$VAULT_CACERT, else the system's)")
      ->type_name("FILE");
  if (json) cmd->add_flag("--json", o.json, "Print the API's JSON");
}

}  // namespace

void AddClientCommands(CLI::App& app, ClientCommands& c) {
  ClientOptions& o = c.options;
  auto leaf = [&](CLI::App* parent, const char* name, const char* help,
                  Result<void> (*run)(const ClientOptions&), bool json = true) {
    CLI::App* cmd = parent->add_subcommand(name, help);
    AddCommon(cmd, o, json);
    c.leaves.emplace_back(cmd, run);
    return cmd;
  };

  CLI::App* login = leaf(&app, "login",
                         "Log in to the server and save the token 0600 in ~/.tresor-token "
                         "(TRESOR_TOKEN overrides it): userpass (the password from the terminal, "
                         "or stdin when it is not one), approle (--role-id-file, "
                         "--secret-id-file), jwt (--role, the JWT from --jwt-file or stdin), "
                         "or token (a token from stdin, checked)",
                         RunLogin);
  login->add_option("USER", o.name, "The userpass user");
  login->add_flag("--agent", o.agent,
                  "Give the token to the running agent (memory only, until its TTL, agent lock "
                  "or stop) instead of writing ~/.tresor-token; tresor:NAME groups, $store "
                  "references and these commands use it");
  login->add_option("--method", o.method, "userpass (default), approle, jwt or token")
      ->check(CLI::IsMember({"userpass", "approle", "jwt", "token"}));
  login->add_option("--path", o.mount_path,
                    "Where the auth method is enabled (default: its name, as auth/userpass/)");
  login
      ->add_option("--password-file", o.password_file,
                   "Read the password from FILE (refused if group or others can read it)")
      ->type_name("FILE");
  login->add_option("--role-id-file", o.role_id_file, "approle: the role ID in FILE")
      ->type_name("FILE");
  login->add_option("--secret-id-file", o.secret_id_file, "approle: the secret ID in FILE (0600)")
      ->type_name("FILE");
  login->add_option("--role", o.jwt_role, "jwt: the role (default: the config's default_role)");
  login
      ->add_option("--jwt-file", o.jwt_file,
                   "jwt: read the JWT from FILE (a CI job's token file) instead of stdin")
      ->type_name("FILE");

  auto path_leaf = [&](const char* name, const char* help,
                       Result<void> (*run)(const ClientOptions&), bool json = true) {
    CLI::App* cmd = leaf(&app, name, help, run, json);
    cmd->add_option("PATH", o.path, "The API path, under /v1/ (secret/data/app, sys/mounts)")
        ->required();
    return cmd;
  };
  CLI::App* read_any =
      path_leaf("read", "Read any API path and print its data as KEY=VALUE lines", RunRead);
  read_any->add_option("--field", o.field, "Print only this field's value");
  CLI::App* write_any =
      path_leaf("write",
                "Write to any API path: KEY=VALUE pairs (VALUE - reads stdin, @FILE "
                "a file; KEY:=JSON for numbers, lists, true)",
                RunWrite);
  write_any->add_option("PAIRS", o.pairs, "KEY=VALUE ...");
  write_any->add_option("--field", o.field, "Print only this field of the answer");
  for (CLI::App* cmd : {read_any, write_any}) {
    cmd->add_option("--wrap-ttl", o.wrap_ttl,
                    "Answer with a wrapping token instead, valid for TTL (\"5m\"): tresor "
                    "unwrap gives the answer, once")
        ->type_name("TTL");
  }
  c.unwrap_command =
      leaf(&app, "unwrap",
           "Print the answer a wrapping token holds (TOKEN, - to read it from stdin, else "
           "$TRESOR_TOKEN): it works once",
           RunUnwrap);
  c.unwrap_command->add_option("TOKEN", o.name, "The wrapping token (- reads it from stdin)");
  path_leaf("list", "List the keys under any API path", RunList);
  path_leaf("delete", "Delete at any API path", RunDelete, false);

  for (const auto& [what, enable, disable, list, tune_run, move_run, help, move_help] :
       {std::tuple{"auth", &RunAuthEnable, &RunAuthDisable, &RunAuthList, &RunAuthTune,
                   &RunAuthMove, "Auth methods on the server (userpass, approle, jwt)",
                   "Move the auth method at FROM (corp or auth/corp), with its users and roles, "
                   "to TO"},
        std::tuple{"secrets", &RunSecretsEnable, &RunSecretsDisable, &RunSecretsList,
                   &RunSecretsTune, &RunSecretsMove,
                   "Secrets engines on the server (kv, kv-v2, transit)",
                   "Move the secrets engine at FROM, and its data, to TO"}}) {
    CLI::App* group = app.add_subcommand(what, help);
    group->require_subcommand(1);
    CLI::App* on =
        leaf(group, "enable", "Enable TYPE (at --path, default its name)", enable, false);
    on->add_option("TYPE", o.name, "The type")->required();
    on->add_option("--path", o.mount_path, "Where (default TYPE)");
    on->add_option("--description", o.description, "What the mount is for");
    if (std::string_view(what) == "secrets") {
      on->add_option("--version", o.kv_version, "kv: 1 or 2 (kv-v2 is kv version 2)");
    }
    CLI::App* move = leaf(group, "move", move_help, move_run, false);
    move->add_option("FROM", o.name, "Where it is")->required();
    move->add_option("TO", o.path, "Where it goes")->required();
    CLI::App* tune =
        leaf(group, "tune", "Show the settings of the mount at PATH, or change its description",
             tune_run);
    tune->add_option("PATH", o.name, "The mount")->required();
    tune->add_option("--description", o.description, "The new description");
    tune->add_option("--field", o.field, "Print only this setting");
    leaf(group, "disable", "Disable what is at PATH (for secrets: its data goes with it)", disable,
         false)
        ->add_option("PATH", o.name, "The path")
        ->required();
    leaf(group, "list", "List them: path, type, description", list);
  }

  AddTransitCommands(app, o, leaf);

  CLI::App* kv = app.add_subcommand("kv", "KV version 2 secrets on the server");
  kv->require_subcommand(1);
  auto kv_leaf = [&](const char* name, const char* help,
                     Result<void> (*run)(const ClientOptions&)) {
    CLI::App* cmd = leaf(kv, name, help, run);
    cmd->add_option("PATH", o.path,
                    "The secret's path: under --mount, or starting with a KV mount's path "
                    "(secret/app), else under secret/")
        ->required();
    cmd->add_option_function<std::string>(
        "--mount",
        [&o](const std::string& mount) {
          o.mount = mount;
          o.mount_given = true;
        },
        "The KV v2 mount (default: the one PATH starts with, else secret)");
    return cmd;
  };
  CLI::App* put = kv_leaf("put",
                          "Write a new version: KEY=VALUE pairs (VALUE - reads stdin, "
                          "@FILE a file; both keep it off the command line)",
                          RunKvPut);
  put->add_option("PAIRS", o.pairs, "KEY=VALUE ... (or one @FILE.json: the data as a JSON object)")
      ->required();
  put->add_option("--cas", o.cas, "Write only if the current version is N (0: only if new)");
  put->add_flag("--encrypted", o.encrypted,
                "The values are age ciphertexts for the server (kv encrypt-value, or age -r "
                "$(tresor operator recipient)); it opens them and stores the plaintext. Needs "
                "write access only, never read");
  CLI::App* encrypt_value =
      leaf(kv, "encrypt-value",
           "Encrypt a value read from stdin to the server's recipient and print it as one line "
           "(base64 of an age file): safe to commit; only the server opens it, on kv put "
           "--encrypted",
           RunKvEncryptValue, false);
  encrypt_value
      ->add_option("-r,--recipient", o.recipient,
                   "The server's recipient (default: asked of the server, no token needed)")
      ->type_name("AGE1...");
  CLI::App* patch = kv_leaf("patch",
                            "Write a new version: the latest one's data with KEY=VALUE pairs "
                            "changed (KEY:=null removes KEY; a JSON merge patch)",
                            RunKvPatch);
  patch->add_option("PAIRS", o.pairs, "KEY=VALUE ... (or one @FILE.json)")->required();
  patch->add_option("--cas", o.cas, "Patch only if the current version is N");
  CLI::App* get = kv_leaf("get", "Print a version's keys and values", RunKvGet);
  get->add_option("--version", o.version, "A version (default the latest)");
  get->add_option("--field", o.field, "Print only this key's value");
  kv_leaf("list", "List the keys under PATH", RunKvList);
  for (auto [name, help, run] :
       {std::tuple{"delete", "Soft-delete the latest version (or --versions)", &RunKvDelete},
        std::tuple{"undelete", "Restore soft-deleted --versions", &RunKvUndelete},
        std::tuple{"destroy", "Destroy --versions for good", &RunKvDestroy}}) {
    kv_leaf(name, help, run)->add_option("--versions", c.versions, "Versions: 1,2,3");
  }
  kv_leaf("metadata", "Print the secret's metadata", RunKvMetadata);
  kv_leaf("history", "List the versions: number, time, state", RunKvHistory);
  kv_leaf("rollback", "Write version N's data as a new version", RunKvRollback)
      ->add_option("--version", o.version, "The version to copy")
      ->required();

  CLI::App* token = app.add_subcommand("token", "Tokens on the server");
  token->require_subcommand(1);
  CLI::App* create = leaf(token, "create", "Create a child of the current token", RunTokenCreate);
  create->add_option("--policy", o.policies, "A policy; repeatable")->type_name("NAME");
  create->add_option("--ttl", o.ttl, "Time to live (1h, 30m)")->type_name("DURATION");
  create
      ->add_option("--use-limit", o.use_limit,
                   "Requests the token may make before it is revoked (default 0: no limit)")
      ->type_name("N")
      ->check(CLI::NonNegativeNumber);
  leaf(token, "lookup", "Show a token (default: the current one)", RunTokenLookup)
      ->add_option("TOKEN", o.token, "The token");
  CLI::App* revoke = leaf(token, "revoke",
                          "Revoke TOKEN and its children; --self revokes the current token "
                          "and its children instead",
                          RunTokenRevoke, false);
  revoke->add_option("TOKEN", o.token, "The token");
  revoke->add_flag("--self", o.self, "Revoke the token this command uses, and its children");

  CLI::App* policy = app.add_subcommand("policy", "ACL policies on the server");
  policy->require_subcommand(1);
  CLI::App* write =
      leaf(policy, "write", "Write policy NAME from FILE (- for stdin)", RunPolicyWrite, false);
  write->add_option("NAME", o.name, "The policy")->required();
  write->add_option("FILE", o.file, "HCL or JSON")->required();
  leaf(policy, "read", "Print policy NAME (--json: {\"name\", \"policy\"})", RunPolicyRead)
      ->add_option("NAME", o.name, "The policy")
      ->required();
  leaf(policy, "list", "List the policies", RunPolicyList);
  leaf(policy, "delete", "Delete policy NAME", RunPolicyDelete, false)
      ->add_option("NAME", o.name, "The policy")
      ->required();

  CLI::App* op = app.add_subcommand("operator", "Initialise, unseal and seal the server");
  op->require_subcommand(1);
  CLI::App* init = leaf(op, "init",
                        "Initialise a new server: make its root key and print the unseal keys "
                        "(Shamir shares) and the first root token, once",
                        RunOperatorInit);
  init->add_option("--shares", o.shares, "Unseal keys to make (default 5)")->type_name("N");
  init->add_option("--threshold", o.threshold, "Keys needed to unseal (default 3)")->type_name("T");
  CLI::App* unseal = leaf(op, "unseal",
                          "Give one unseal key (asked on the terminal, or read from stdin when "
                          "it is not one); prints the progress",
                          RunOperatorUnseal);
  unseal->add_option("KEY", o.key, "The key; - reads it from stdin (a key typed here shows in ps)");
  unseal->add_flag("--reset", o.reset, "Forget the keys given so far");
  leaf(op, "seal", "Seal the server: it forgets its keys until unsealed again (needs root)",
       RunOperatorSeal, false);
  leaf(op, "rotate",
       "Add a barrier key for the records written from now on (every node uses it; the "
       "old keys still open older records); needs sudo on sys/rotate",
       RunOperatorRotate);
  leaf(op, "key-status", "Show the barrier key in use: its term and since when",
       RunOperatorKeyStatus);
  CLI::App* generate_root =
      leaf(op, "generate-root",
           "Make a new root token from a quorum of unseal keys (a lost root token is recovered, "
           "never by initialising again): keys asked on the terminal, or read one per line from "
           "stdin; the token is decoded with the attempt's one-time pad and printed",
           RunOperatorGenerateRoot);
  CLI::App* rekey =
      leaf(op, "rekey",
           "Make new unseal keys (--shares, --threshold) from a quorum of the current ones, "
           "asked on the terminal or read one per line from stdin; the old keys then open "
           "nothing, and nothing stored is re-encrypted",
           RunOperatorRekey);
  rekey->add_option("--shares", o.shares, "New unseal keys to make (default 5)")->type_name("N");
  rekey->add_option("--threshold", o.threshold, "New keys needed to unseal (default 3)")
      ->type_name("T");
  for (CLI::App* attempt : {generate_root, rekey}) {
    attempt->add_flag("--status", o.status_only, "Show the attempt in progress");
    attempt->add_flag("--cancel", o.cancel, "Cancel the attempt in progress");
  }
  leaf(op, "recipient",
       "Print the server's age recipient: anyone may encrypt values to it (tresor encrypt -r, "
       "age -r) for kv put --encrypted",
       RunOperatorRecipient);
  AddStoreCommands(op, c);
  leaf(&app, "status", "Show the server's seal state (exit 1 when sealed)", RunStatus);

  CLI::App* workload = app.add_subcommand(
      "workload",
      "What a service or job needs on the server, in one step: its secrets (from ciphertexts), "
      "a policy that reads only them, an AppRole role");
  workload->require_subcommand(1);
  auto workload_leaf = [&](const char* name, const char* help,
                           Result<void> (*run)(const ClientOptions&), bool json = true) {
    CLI::App* cmd = leaf(workload, name, help, run, json);
    cmd->add_option("--mount", o.mount, "The KV v2 mount of the secrets (default secret)");
    return cmd;
  };
  CLI::App* reg = workload_leaf(
      "register",
      "Store NAME's secrets under MOUNT/workloads/NAME (each a ciphertext for the server: "
      "tresor kv encrypt-value, or age -r $(tresor operator recipient)), write policy "
      "workload-NAME that reads only them and AppRole role workload-NAME; print its role ID "
      "and a secret ID (or write them to files)",
      RunWorkloadRegister);
  reg->add_option("NAME", o.name, "The workload")->required();
  AddRepeatable(reg, "--secret", o.workload_secrets,
                "KEY=@FILE (an age file for the server) or KEY=CIPHERTEXT; repeatable",
                "KEY=@FILE");
  reg->add_option("--ttl", o.ttl, "The TTL of the role's tokens (default the server's)")
      ->type_name("DURATION");
  reg->add_option("--role-id-file", o.role_id_file, "Write the role ID to FILE (mode 0600)")
      ->type_name("FILE");
  reg->add_option("--secret-id-file", o.secret_id_file,
                  "Write a new secret ID to FILE (mode 0600) instead of printing it")
      ->type_name("FILE");
  workload_leaf("list", "List the registered workloads", RunWorkloadList);
  workload_leaf("show", "Show a workload: its secrets' names and version, policy and role",
                RunWorkloadShow)
      ->add_option("NAME", o.name, "The workload")
      ->required();
  CLI::App* del = workload_leaf(
      "delete", "Delete a workload: every version of its secrets, its policy and its role",
      RunWorkloadDelete, false);
  del->add_option("NAME", o.name, "The workload")->required();
  del->add_flag("--yes", o.yes, "Do not ask (needed when stdin is not a terminal)");
}

std::optional<Result<void>> RunClientCommands(ClientCommands& c, int argc, char** argv) {
  if (c.migrate_command->parsed()) return RunMigrate(c.migrate);
  if (c.snapshot_save->parsed()) return RunSnapshotSave(c.snapshot);
  if (c.snapshot_restore->parsed()) return RunSnapshotRestore(c.snapshot);
  for (const auto& [cmd, run] : c.leaves) {
    if (!cmd->parsed()) continue;
    if (!c.options.ca_cert.empty()) SetCaCertFile(c.options.ca_cert);
    UseAgentToken(c.options.address);
    // A wrapping token typed on the command line: gone from argv too.
    for (int i = 1; i < argc && cmd == c.unwrap_command && c.options.name.size() > 1; ++i) {
      if (c.options.name == argv[i]) std::memset(argv[i], 'x', std::strlen(argv[i]));
    }
    // Values typed on the command line: gone from argv from here on.
    for (const std::string& pair : c.options.pairs) {
      const size_t eq = pair.find('=');
      for (int i = 1; i < argc && eq != std::string::npos; ++i) {
        if (pair == argv[i]) std::memset(argv[i] + eq + 1, 'x', std::strlen(argv[i]) - eq - 1);
      }
    }
    std::string_view list = c.versions;
    while (!list.empty()) {
      const size_t comma = list.find(',');
      const std::string_view one = list.substr(0, comma);
      int64_t n = 0;
      if (std::from_chars(one.data(), one.data() + one.size(), n).ec != std::errc() || n <= 0) {
        return Result<void>(
            MakeError(ErrorCode::kInvalidArgument, "--versions wants numbers like 1,2,3"));
      }
      c.options.versions.push_back(n);
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
    return run(c.options);
  }
  return std::nullopt;
}

}  // namespace tresor::cli
