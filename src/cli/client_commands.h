// tresor login, kv, token and policy: the CLI as a client of the server.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crypto/result.h"

namespace tresor::cli {

struct ClientOptions {
  std::string address;  // --address
  std::string ca_cert;  // --ca-cert
  bool json = false;
  bool agent = false;                        // login --agent
  std::string mount = "secret";              // kv --mount
  bool mount_given = false;                  // else kv finds the mount in PATH, as vault kv does
  std::string path;                          // kv PATH
  std::vector<std::string> pairs;            // kv put KEY=VALUE (VALUE "-": stdin, "@FILE": a file)
  int64_t cas = -1;                          // kv put --cas
  int64_t version = 0;                       // kv get --version, kv rollback --version
  std::string field;                         // kv get --field
  std::string wrap_ttl;                      // read/write --wrap-ttl: answer wrapped
  std::optional<std::string> description;    // secrets enable|tune --description
  std::vector<int64_t> versions;             // kv delete/undelete/destroy --versions
  std::vector<std::string> policies;         // token create --policy
  std::string ttl;                           // token create --ttl
  int64_t use_limit = 0;                     // token create --use-limit
  std::string token;                         // token lookup/revoke [TOKEN]
  std::string name;                          // policy NAME; login USER
  std::string file;                          // policy write NAME FILE ("-": stdin)
  std::optional<std::string> password_file;  // login --password-file
  int shares = 5;                            // operator init --shares
  int threshold = 3;                         // operator init --threshold
  bool reset = false;                        // operator unseal --reset
  bool self = false;                         // token revoke --self
  std::string key;                           // operator unseal [KEY] ("-": stdin)
  bool encrypted = false;                    // kv put --encrypted
  std::string recipient;                     // kv encrypt-value -r
  std::vector<std::string> workload_secrets;  // workload register --secret KEY=@FILE
  std::string role_id_file;                   // workload register --role-id-file
  std::string secret_id_file;                 // workload register --secret-id-file
  bool yes = false;                           // workload delete --yes
  std::string mount_path;                     // auth/secrets enable --path
  int kv_version = 0;                         // secrets enable --version
  std::string method = "userpass";            // login --method
  std::string jwt_role;                       // login --method jwt --role
  std::string jwt_file;                       // login --method jwt --jwt-file
  bool cancel = false;                        // operator generate-root --cancel
  bool status_only = false;                   // operator generate-root --status
  std::string key_type;                       // transit create --type
  bool derived = false;                       // transit create --derived
  std::string context;                        // transit encrypt|decrypt --context
};

// With no token in the environment or a file, the one `tresor login --agent`
// gave the agent for the server's address serves this process.
void UseAgentToken(const std::string& address_flag);
Result<void> RunLogin(const ClientOptions& options);
Result<void> RunKvPut(const ClientOptions& options);
Result<void> RunKvGet(const ClientOptions& options);
Result<void> RunKvPatch(const ClientOptions& options);
Result<void> RunKvEncryptValue(const ClientOptions& options);
Result<void> RunOperatorRecipient(const ClientOptions& options);
Result<void> RunKvList(const ClientOptions& options);
Result<void> RunKvDelete(const ClientOptions& options);
Result<void> RunKvUndelete(const ClientOptions& options);
Result<void> RunKvDestroy(const ClientOptions& options);
Result<void> RunKvMetadata(const ClientOptions& options);
Result<void> RunKvHistory(const ClientOptions& options);
Result<void> RunKvRollback(const ClientOptions& options);
Result<void> RunTokenCreate(const ClientOptions& options);
Result<void> RunTokenLookup(const ClientOptions& options);
Result<void> RunTokenRevoke(const ClientOptions& options);
Result<void> RunPolicyWrite(const ClientOptions& options);
Result<void> RunPolicyRead(const ClientOptions& options);
Result<void> RunPolicyList(const ClientOptions& options);
Result<void> RunPolicyDelete(const ClientOptions& options);
Result<void> RunOperatorInit(const ClientOptions& options);
Result<void> RunOperatorUnseal(const ClientOptions& options);
Result<void> RunOperatorSeal(const ClientOptions& options);
Result<void> RunOperatorRotate(const ClientOptions& options);
Result<void> RunOperatorKeyStatus(const ClientOptions& options);
Result<void> RunOperatorGenerateRoot(const ClientOptions& options);
Result<void> RunOperatorRekey(const ClientOptions& options);
Result<void> RunStatus(const ClientOptions& options);
// tresor transit (transit_commands.cc).
Result<void> RunTransitCreate(const ClientOptions& options);
Result<void> RunTransitRead(const ClientOptions& options);
Result<void> RunTransitList(const ClientOptions& options);
Result<void> RunTransitEncrypt(const ClientOptions& options);
Result<void> RunTransitDecrypt(const ClientOptions& options);
Result<void> RunTransitSign(const ClientOptions& options);
Result<void> RunTransitVerify(const ClientOptions& options);
Result<void> RunTransitRotate(const ClientOptions& options);
Result<void> RunTransitDelete(const ClientOptions& options);
// tresor read|write|list|delete, auth and secrets (path_commands.cc).
Result<void> RunRead(const ClientOptions& options);
Result<void> RunUnwrap(const ClientOptions& options);
Result<void> RunSecretsTune(const ClientOptions& options);
Result<void> RunAuthTune(const ClientOptions& options);
Result<void> RunWrite(const ClientOptions& options);
Result<void> RunList(const ClientOptions& options);
Result<void> RunDelete(const ClientOptions& options);
Result<void> RunAuthEnable(const ClientOptions& options);
Result<void> RunAuthDisable(const ClientOptions& options);
Result<void> RunAuthList(const ClientOptions& options);
Result<void> RunSecretsEnable(const ClientOptions& options);
Result<void> RunSecretsDisable(const ClientOptions& options);
// sys/remount: the secrets engine at FROM (name) and its data moved to TO (path).
Result<void> RunSecretsMove(const ClientOptions& options);
Result<void> RunAuthMove(const ClientOptions& options);
Result<void> RunSecretsList(const ClientOptions& options);
// tresor workload (workload_commands.cc).
Result<void> RunWorkloadRegister(const ClientOptions& options);
Result<void> RunWorkloadList(const ClientOptions& options);
Result<void> RunWorkloadShow(const ClientOptions& options);
Result<void> RunWorkloadDelete(const ClientOptions& options);

}  // namespace tresor::cli
