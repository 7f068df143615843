// seal, unseal, get, set, unset: sealed configuration files (docs/format.md).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <vector>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/files.h"
#include "cli/identities.h"
#include "cli/json_tree.h"
#include "cli/output.h"
#include "cli/recipients.h"
#include "cli/sealed_file_io.h"
#include "formats/document.h"
#include "keys/keyring.h"
#include "sealed/policy.h"

namespace tresor::cli {
namespace {

constexpr size_t kMaxValue = 16 << 20;

// Writes `text` to stdout, -o FILE, or over the file itself (atomically,
// keeping its mode and owner).
Result<void> Emit(const SealedCommandOptions& options, const std::string& text, bool in_place,
                  const OutputPolicy& policy) {
  const std::string target = in_place ? options.file : options.output;
  TRESOR_ASSIGN_OR_RETURN(Output out, Output::Open(target, policy));
  TRESOR_RETURN_IF_ERROR(out.sink().Write(crypto::AsBytes(text)));
  return out.Commit();
}

Result<void> Check(Result<std::string>& result, const SealedCommandOptions& options) {
  if (!result) return WithPlace(options.file, result.error());
  return {};
}

// Values added with `set --public` are authentic only as far as the file is:
// say so, and how to adopt them.
void WarnPublic(const SealedCommandOptions& options, const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    std::fprintf(stderr,
                 "tresor: warning: %s: %s was added with set --public and is not covered by its "
                 "group's MAC yet; `tresor seal --in-place %s` adopts it\n",
                 options.file.c_str(), path.c_str(), options.file.c_str());
  }
}

}  // namespace

Result<void> RunSeal(const SealedCommandOptions& options) {
  TRESOR_ASSIGN_OR_RETURN(sealed::SealedFile file, LoadSealedFile(options));
  if (file.has_header()) TRESOR_RETURN_IF_ERROR(UnlockSealedFile(file, options));
  // A new file is sealed to the -i identities too; a sealed one is opened with them.
  // Nothing named and no rule: the keyring's default key, as encrypt does.
  TRESOR_ASSIGN_OR_RETURN(
      sealed::Policy policy,
      MakePolicy(
          options, file,
          {.identities = !file.has_header(),
           .fallback_key = file.has_header() ? "" : keys::Keyring::Default().DefaultName()}));
  if (!file.has_header() && (policy.groups.empty() || policy.groups.front().recipients.empty()) &&
      !policy.assigns_groups) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "no recipients: give -r RECIPIENT, -R FILE, -i FILE, --key NAME or -p, a "
                     "rule in .tresor.toml, or make a default key (tresor key new NAME)");
  }
  auto sealed = file.Seal(policy);
  TRESOR_RETURN_IF_ERROR(Check(sealed, options));
  TRESOR_RETURN_IF_ERROR(Emit(options, *sealed, options.in_place, PublicOutput()));
  if (options.summary || ::isatty(STDERR_FILENO) == 1)
    PrintSealSummary(options.file, file.format(), *sealed);
  return {};
}

Result<void> RunUnseal(const SealedCommandOptions& options) {
  TRESOR_ASSIGN_OR_RETURN(sealed::SealedFile file, LoadSealedFile(options));
  TRESOR_RETURN_IF_ERROR(UnlockSealedFile(file, options));
  // --group: that group's values only, the others still sealed.
  // --path: the values under a pattern only, every group kept.
  auto plain = !options.unseal_path.empty() ? file.UnsealPaths(options.unseal_path)
               : options.group.empty()      ? file.Unseal()
                                            : file.UnsealGroup(options.group);
  TRESOR_RETURN_IF_ERROR(Check(plain, options));
  WarnPublic(options, file.PublicPaths());
  TRESOR_ASSIGN_OR_RETURN(const OutputPolicy policy, PlaintextOutput(options.mode));
  return Emit(options, *plain, options.in_place, policy);
}

