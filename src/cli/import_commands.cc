#include "cli/import_commands.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <set>

#include "ansible/vaulted_file.h"
#include "cli/app_options.h"
#include "cli/files.h"
#include "cli/output.h"
#include "cli/passphrase.h"
#include "cli/recipients.h"
#include "cli/run_program.h"
#include "cli/sealed_file_io.h"
#include "crypto/secret_file.h"
#include "dotenvx/env_file.h"
#include "sealed/sealed_file.h"

namespace tresor::cli {
namespace {

Error Placed(const ImportOptions& o, ErrorCode code, const std::string& what) {
  return WithPlace(o.read.file, MakeError(code, what));
}

// The sealed file's one group, for `names` ("age1...", "tresor:NAME").
Result<sealed::GroupPlan> GroupFor(const ImportOptions& o, const std::vector<std::string>& names,
                                   const std::string& hint) {
  sealed::GroupPlan plan{std::string(sealed::kDefaultGroup), {}, {}, {}};
  for (const std::string& name : names) {
    auto r = ParseRecipient(name);
    if (!r) return Placed(o, r.error().code, "recipient " + name + ": " + r.error().message + hint);
    plan.recipients.push_back(std::shared_ptr<const age::Recipient>(std::move(*r)));
    plan.recipient_names.push_back(name);
  }
  return plan;
}

// The -r recipients, or the age recipients sops wrapped the data key for.
Result<sealed::GroupPlan> Readers(const ImportOptions& o, const sops::Opened& opened) {
  if (!o.recipients.empty()) return GroupFor(o, o.recipients, "");
  if (opened.metadata.groups.size() > 1) {
    return Placed(o, ErrorCode::kInvalidArgument,
                  "sops splits this file's key among " +
                      std::to_string(opened.metadata.groups.size()) +
                      " key groups (Shamir), which a sealed file does not: give -r RECIPIENT "
                      "for its readers");
  }
  if (opened.recipients.empty()) {
    return Placed(o, ErrorCode::kInvalidArgument,
                  "the sops file lists no age recipient: give -r RECIPIENT for its readers");
  }
  return GroupFor(o, opened.recipients, " (give -r to choose the sealed file's readers)");
}

// The -r recipients, or the keyring's default key as seal has it (for
// files whose own keys are not age keys).
Result<sealed::GroupPlan> ChosenReaders(const ImportOptions& o, const PassphraseSource& passwords) {
  if (!o.recipients.empty()) return GroupFor(o, o.recipients, "");
  sealed::GroupPlan readers{std::string(sealed::kDefaultGroup), {}, {}, {}};
  TRESOR_ASSIGN_OR_RETURN(auto keys, CollectRecipients(RecipientOptions{}, passwords));
  for (auto& r : keys) {
    readers.recipient_names.push_back(r->Name());
    readers.recipients.push_back(std::shared_ptr<const age::Recipient>(std::move(r)));
  }
  return readers;
}

bool IsExecutable(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & S_IXUSR) != 0;
}

// What a vault password script prints, as ansible reads a
// --vault-password-file that is executable (a keychain or secret-manager
// lookup). One that others may change is refused: it would run as the user.
Result<crypto::SecretBytes> PasswordFromScript(const std::string& path) {
  TRESOR_RETURN_IF_ERROR(RefuseIfOthersCanChange(path, "the vault password script"));
  TRESOR_ASSIGN_OR_RETURN(ProgramRun run, RunProgram({path}));
  std::string_view out(run.out);  // less line breaks at either end, as ansible takes it
  while (!out.empty() && (out.front() == '\r' || out.front() == '\n')) out.remove_prefix(1);
  while (!out.empty() && (out.back() == '\r' || out.back() == '\n')) out.remove_suffix(1);
  crypto::SecretBytes password = crypto::SecretBytes::CopyOf(crypto::AsBytes(out));
  std::fill(run.out.begin(), run.out.end(), '\0');
  if (run.status != 0) {
    return MakeError(ErrorCode::kIo, path + ": the vault password script failed (exit status " +
                                         std::to_string(run.status) + ")");
  }
  if (password.empty()) {
    return MakeError(ErrorCode::kIo, path + ": the vault password script printed no password");
  }
  return password;
}

// Prints a file's plaintext (--stdout).
Result<void> PrintPlaintext(const std::string& plaintext) {
  age::FdSink out(STDOUT_FILENO, "stdout");
  return out.Write(crypto::AsBytes(plaintext));
}

// Seals `plaintext` (exactly `paths`, or every value) for `readers` and
// writes it where the options say.
Result<void> SealAndWrite(const ImportOptions& o, const formats::Format& format,
                          const std::string& plaintext, sealed::GroupPlan readers,
                          const std::vector<std::string>* paths) {
  auto file = sealed::SealedFile::Load(plaintext, format);
  if (!file) return WithPlace(o.read.file, std::move(file).error());
  if (file->has_header()) {
    return Placed(o, ErrorCode::kInvalidArgument, "it already holds a tresor header");
  }
  sealed::Policy policy;
  policy.groups.push_back(std::move(readers));
  if (paths != nullptr) policy.exactly.emplace(paths->begin(), paths->end());
  auto sealed = file->Seal(policy);
  if (!sealed) return WithPlace(o.read.file, std::move(sealed).error());
  TRESOR_ASSIGN_OR_RETURN(Output out,
                          Output::Open(o.in_place ? o.read.file : o.output, PublicOutput()));
  TRESOR_RETURN_IF_ERROR(out.sink().Write(crypto::AsBytes(*sealed)));
  TRESOR_RETURN_IF_ERROR(out.Commit());
  if (o.summary || ::isatty(STDERR_FILENO) == 1) PrintSealSummary(o.read.file, format, *sealed);
  return {};
}

// Keys sops also wrapped the data key for and that a sealed file cannot
// name: the user is told they are not carried over.
void NoteDroppedKeys(const ImportOptions& o, const sops::Opened& opened) {
  if (!o.recipients.empty()) return;
  std::set<std::string> kinds;
  for (const sops::KeyGroup& g : opened.metadata.groups) {
    kinds.insert(g.other_kinds.begin(), g.other_kinds.end());
  }
  if (kinds.empty()) return;
  std::fprintf(stderr,
               "tresor: note: %s: sops also wraps its key for %s keys; the sealed file is for its "
               "age recipients only\n",
               o.read.file.c_str(), Join({kinds.begin(), kinds.end()}, ", ").c_str());
}

}  // namespace

