#include "cli/examples.h"

#include <string>
#include <string_view>

namespace tresor::cli {
namespace {

struct Examples {
  std::string_view command;  // the path below tresor: "kv put"
  std::string_view lines;    // each "  tresor COMMAND ..." (or a pipeline through it)
};

// clang-format off
constexpr Examples kExamples[] = {
  {"keygen",
   "  tresor keygen -o key.txt                         # a new identity, mode 0600\n"
   "  tresor keygen --passphrase -o laptop.key         # protected by a passphrase\n"
   "  tresor keygen -y key.txt > key.pub               # its recipient, to hand out\n"},
  {"encrypt",
   "  tresor encrypt -R team.pub -o db.sql.age db.sql\n"
   "  tresor encrypt --key ops -a notes.txt > notes.txt.age   # armored, to keyring key ops\n"
   "  tar c photos | tresor encrypt -p -o photos.tar.age      # with a passphrase\n"},
  {"decrypt",
   "  tresor decrypt -i key.txt -o db.sql db.sql.age\n"
   "  tresor decrypt --key ops notes.txt.age           # through the agent if it holds ops\n"
   "  tresor decrypt --sops -i key.txt secrets.enc.yaml   # a sops file, as sops -d\n"},
  {"seal",
   "  tresor seal --in-place app.ini                   # what .tresor.toml says, for whom it says\n"
   "  tresor seal -R team.pub --only 'password|token' --in-place .env\n"
   "  tresor seal --key ops -o config.sealed.yaml config.yaml\n"},
  {"unseal",
   "  tresor unseal -i key.txt app.ini                 # the plaintext on stdout\n"
   "  tresor unseal --key ops -o app.plain.ini app.ini\n"
   "  tresor unseal --group backend_b -i hostb.txt cinder.conf\n"},
  {"get",
   "  tresor get app.ini database.password\n"
   "  tresor get -i key.txt --json config.yaml db      # a subtree as JSON\n"
   "  PGPASSWORD=$(tresor get .env DB_PASSWORD) psql -h db\n"},
  {"set",
   "  printf %s \"$NEW\" | tresor set --stdin app.ini database.password\n"
   "  tresor set --public --stdin .env API_TOKEN < token.txt   # no key needed: for the key holders\n"
   "  tresor set config.yaml log.level debug\n"},
  {"edit",
   "  tresor edit app.ini                              # $EDITOR on the plaintext, sealed on save\n"
   "  EDITOR=nano tresor edit --key ops .env\n"},
  {"rotate",
   "  tresor rotate app.ini                            # new data keys, every value sealed again\n"
   "  tresor rotate -R team.pub -i key.txt .env        # and for these recipients from now on\n"},
  {"updatekeys",
   "  tresor updatekeys app.ini                        # after editing .tresor.toml's recipients\n"
   "  tresor updatekeys -r age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p -i key.txt .env\n"},
  {"revoke",
   "  tresor revoke app.ini age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n"
   "  tresor revoke --json -i key.txt .env scrypt      # the passphrase; the exposed paths as JSON\n"},
  {"git-setup",
   "  tresor git-setup '*.env' 'config/*.toml'         # diff and merge sealed files unsealed\n"
   "  tresor git-setup                                 # the drivers alone; .gitattributes unchanged\n"},
  {"git-textconv",
   "  tresor git-textconv app.ini                      # what git diff runs for a sealed file\n"
   "  TRESOR_IDENTITY_FILE=key.txt tresor git-textconv --format yaml values.sealed\n"},
  {"git-merge",
   "  tresor git-merge %O %A %B %P                     # in .git/config, as git-setup writes it\n"
   "  tresor git-merge --format toml base.toml ours.toml theirs.toml app.toml\n"},
  {"inspect",
   "  tresor inspect app.ini                           # groups, recipients, counts; no key needed\n"
   "  tresor inspect --paths .env\n"
   "  tresor inspect --json config.yaml | jq '.groups[].recipients'\n"},
  {"unset",
   "  tresor unset app.ini database.old_password\n"
   "  tresor unset --key ops .env LEGACY_TOKEN\n"},
  {"render",
   "  tresor render -o /run/app/app.ini app.ini        # references resolved, mode 0600\n"
   "  tresor render --json config.yaml | jq .db\n"
   "  tresor render --watch --interval 5m --on-change 'systemctl reload app' -o /run/app/app.ini app.ini\n"},
  {"run",
   "  tresor run -f .env -- ./manage.py migrate        # the values as environment variables\n"
   "  tresor run --env production -- npm start         # the file .tresor.toml names for production\n"
   "  tresor run -f app.ini --prefix APP_ --pristine -- env\n"},
  {"key new",
   "  tresor key new ops                               # in ~/.config/tresor/keys, the first is the default\n"
   "  tresor key new --passphrase laptop\n"},
  {"key import",
   "  tresor key import ops ~/key.txt\n"
   "  tresor key import ci ./ci-deploy.key\n"},
  {"key delete",
   "  tresor key delete old                            # asks first\n"
   "  tresor key delete --yes old\n"},
  {"key default",
   "  tresor key default ops\n"
   "  tresor key default laptop                        # what seal, encrypt and decrypt use unasked\n"},
  {"key list",
   "  tresor key list\n"
   "  tresor key list --json | jq -r '.[].recipient'\n"},
  {"keys",
   "  tresor keys                                      # every key source, in the order tried\n"
   "  tresor keys -i key.txt --json\n"},
  {"agent start",
   "  tresor agent start                               # in the background, socket in $XDG_RUNTIME_DIR\n"
   "  tresor agent start && tresor agent add --key ops\n"},
  {"agent run",
   "  tresor agent run                                 # in the foreground, logging to stderr\n"
   "  exec tresor agent run                            # as the tresor-agent user unit does\n"},
  {"agent stop",
   "  tresor agent stop\n"
   "  tresor agent stop && tresor agent start          # forget every key\n"},
  {"agent status",
   "  tresor agent status\n"
   "  tresor agent status --json\n"},
  {"agent add",
   "  tresor agent add ~/.config/tresor/keys/laptop.key   # asks the passphrase once\n"
   "  tresor agent add --key ops --ttl 8h\n"
   "  tresor agent add --key ci --idle 30m\n"},
  {"agent list",
   "  tresor agent list\n"
   "  tresor agent list --json\n"},
  {"agent remove",
   "  tresor agent remove --key ops\n"
   "  tresor agent remove --all\n"},
  {"agent lock",
   "  tresor agent lock                                # leaving the desk\n"
   "  tresor agent lock && tresor agent list\n"},
  {"agent unlock",
   "  tresor agent unlock                              # the protected keys' passphrases again\n"
   "  tresor agent unlock && tresor agent status\n"},
  {"server",
   "  tresor server --config /etc/tresor/server.toml\n"
   "  tresor server --config server.toml --check       # the settings, without starting\n"
   "  tresor server --dev --dev-root-token-file token.txt --listen 127.0.0.1:8300\n"},
  {"audit verify",
   "  tresor audit verify /var/log/tresor/audit.log\n"
   "  tresor audit verify --continued audit.log.1 audit.log   # rotated files, oldest first\n"
   "  tresor audit verify --server --json /var/log/tresor/audit.log\n"},
  {"import sops",
   "  tresor import sops -o secrets.yaml secrets.enc.yaml     # sealed for the sops file's age recipients\n"
   "  tresor import sops --in-place -i key.txt -r age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p .env\n"},
  {"import ansible-vault",
   "  tresor import ansible-vault --vault-password-file ~/.vault_pass --in-place group_vars/all/vault.yml\n"
   "  tresor import ansible-vault --vault-password-file ~/.vault_pass --stdout vars.yml   # as ansible-vault view\n"},
  {"import dotenvx",
   "  tresor import dotenvx --in-place .env            # the keys from .env.keys beside it\n"
   "  tresor import dotenvx --env-keys-file ~/keys/.env.keys -o .env.sealed .env.production\n"},
  {"login",
   "  tresor login alice                               # userpass: asks the password\n"
   "  tresor login --method approle --role-id-file role_id --secret-id-file secret_id\n"
   "  echo \"$CI_JOB_JWT\" | tresor login --method jwt --role deploy  # a CI job's token\n"
   "  tresor login --agent --method token < token.txt  # held by the agent, not written to disk\n"},
  {"read",
   "  tresor read secret/data/app\n"
   "  tresor read --field policy sys/policies/acl/app\n"
   "  tresor read --wrap-ttl 5m secret/data/db         # a wrapping token instead\n"},
  {"write",
   "  tresor write sys/policies/acl/app policy=@app.hcl\n"
   "  tresor write auth/userpass/users/alice password=@alice.pw policies=app\n"},
  {"unwrap",
   "  tresor unwrap tr.7gRk2...                       # once: the wrapped answer\n"
   "  tresor unwrap - < wrapped.txt\n"},
  {"list",
   "  tresor list secret/metadata/\n"
   "  tresor list --json auth/approle/role\n"},
  {"delete",
   "  tresor delete secret/data/old\n"
   "  tresor delete sys/policies/acl/legacy\n"},
  {"auth enable",
   "  tresor auth enable userpass\n"
   "  tresor auth enable jwt --description 'GitLab CI jobs'\n"},
  {"auth tune",
   "  tresor auth tune userpass\n"
   "  tresor auth tune --description 'people' userpass\n"},
  {"auth disable",
   "  tresor auth disable ci\n"
   "  tresor auth disable userpass\n"},
  {"auth move",
   "  tresor auth move userpass staff        # its users log in at auth/staff/ now\n"
   "  tresor auth move auth/ci auth/gitlab\n"},
  {"auth list",
   "  tresor auth list\n"
   "  tresor auth list --json\n"},
  {"secrets enable",
   "  tresor secrets enable kv --version 2 --path apps\n"
   "  tresor secrets enable transit\n"
   "  tresor secrets enable kv --version 1 --path legacy --description 'old KV v1 paths'\n"},
  {"secrets tune",
   "  tresor secrets tune apps\n"
   "  tresor secrets tune --description 'team A' apps\n"},
  {"secrets disable",
   "  tresor secrets disable legacy\n"
   "  tresor secrets disable transit\n"},
  {"secrets move",
   "  tresor secrets move secret team-a      # kv secret/ and its data now at team-a/\n"
   "  tresor secrets move transit signing\n"},
  {"secrets list",
   "  tresor secrets list\n"
   "  tresor secrets list --json\n"},
  {"transit create",
   "  tresor transit create payments\n"
   "  tresor transit create --type chacha20-poly1305 --derived tenants\n"
   "  tresor transit create --type ed25519 releases     # signs\n"},
  {"transit read",
   "  tresor transit read payments\n"
   "  tresor transit read --mount transit-eu --json payments\n"},
  {"transit encrypt",
   "  printf 4111111111111111 | tresor transit encrypt payments > card.txt\n"
   "  printf %s \"$SSN\" | tresor transit encrypt --context tenant-42 tenants\n"},
  {"transit decrypt",
   "  tresor transit decrypt payments < card.txt\n"
   "  tresor transit decrypt --context tenant-42 tenants vault:v1:8SDd3WHDOjf7mq69...\n"},
  {"transit sign",
   "  tresor transit sign releases < app.tar.gz > app.sig\n"
   "  tresor transit sign --json releases < manifest.json\n"},
  {"transit verify",
   "  tresor transit verify releases \"$(cat app.sig)\" < app.tar.gz   # prints valid, or exits 5\n"
   "  tresor transit verify --json --mount transit-eu releases vault:v2:kq3... < manifest.json\n"},
  {"transit rotate",
   "  tresor transit rotate payments                   # new writes use version 2; old ones still decrypt\n"
   "  tresor transit rotate --mount transit-eu payments\n"},
  {"transit delete",
   "  tresor transit delete payments                   # asks first\n"
   "  tresor transit delete --yes payments\n"},
  {"transit list",
   "  tresor transit list\n"
   "  tresor transit list --mount transit-eu --json\n"},
  {"kv put",
   "  tresor kv put app password=hunter2 user=app\n"
   "  tresor kv put --cas 0 app @app.json             # only if it does not exist yet\n"
   "  tresor kv put --encrypted app password=@password.age   # the writer cannot read it back\n"},
  {"kv encrypt-value",
   "  printf %s \"$PW\" | tresor kv encrypt-value > password.age\n"
   "  tresor kv encrypt-value -r age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p < token.txt\n"},
  {"kv patch",
   "  tresor kv patch app password=new-one            # the other keys stay\n"
   "  tresor kv patch --cas 3 app user=app2\n"},
  {"kv get",
   "  tresor kv get app\n"
   "  tresor kv get --field password app\n"
   "  tresor kv get --version 2 --json app\n"},
  {"kv list",
   "  tresor kv list apps/\n"
   "  tresor kv list --mount team-a --json apps/\n"},
  {"kv delete",
   "  tresor kv delete app                            # the latest version; undelete brings it back\n"
   "  tresor kv delete --versions 1,2 app\n"},
  {"kv undelete",
   "  tresor kv undelete --versions 3 app\n"
   "  tresor kv undelete --versions 1,2 --mount team-a app\n"},
  {"kv destroy",
   "  tresor kv destroy --versions 1 app              # gone for good\n"
   "  tresor kv destroy --versions 2,3 --mount team-a app\n"},
  {"kv metadata",
   "  tresor kv metadata app\n"
   "  tresor kv metadata --json app\n"},
  {"kv history",
   "  tresor kv history app                           # each version: when, deleted, destroyed\n"
   "  tresor kv history --mount team-a db\n"},
  {"kv rollback",
   "  tresor kv rollback --version 2 app              # version 2's data as a new version\n"
   "  tresor kv rollback --version 5 --mount team-a db\n"},
  {"token create",
   "  tresor token create --policy app --ttl 1h\n"
   "  tresor token create --policy ci --policy read-only --use-limit 3 --json\n"},
  {"token lookup",
   "  tresor token lookup                              # the token this command uses\n"
   "  tresor token lookup --json tr.7gRk2...\n"},
  {"token revoke",
   "  tresor token revoke tr.7gRk2...\n"
   "  tresor token revoke --self                       # and its children\n"},
  {"policy write",
   "  tresor policy write app app.hcl\n"
   "  tresor policy write ci ci-policy.json\n"},
  {"policy read",
   "  tresor policy read app\n"
   "  tresor policy read --json app\n"},
  {"policy list",
   "  tresor policy list\n"
   "  tresor policy list --json\n"},
  {"policy delete",
   "  tresor policy delete app\n"
   "  tresor policy delete legacy-ci\n"},
  {"operator init",
   "  tresor operator init                             # 5 unseal keys, 3 to unseal\n"
   "  tresor operator init --shares 3 --threshold 2\n"},
  {"operator unseal",
   "  tresor operator unseal                           # asks for one key; repeat until unsealed\n"
   "  tresor operator unseal - < key-1.txt\n"
   "  tresor operator unseal --reset\n"},
  {"operator seal",
   "  tresor operator seal                             # stop serving secrets until unsealed\n"
   "  tresor operator seal && tresor status\n"},
  {"operator rotate",
   "  tresor operator rotate                           # a new barrier key for new writes\n"
   "  tresor operator rotate && tresor operator key-status\n"},
  {"operator key-status",
   "  tresor operator key-status\n"
   "  tresor operator key-status --json\n"},
  {"operator generate-root",
   "  tresor operator generate-root                    # asks for unseal keys, prints a root token\n"
   "  tresor operator generate-root --status\n"
   "  tresor operator generate-root --cancel\n"},
  {"operator rekey",
   "  tresor operator rekey --shares 5 --threshold 3\n"
   "  tresor operator rekey --status\n"
   "  tresor operator rekey --cancel\n"},
  {"operator recipient",
   "  tresor operator recipient > server.pub\n"
   "  TRESOR_ADDR=https://vault.internal:8200 tresor operator recipient | tee server.pub\n"},
  {"operator migrate",
   "  tresor operator migrate --from sqlite:/var/lib/tresor --to etcd:10.0.0.1:2379,10.0.0.2:2379\n"
   "  tresor operator migrate --from config:/etc/tresor/etcd.toml --to sqlite:/var/lib/tresor\n"},
  {"operator snapshot save",
   "  tresor operator snapshot save --from sqlite:/var/lib/tresor -R backup.pub /backup/tresor-$(date +%F).age\n"
   "  tresor operator snapshot save --from config:/etc/tresor/server.toml -p --json backup.age\n"},
  {"operator snapshot restore",
   "  tresor operator snapshot restore --to sqlite:/var/lib/tresor -i backup.key /backup/tresor-2026-12-06.age\n"
   "  tresor operator snapshot restore --to sqlite:./restored -i backup.key - < backup.age\n"
   "  tresor operator snapshot restore --to server -i backup.key backup.age   # into the running server\n"},
  {"status",
   "  tresor status                                    # exit 1 when sealed\n"
   "  TRESOR_ADDR=https://vault.internal:8200 tresor status --json\n"},
  {"workload register",
   "  tresor workload register shop --secret DB_PASSWORD=@db.age --role-id-file role_id --secret-id-file secret_id\n"
   "  tresor workload register billing --secret API_KEY=@api.age --ttl 1h\n"},
  {"workload list",
   "  tresor workload list\n"
   "  tresor workload list --json\n"},
  {"workload show",
   "  tresor workload show shop\n"
   "  tresor workload show --json shop\n"},
  {"workload delete",
   "  tresor workload delete shop                      # asks first\n"
   "  tresor workload delete --yes shop\n"},
  {"doctor",
   "  tresor doctor                                    # what is wrong, and the command that fixes it\n"
   "  tresor doctor --json | jq '.[] | select(.state == \"fail\")'\n"},
  {"completion",
   "  source <(tresor completion bash)\n"
   "  tresor completion zsh > ~/.zfunc/_tresor\n"
   "  tresor completion fish > ~/.config/fish/completions/tresor.fish\n"},
  {"help",
   "  tresor help kv put\n"
   "  tresor help exit-codes\n"},
};
// clang-format on

void Attach(CLI::App& command, const std::string& path) {
  for (const Examples& e : kExamples) {
    if (e.command != path) continue;
    std::string footer = command.get_footer();
    if (!footer.empty()) footer += "\n";
    command.footer(footer.append("Examples:\n").append(e.lines));
    return;
  }
}

void AttachBelow(CLI::App& app, const std::string& prefix) {
  for (CLI::App* command : app.get_subcommands({})) {
    const std::string path =
        prefix.empty() ? command->get_name() : prefix + " " + command->get_name();
    Attach(*command, path);
    AttachBelow(*command, path);
  }
}

}  // namespace

void AddExamples(CLI::App& app) { AttachBelow(app, ""); }

}  // namespace tresor::cli