namespace {

// get of a section or subtree (a path under which values are, glob segments
// allowed), as sops -d --extract: PATH=VALUE lines, or with --json one
// object nested by the paths' segments.
Result<void> PrintSubtree(const sealed::SealedFile& file, const SealedCommandOptions& options,
                          const std::vector<const formats::Value*>& values) {
  nlohmann::json tree = nlohmann::json::object();
  std::string text;
  for (const formats::Value* v : values) {
    auto value = file.Get(v->path);
    if (!value) return WithPlace(options.file, std::move(value).error());
    if (file.SealedPublicly(v->path)) WarnPublic(options, {v->path});
    std::string plain(reinterpret_cast<const char*>(value->Reveal().data()), value->size());
    if (options.json) {
      auto put = PutAtPath(tree, v->path, std::move(plain));
      if (!put) return WithPlace(options.file, std::move(put).error());
    } else {
      text.append(v->path).append("=").append(plain).append("\n");
    }
    crypto::Wipe({reinterpret_cast<uint8_t*>(plain.data()), plain.size()});
  }
  if (options.json) text = PrintJsonTree(tree);
  age::FdSink out(STDOUT_FILENO, "stdout");
  auto written = out.Write(crypto::AsBytes(text));
  crypto::Wipe({reinterpret_cast<uint8_t*>(text.data()), text.size()});
  return written;
}

}  // namespace

Result<void> RunGet(const SealedCommandOptions& options) {
  TRESOR_ASSIGN_OR_RETURN(sealed::SealedFile file, LoadSealedFile(options));
  if (file.has_header()) TRESOR_RETURN_IF_ERROR(UnlockSealedFile(file, options));
  auto value = file.Get(options.path);
  if (!value && value.error().code == ErrorCode::kNotFound) {
    std::vector<const formats::Value*> under;
    for (const formats::Value& v : file.document().values) {
      if (sealed::PathUnder(v.path, options.path)) under.push_back(&v);
    }
    if (!under.empty()) return PrintSubtree(file, options, under);
  }
  if (!value) return WithPlace(options.file, std::move(value).error());
  if (file.SealedPublicly(options.path)) WarnPublic(options, {options.path});
  age::FdSink out(STDOUT_FILENO, "stdout");
  TRESOR_RETURN_IF_ERROR(out.Write(value->Reveal()));
  return out.Write(crypto::AsBytes("\n"));
}

Result<void> RunSet(SealedCommandOptions& options) {
  TRESOR_ASSIGN_OR_RETURN(sealed::SealedFile file, LoadSealedFile(options));
  if (!file.has_header()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     options.file + ": not sealed yet (no tresor header); run tresor seal first");
  }
  if (!options.set_public) TRESOR_RETURN_IF_ERROR(UnlockSealedFile(file, options));
  crypto::SecretBytes value;
  if (options.from_stdin) {
    TRESOR_ASSIGN_OR_RETURN(value, ReadSecretFile("/dev/stdin", kMaxValue));
    // A value piped in by `echo` or typed ends in one newline that is not part of it.
    const auto bytes = value.Reveal();
    if (!bytes.empty() && bytes.back() == '\n') value.Truncate(value.size() - 1);
  } else if (options.value) {
    value = std::move(*options.value);
  } else {
    return MakeError(ErrorCode::kInvalidArgument, "set needs VALUE or --stdin");
  }
  TRESOR_ASSIGN_OR_RETURN(sealed::Policy policy, MakePolicy(options, file, {}));
  auto edited = options.set_public ? file.SetPublic(options.path, value, policy)
                                   : file.Set(options.path, value, policy);
  TRESOR_RETURN_IF_ERROR(Check(edited, options));
  return Emit(options, *edited, true, PublicOutput());
}

Result<void> RunUnset(const SealedCommandOptions& options) {
  TRESOR_ASSIGN_OR_RETURN(sealed::SealedFile file, LoadSealedFile(options));
  TRESOR_RETURN_IF_ERROR(UnlockSealedFile(file, options));
  auto edited = file.Unset(options.path);
  TRESOR_RETURN_IF_ERROR(Check(edited, options));
  return Emit(options, *edited, true, PublicOutput());
}

