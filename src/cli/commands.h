// The subcommands of `tresor`, independent of argument parsing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crypto/result.h"
#include "crypto/secret_bytes.h"

namespace tresor::cli {

struct KeygenOptions {
  std::string output;          // "" = stdout
  bool passphrase = false;     // write a passphrase-encrypted identity file
  bool to_recipients = false;  // -y: print the recipients of `input`
  std::string input;           // with -y; "" = stdin
  std::optional<std::string> passphrase_file;
  int work_factor = 0;  // 0 = age's default
};
Result<void> RunKeygen(const KeygenOptions& options);

// Who a file is encrypted to, as `age` takes it.
struct RecipientOptions {
  std::vector<std::string> recipients;       // -r
  std::vector<std::string> recipient_files;  // -R
  std::vector<std::string> identity_files;   // -i: encrypt to these identities' recipients
  std::string key_name;                      // --key NAME: to this keyring key
  bool passphrase = false;                   // -p
  int work_factor = 0;                       // scrypt log2 N for -p; 0 = age's default
};

struct EncryptCommandOptions {
  RecipientOptions to;
  bool armor = false;  // -a
  std::string output;  // -o; "" = stdout
  std::string input;   // "" = stdin
  std::optional<std::string> passphrase_file;
};
Result<void> RunEncrypt(const EncryptCommandOptions& options);

struct DecryptCommandOptions {
  std::vector<std::string> identity_files;  // -i
  std::string key_name;                     // --key NAME
  std::string output;
  std::string mode;  // --mode OCTAL for -o; "" = 0600
  std::string input;
  std::optional<std::string> passphrase_file;
  bool sops = false;        // --sops: INPUT is a sops file, printed as sops -d does
  std::string input_type;   // --input-type for --sops
  bool ignore_mac = false;  // --ignore-mac for --sops
};
Result<void> RunDecrypt(const DecryptCommandOptions& options);

// The sealed-file commands (seal, unseal, get, set, unset).
struct SealedCommandOptions {
  std::string file;
  std::string format;                       // "" = from the file name
  RecipientOptions to;                      // seal of a file without a header
  std::vector<std::string> identity_files;  // -i, to open a sealed file
  std::string key_name;                     // --key NAME, to open a sealed file
  std::optional<std::string> passphrase_file;
  bool in_place = false;
  std::string output;  // -o; "" = stdout (unless in_place)
  std::string mode;    // unseal --mode OCTAL; "" = 0600
  bool ignore_mac = false;
  std::string path;                          // get, set, unset
  std::string group;                         // unseal --group
  std::string unseal_path;                   // unseal --path PATTERN
  bool from_stdin = false;                   // set --stdin
  std::optional<crypto::SecretBytes> value;  // set VALUE
  bool set_public = false;                   // set --public
  bool no_rules = false;                     // --no-rules: ignore .tresor.toml
  std::string rules_for;                     // find rules for this path ("" = file)
  std::string revoked;                       // revoke RECIPIENT
  bool json = false;                         // revoke --json
  bool show_paths = false;                   // inspect --paths
  std::string only_regex;                    // seal --only REGEX: keys to seal
  std::string except_regex;                  // seal --except REGEX: keys never to seal
  bool summary = false;                      // seal --summary (always on a terminal)
};
Result<void> RunSeal(const SealedCommandOptions& options);
Result<void> RunUnseal(const SealedCommandOptions& options);
Result<void> RunGet(const SealedCommandOptions& options);
Result<void> RunSet(SealedCommandOptions& options);
Result<void> RunUnset(const SealedCommandOptions& options);
Result<void> RunEdit(const SealedCommandOptions& options);
Result<void> RunRotate(const SealedCommandOptions& options);
Result<void> RunUpdateKeys(const SealedCommandOptions& options);
Result<void> RunRevoke(const SealedCommandOptions& options);
// Prints the header's groups, recipients, value counts and write counters.
Result<void> RunInspect(const SealedCommandOptions& options);

// render and run: configuration as a program reads it (runtime/config.h).
struct RuntimeOptions {
  bool allow_unadopted = false;    // --allow-unadopted
  std::vector<std::string> files;  // render FILE; run -f FILE (repeatable)
  std::string env;                 // --env NAME: the file of the [env] rule
  std::string format;
  std::vector<std::string> identity_files;
  std::string key_name;  // --key NAME
  std::optional<std::string> passphrase_file;
  std::string secrets_file;                   // --secrets FILE
  std::vector<std::string> defines;           // -D name=value
  std::vector<std::string> properties_files;  // --properties FILE
  std::string address;                        // --address (for $store)
  std::string ca_cert;                        // --ca-cert (for $store)
  std::string role_id_file;                   // --role-id-file (for $store)
  std::string secret_id_file;                 // --secret-id-file(-once)
  bool secret_id_file_once = false;
  std::string output;                // render -o OUT
  bool watch = false;                // render --watch
  bool json = false;                 // render --json
  std::string interval;              // render --interval DURATION
  std::string on_change;             // render --on-change CMD
  std::string mode;                  // render --mode OCTAL; "" = 0600
  bool force = false;                // render --force
  bool pristine = false;             // run --pristine
  std::string prefix;                // run --prefix
  std::vector<std::string> command;  // run -- CMD ARGS...
};
Result<void> RunRender(const RuntimeOptions& options);
// Replaces the process with the command; returns only on failure.
Result<void> RunRun(const RuntimeOptions& options);

// git-setup, git-textconv, git-merge.
struct GitOptions {
  std::vector<std::string> patterns;  // git-setup: .gitattributes patterns
  std::vector<std::string> files;     // textconv: FILE; merge: BASE OURS THEIRS PATH
  std::string format;
};
Result<void> RunGitSetup(const GitOptions& options);
Result<void> RunGitTextconv(const GitOptions& options);
Result<void> RunGitMerge(const GitOptions& options);

}  // namespace tresor::cli