Result<void> RunImportSops(const ImportOptions& o) {
  sops::InputType type = sops::InputType::kBinary;
  TRESOR_ASSIGN_OR_RETURN(const sops::Opened opened, ReadSopsFile(o.read, &type));
  if (type == sops::InputType::kBinary) {
    return Placed(o, ErrorCode::kInvalidArgument,
                  "a binary sops file holds no configuration values to seal (give --input-type, "
                  "or encrypt its contents: tresor decrypt --sops FILE | tresor encrypt)");
  }
  TRESOR_ASSIGN_OR_RETURN(sealed::GroupPlan readers, Readers(o, opened));
  NoteDroppedKeys(o, opened);
  return SealAndWrite(o, sops::FormatOf(type), opened.plaintext, std::move(readers),
                      &opened.encrypted);
}

Result<void> RunImportAnsible(const ImportOptions& o) {
  std::optional<std::string> password_file = o.vault_password_file;
  if (const char* env = std::getenv("ANSIBLE_VAULT_PASSWORD_FILE");
      !password_file && env != nullptr && *env != '\0') {
    password_file = env;
  }
  const formats::Format* format =
      o.format.empty() ? formats::FormatForFile(o.read.file) : formats::FormatByName(o.format);
  if (!o.format.empty() && format == nullptr) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "unknown format \"" + o.format + "\" (ini, dotenv, json, toml or yaml)");
  }
  TRESOR_ASSIGN_OR_RETURN(const std::string text, ReadTextFile(o.read.file, kMaxConfigFile));
  const PassphraseSource passwords(password_file);
  auto password = password_file && IsExecutable(*password_file)
                      ? PasswordFromScript(*password_file)
                      : passwords.Get("Vault password", false);
  if (!password && password.error().message.starts_with("a passphrase is needed but there is no")) {
    return MakeError(password.error().code,
                     "a vault password is needed and there is no terminal to ask on: give "
                     "--vault-password-file FILE or set ANSIBLE_VAULT_PASSWORD_FILE");
  }
  if (!password) return std::move(password).error();
  auto opened = ansible::OpenVaultedFile(format, text, password->Reveal());
  if (!opened) return WithPlace(o.read.file, std::move(opened).error());
  if (o.to_stdout) return PrintPlaintext(opened->plaintext);
  if (format == nullptr) {
    return Placed(o, ErrorCode::kInvalidArgument,
                  "the format of the vault's plaintext is not known from the name: give --format "
                  "(ini, dotenv, json, toml or yaml), or --stdout");
  }
  TRESOR_ASSIGN_OR_RETURN(sealed::GroupPlan readers, ChosenReaders(o, passwords));
  return SealAndWrite(o, *format, opened->plaintext, std::move(readers),
                      opened->whole ? nullptr : &opened->vaulted);
}