Result<void> RunRotate(const SealedCommandOptions& options) {
  TRESOR_ASSIGN_OR_RETURN(sealed::SealedFile file, LoadSealedFile(options));
  TRESOR_RETURN_IF_ERROR(UnlockSealedFile(file, options));
  TRESOR_ASSIGN_OR_RETURN(sealed::Policy policy, MakePolicy(options, file, {.header = true}));
  auto rotated = file.Rotate(policy);
  TRESOR_RETURN_IF_ERROR(Check(rotated, options));
  return Emit(options, *rotated, true, PublicOutput());
}

Result<void> RunUpdateKeys(const SealedCommandOptions& options) {
  TRESOR_ASSIGN_OR_RETURN(sealed::SealedFile file, LoadSealedFile(options));
  TRESOR_ASSIGN_OR_RETURN(sealed::Policy policy, MakePolicy(options, file, {}));
  if (std::all_of(policy.groups.begin(), policy.groups.end(),
                  [](const auto& g) { return g.recipients.empty(); })) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "no recipients to update to: give -r RECIPIENT, -R FILE or -p, or a rule "
                     "in .tresor.toml");
  }
  TRESOR_RETURN_IF_ERROR(UnlockSealedFile(file, options));
  auto updated = file.UpdateKeys(policy);
  TRESOR_RETURN_IF_ERROR(Check(updated, options));
  if (*updated == file.text()) {
    std::fprintf(stderr, "tresor: %s: recipients unchanged\n", options.file.c_str());
    return {};
  }
  return Emit(options, *updated, true, PublicOutput());
}

Result<void> RunRevoke(const SealedCommandOptions& options) {
  TRESOR_ASSIGN_OR_RETURN(sealed::SealedFile file, LoadSealedFile(options));
  TRESOR_RETURN_IF_ERROR(UnlockSealedFile(file, options));
  std::vector<std::string> still_listed;
  TRESOR_ASSIGN_OR_RETURN(
      sealed::Policy policy,
      MakePolicy(options, file,
                 {.command_line = false, .header = true, .still_listed = &still_listed}));
  auto revoked = file.Revoke(options.revoked, policy);
  if (!revoked) return WithPlace(options.file, std::move(revoked).error());
  TRESOR_RETURN_IF_ERROR(Emit(options, revoked->text, true, PublicOutput()));
  for (const std::string& group : still_listed) {
    std::fprintf(stderr,
                 "tresor: warning: .tresor.toml still lists this recipient for group %s; "
                 "remove it there, or updatekeys will give it the new key\n",
                 group.c_str());
  }
  // What the recipient could read: secrets to change at their source.
  std::string out;
  if (options.json) {
    out = "{\"file\":" + formats::EscapedString(options.file) + ",\"groups\":[";
    for (size_t i = 0; i < revoked->groups.size(); ++i) {
      out.append(i ? "," : "").append(formats::EscapedString(revoked->groups[i]));
    }
    out += "],\"paths\":[";
    for (size_t i = 0; i < revoked->paths.size(); ++i) {
      out.append(i ? "," : "").append(formats::EscapedString(revoked->paths[i]));
    }
    out += "]}\n";
  } else {
    std::string groups;
    for (const std::string& g : revoked->groups)
      groups.append(groups.empty() ? "" : ", ").append(g);
    for (const std::string& path : revoked->paths) out.append(path).append("\n");
    std::fprintf(stderr,
                 "tresor: %s: removed from group %s, which got a new data key. It could read "
                 "the %zu value(s) listed on stdout: change them where they are issued.\n",
                 options.file.c_str(), groups.c_str(), revoked->paths.size());
  }
  age::FdSink sink(STDOUT_FILENO, "stdout");
  return sink.Write(crypto::AsBytes(out));
}

}  // namespace tresor::cli
