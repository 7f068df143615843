// Git integration for sealed files: a diff textconv that shows unsealed
// values to whoever can unseal, and a merge driver that merges the unsealed
// documents three ways and re-seals, keeping unchanged tokens and writing a
// fresh MAC (so two branches that change different secrets merge cleanly).
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <vector>

#include "cli/commands.h"
#include "cli/files.h"
#include "cli/output.h"
#include "cli/private_file.h"
#include "cli/run_program.h"
#include "cli/sealed_file_io.h"

namespace tresor::cli {
namespace {

std::string SelfPath() {
  char buf[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "tresor";
}

// A file loaded (and unlocked, if sealed) with its plaintext: the unsealed
// text, or the file as it is when it is not sealed (a new file's empty base).
struct Opened {
  sealed::SealedFile file;
  std::string plain;
};

Result<Opened> Open(const SealedCommandOptions& options) {
  TRESOR_ASSIGN_OR_RETURN(sealed::SealedFile file, LoadSealedFile(options));
  if (!file.has_header()) {
    std::string plain = file.text();
    return Opened{std::move(file), std::move(plain)};
  }
  TRESOR_RETURN_IF_ERROR(UnlockSealedFile(file, options));
  auto plain = file.Unseal();
  if (!plain) return WithPlace(options.file, std::move(plain).error());
  return Opened{std::move(file), std::move(*plain)};
}

}  // namespace

Result<void> RunGitSetup(const GitOptions& options) {
  const std::string self = SelfPath();
  const std::vector<std::vector<std::string>> config = {
      {"git", "config", "diff.tresor.textconv", self + " git-textconv"},
      {"git", "config", "merge.tresor.name", "tresor: merge sealed values, re-seal"},
      {"git", "config", "merge.tresor.driver", self + " git-merge %O %A %B %P"},
  };
  for (const auto& argv : config) {
    TRESOR_ASSIGN_OR_RETURN(ProgramRun run, RunProgram(argv));
    if (run.status != 0) {
      return MakeError(ErrorCode::kIo, "git config failed (is this a git repository?)");
    }
  }
  if (options.patterns.empty()) return {};
  std::string attributes;
  if (auto existing = ReadTextFile(".gitattributes", 1 << 20)) attributes = std::move(*existing);
  std::string added;
  for (const std::string& pattern : options.patterns) {
    const std::string line = pattern + " diff=tresor merge=tresor";
    if (attributes.find(line + "\n") == std::string::npos) added += line + "\n";
  }
  if (added.empty()) return {};
  if (!attributes.empty() && attributes.back() != '\n') attributes += '\n';
  TRESOR_ASSIGN_OR_RETURN(Output out, Output::Open(".gitattributes", PublicOutput()));
  TRESOR_RETURN_IF_ERROR(out.sink().Write(crypto::AsBytes(attributes + added)));
  return out.Commit();
}

Result<void> RunGitTextconv(const GitOptions& options) {
  SealedCommandOptions file;
  file.file = options.files.at(0);
  file.format = options.format;
  // Whoever cannot unseal sees the sealed file, so `git diff` always works.
  auto opened = Open(file);
  std::string text;
  if (opened) {
    text = std::move(opened->plain);
  } else {
    TRESOR_ASSIGN_OR_RETURN(text, ReadTextFile(file.file, kMaxConfigFile));
  }
  age::FdSink out(STDOUT_FILENO, "stdout");
  return out.Write(crypto::AsBytes(text));
}

Result<void> RunGitMerge(const GitOptions& options) {
  // git passes %O (base), %A (ours, also where the result goes), %B (theirs)
  // and %P (the path in the tree, for the format).
  const std::string& path = options.files.at(3);
  std::string format = options.format;
  if (format.empty()) {
    const formats::Format* by_name = formats::FormatForFile(path);
    if (by_name == nullptr)
      return MakeError(ErrorCode::kInvalidArgument, path + ": unknown format");
    format = by_name->name();
  }
  SealedCommandOptions base, ours, theirs;
  for (auto [o, i] : {std::pair{&base, 0}, std::pair{&ours, 1}, std::pair{&theirs, 2}}) {
    o->file = options.files.at(static_cast<size_t>(i));
    o->format = format;
  }
  TRESOR_ASSIGN_OR_RETURN(Opened base_side, Open(base));
  TRESOR_ASSIGN_OR_RETURN(Opened our_side, Open(ours));
  TRESOR_ASSIGN_OR_RETURN(Opened their_side, Open(theirs));
  TRESOR_ASSIGN_OR_RETURN(PrivateFile o, PrivateFile::Create("base", base_side.plain));
  TRESOR_ASSIGN_OR_RETURN(PrivateFile a, PrivateFile::Create("ours", our_side.plain));
  TRESOR_ASSIGN_OR_RETURN(PrivateFile b, PrivateFile::Create("theirs", their_side.plain));
  TRESOR_ASSIGN_OR_RETURN(ProgramRun merged,
                          RunProgram({"git", "merge-file", "-p", a.path(), o.path(), b.path()}));
  if (merged.status != 0) {
    // Conflict markers around secrets cannot go into the work tree: ours
    // stays, and git reports the conflict.
    std::fprintf(stderr,
                 "tresor: %s: the unsealed versions conflict; kept ours. Resolve with "
                 "`tresor edit %s`.\n",
                 path.c_str(), path.c_str());
    return MakeError(ErrorCode::kRefused, path + ": merge conflict");
  }
  if (merged.out == our_side.plain) return {};  // ours is already the result
  if (!our_side.file.has_header()) {
    return MakeError(ErrorCode::kInvalidArgument, path + ": our side is not sealed");
  }
  ours.rules_for = path;  // .tresor.toml rules apply to the path in the tree
  TRESOR_ASSIGN_OR_RETURN(sealed::Policy policy,
                          MakePolicy(ours, our_side.file, {.command_line = false}));
  auto sealed = our_side.file.SealEdit(std::move(merged.out), policy);
  if (!sealed) return WithPlace(path, std::move(sealed).error());
  TRESOR_ASSIGN_OR_RETURN(Output out, Output::Open(ours.file, PublicOutput()));
  TRESOR_RETURN_IF_ERROR(out.sink().Write(crypto::AsBytes(*sealed)));
  return out.Commit();
}

}  // namespace tresor::cli