namespace {

// dotenvx's private keys: those of the keys file, then every
// DOTENV_PRIVATE_KEY* variable of the environment.
Result<std::vector<dotenvx::PrivateKey>> DotenvxKeys(const ImportOptions& o) {
  std::vector<dotenvx::PrivateKey> keys;
  const std::string keys_file =
      !o.env_keys_file.empty()
          ? o.env_keys_file
          : (std::filesystem::path(o.read.file).parent_path() / ".env.keys").string();
  std::error_code ec;
  if (!o.env_keys_file.empty() || std::filesystem::exists(keys_file, ec)) {
    TRESOR_ASSIGN_OR_RETURN(const crypto::SecretBytes text,
                            crypto::ReadSecretFile(keys_file, kMaxConfigFile));
    const std::string_view view(reinterpret_cast<const char*>(text.Reveal().data()), text.size());
    auto added = dotenvx::AddKeysFile(view, keys_file, keys);
    if (!added) return WithPlace(keys_file, std::move(added).error());
  }
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const size_t eq = entry.find('=');
    if (eq == std::string_view::npos || !entry.starts_with(dotenvx::kPrivateKeyPrefix)) continue;
    TRESOR_RETURN_IF_ERROR(dotenvx::AddPrivateKeys(entry.substr(eq + 1),
                                                   "$" + std::string(entry.substr(0, eq)), keys));
  }
  if (keys.empty()) {
    return Placed(o, ErrorCode::kNoMatch,
                  "no dotenvx private key: " + keys_file +
                      " is not there and no DOTENV_PRIVATE_KEY* variable is set (give "
                      "--env-keys-file FILE)");
  }
  return keys;
}

}  // namespace

Result<void> RunImportDotenvx(const ImportOptions& o) {
  TRESOR_ASSIGN_OR_RETURN(const std::string text, ReadTextFile(o.read.file, kMaxConfigFile));
  TRESOR_ASSIGN_OR_RETURN(const std::vector<dotenvx::PrivateKey> keys, DotenvxKeys(o));
  auto opened = dotenvx::OpenEnvFile(text, keys);
  if (!opened) return WithPlace(o.read.file, std::move(opened).error());
  if (o.to_stdout) return PrintPlaintext(opened->plaintext);
  const PassphraseSource passwords(o.read.passphrase_file);
  TRESOR_ASSIGN_OR_RETURN(sealed::GroupPlan readers, ChosenReaders(o, passwords));
  return SealAndWrite(o, formats::Dotenv(), opened->plaintext, std::move(readers),
                      &opened->encrypted);
}

