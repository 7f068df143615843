#include "cli/import_commands.h"

#include <unistd.h>

#include <memory>
#include <set>

#include "cli/app_options.h"
#include "cli/output.h"
#include "cli/recipients.h"
#include "cli/sealed_file_io.h"
#include "sealed/sealed_file.h"

namespace tresor::cli {
namespace {

Error Placed(const ImportOptions& o, ErrorCode code, const std::string& what) {
  return WithPlace(o.read.file, MakeError(code, what));
}

// The sealed file's one group: the -r recipients, or the age recipients
// sops wrapped the data key for.
Result<sealed::GroupPlan> Readers(const ImportOptions& o, const sops::Opened& opened) {
  const std::vector<std::string>& names = o.recipients.empty() ? opened.recipients : o.recipients;
  if (o.recipients.empty() && opened.metadata.groups.size() > 1) {
    return Placed(o, ErrorCode::kInvalidArgument,
                  "sops splits this file's key among " +
                      std::to_string(opened.metadata.groups.size()) +
                      " key groups (Shamir), which a sealed file does not: give -r RECIPIENT "
                      "for its readers");
  }
  if (names.empty()) {
    return Placed(o, ErrorCode::kInvalidArgument,
                  "the sops file lists no age recipient: give -r RECIPIENT for its readers");
  }
  sealed::GroupPlan plan{std::string(sealed::kDefaultGroup), {}, {}, {}};
  for (const std::string& name : names) {
    auto r = ParseRecipient(name);
    if (!r) {
      return Placed(
          o, r.error().code,
          "recipient " + name + ": " + r.error().message +
              (o.recipients.empty() ? " (give -r to choose the sealed file's readers)" : ""));
    }
    plan.recipients.push_back(std::shared_ptr<const age::Recipient>(std::move(*r)));
    plan.recipient_names.push_back(name);
  }
  return plan;
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
  const formats::Format& format = sops::FormatOf(type);
  auto file = sealed::SealedFile::Load(opened.plaintext, format);
  if (!file) return WithPlace(o.read.file, std::move(file).error());
  if (file->has_header()) {
    return Placed(o, ErrorCode::kInvalidArgument, "the sops file already holds a tresor header");
  }
  TRESOR_ASSIGN_OR_RETURN(sealed::GroupPlan readers, Readers(o, opened));
  sealed::Policy policy;
  policy.groups.push_back(std::move(readers));
  policy.exactly.emplace(opened.encrypted.begin(), opened.encrypted.end());
  auto sealed = file->Seal(policy);
  if (!sealed) return WithPlace(o.read.file, std::move(sealed).error());
  NoteDroppedKeys(o, opened);
  TRESOR_ASSIGN_OR_RETURN(Output out,
                          Output::Open(o.in_place ? o.read.file : o.output, PublicOutput()));
  TRESOR_RETURN_IF_ERROR(out.sink().Write(crypto::AsBytes(*sealed)));
  TRESOR_RETURN_IF_ERROR(out.Commit());
  if (o.summary || ::isatty(STDERR_FILENO) == 1) PrintSealSummary(o.read.file, format, *sealed);
  return {};
}

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
  c.sops->add_flag("--in-place", o.in_place, "Replace FILE atomically (its mode is kept)");
  c.sops->add_option("-o,--output", o.output, "Write to OUT atomically (default stdout)")
      ->type_name("OUT");
  c.sops->add_flag("--summary", o.summary,
                   "Say on stderr how many values are sealed and for whom (always when stderr "
                   "is a terminal)");
}

std::optional<Result<void>> RunImportCommands(const ImportCommands& c) {
  if (c.sops != nullptr && c.sops->parsed()) {
    if (c.options.in_place && !c.options.output.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, "give --in-place or -o, not both");
    }
    return RunImportSops(c.options);
  }
  return std::nullopt;
}

}  // namespace tresor::cli