namespace {

// -o, --in-place and --summary, which every import command has.
void AddOutputOptions(CLI::App* command, ImportOptions& o) {
  command->add_flag("--in-place", o.in_place, "Replace FILE atomically (its mode is kept)");
  command->add_option("-o,--output", o.output, "Write to OUT atomically (default stdout)")
      ->type_name("OUT");
  command->add_flag("--summary", o.summary,
                    "Say on stderr how many values are sealed and for whom (always when "
                    "stderr is a terminal)");
}

// -r, for files whose own keys are not age keys (ChosenReaders).
void AddKeyringReaders(CLI::App* command, ImportOptions& o) {
  AddRepeatable(command, "-r,--recipient", o.recipients,
                "Seal for RECIPIENT; repeatable (default: the keyring's default key)", "RECIPIENT");
}

void AddDotenvxCommand(ImportCommands& c) {
  ImportOptions& o = c.options;
  c.dotenvx = c.import->add_subcommand(
      "dotenvx",
      "A dotenvx-encrypted .env file: opens its encrypted: values with the private keys of "
      ".env.keys and DOTENV_PRIVATE_KEY*, and seals them for age recipients");
  c.dotenvx->add_option("FILE", o.read.file, "The .env file dotenvx encrypted")->required();
  c.dotenvx
      ->add_option("--env-keys-file", o.env_keys_file,
                   "Read the private keys from FILE (default: .env.keys beside the .env file, "
                   "and the DOTENV_PRIVATE_KEY* variables, as dotenvx does)")
      ->type_name("FILE");
  c.dotenvx->add_flag("--stdout", o.to_stdout,
                      "Print the plaintext (as dotenvx decrypt --stdout does) instead of sealing");
  AddKeyringReaders(c.dotenvx, o);
  AddPassphraseFileOption(c.dotenvx, o.read.passphrase_file);
  AddOutputOptions(c.dotenvx, o);
}

void AddAnsibleCommand(ImportCommands& c) {
  ImportOptions& o = c.options;
  c.ansible = c.import->add_subcommand(
      "ansible-vault",
      "An ansible-vault file (format 1.1 or 1.2), or a YAML file with !vault values: seals the "
      "vaulted values (or, for a whole-file vault, every value) for age recipients");
  c.ansible->add_option("FILE", o.read.file, "The vault, or the file holding !vault values")
      ->required();
  c.ansible
      ->add_option("--vault-password-file", o.vault_password_file,
                   "Read the vault password from FILE (mode 0600), or from what FILE prints "
                   "if it is executable, as ansible does (default "
                   "$ANSIBLE_VAULT_PASSWORD_FILE, else asked on the terminal)")
      ->type_name("FILE");
  c.ansible->add_flag("--stdout", o.to_stdout,
                      "Print the plaintext (as ansible-vault view does) instead of sealing");
  c.ansible
      ->add_option("--format", o.format,
                   "The format of a whole-file vault's plaintext: ini, dotenv, json, toml or "
                   "yaml (default: from the file name)")
      ->type_name("FORMAT");
  AddKeyringReaders(c.ansible, o);
  AddOutputOptions(c.ansible, o);
}

}  // namespace

void AddImportCommands(CLI::App& app, ImportCommands& c) {
  ImportOptions& o = c.options;
  c.import = app.add_subcommand(
      "import", "Make a sealed file of a file another tool encrypted (same text, same readers)");
  c.import->require_subcommand(1);
  c.sops = c.import->add_subcommand(
      "sops",
      "A sops file (YAML, JSON, dotenv, INI) whose key is wrapped for age: checks sops's MAC and "
      "seals the values sops encrypted, for the same age recipients");
  c.sops->add_option("FILE", o.read.file, "The sops-encrypted file")->required();
  c.sops
      ->add_option("--input-type", o.read.input_type,
                   "yaml, json, dotenv or ini (default: from the file name, as sops does)")
      ->type_name("TYPE");
  AddRepeatable(c.sops, "-i,--identity", o.read.identity_files,
                "Open the sops key with the identities in FILE only; repeatable (default: "
                "$SOPS_AGE_KEY, $SOPS_AGE_KEY_FILE, ~/.config/sops/age/keys.txt, then tresor's "
                "keys)",
                "FILE");
  AddKeyOption(c.sops, o.read.key_name, "Open the sops key with keyring key NAME only");
  AddPassphraseFileOption(c.sops, o.read.passphrase_file);
  AddRepeatable(c.sops, "-r,--recipient", o.recipients,
                "Seal for RECIPIENT instead of the sops file's age recipients; repeatable",
                "RECIPIENT");
  c.sops->add_flag("--ignore-mac", o.read.ignore_mac,
                   "Import even if sops's MAC does not match the values");
  AddOutputOptions(c.sops, o);
  AddAnsibleCommand(c);
  AddDotenvxCommand(c);
}

std::optional<Result<void>> RunImportCommands(const ImportCommands& c) {
  const auto parsed = [](const CLI::App* command) {
    return command != nullptr && command->parsed();
  };
  if (!parsed(c.sops) && !parsed(c.ansible) && !parsed(c.dotenvx)) return std::nullopt;
  if (c.options.in_place && !c.options.output.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "give --in-place or -o, not both");
  }
  if (c.options.to_stdout && (c.options.in_place || !c.options.output.empty())) {
    return MakeError(ErrorCode::kInvalidArgument, "--stdout prints; it takes no -o or --in-place");
  }
  if (parsed(c.sops)) return RunImportSops(c.options);
  if (parsed(c.ansible)) return RunImportAnsible(c.options);
  return RunImportDotenvx(c.options);
}

}  // namespace tresor::cli
