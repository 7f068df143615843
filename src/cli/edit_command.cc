// tresor edit: the unsealed file in $EDITOR, from a private directory on a
// tmpfs (never a persistent disk), re-sealed keeping every unchanged token.
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "cli/files.h"
#include "cli/output.h"
#include "cli/private_file.h"
#include "cli/sealed_file_io.h"

namespace tresor::cli {
namespace {

// Runs $VISUAL or $EDITOR (default vi) on `path` through the shell, so the
// variable may hold arguments; SIGINT and SIGQUIT go to the editor alone.
Result<void> RunEditor(const std::string& path) {
  const char* editor = std::getenv("VISUAL");
  if (editor == nullptr || *editor == '\0') editor = std::getenv("EDITOR");
  if (editor == nullptr || *editor == '\0') editor = "vi";
  const std::string command = std::string(editor) + " \"$1\"";
  struct sigaction ignore {
  }, old_int{}, old_quit{};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGINT, &ignore, &old_int);
  ::sigaction(SIGQUIT, &ignore, &old_quit);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::sigaction(SIGINT, &old_int, nullptr);
    ::sigaction(SIGQUIT, &old_quit, nullptr);
    ::execl("/bin/sh", "sh", "-c", command.c_str(), "sh", path.c_str(), nullptr);
    ::_exit(127);
  }
  int status = 0;
  while (pid > 0 && ::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGQUIT, &old_quit, nullptr);
  if (pid < 0)
    return MakeError(ErrorCode::kIo,
                     std::string("cannot start the editor: ") + std::strerror(errno));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return MakeError(
        ErrorCode::kRefused,
        std::string("the editor (") + editor + ") failed " +
            (WIFEXITED(status) ? "with exit code " + std::to_string(WEXITSTATUS(status))
                               : std::string("on a signal")));
  }
  return {};
}

}  // namespace

Result<void> RunEdit(const SealedCommandOptions& options) {
  TRESOR_ASSIGN_OR_RETURN(sealed::SealedFile file, LoadSealedFile(options));
  if (!file.has_header()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     options.file + ": not sealed yet (no tresor header); run tresor seal first");
  }
  TRESOR_RETURN_IF_ERROR(UnlockSealedFile(file, options));
  auto plain = file.Unseal();
  if (!plain) return WithPlace(options.file, std::move(plain).error());
  const size_t slash = options.file.rfind('/');
  const std::string name = options.file.substr(slash == std::string::npos ? 0 : slash + 1);
  TRESOR_ASSIGN_OR_RETURN(sealed::Policy policy,
                          MakePolicy(options, file, {.command_line = false}));
  TRESOR_ASSIGN_OR_RETURN(PrivateFile scratch, PrivateFile::Create(name, *plain));
  Result<std::string> sealed = std::string();
  while (true) {
    auto ran = RunEditor(scratch.path());
    if (!ran) return WithPlace(options.file + " unchanged", std::move(ran).error());
    TRESOR_ASSIGN_OR_RETURN(std::string edited, ReadTextFile(scratch.path(), kMaxConfigFile));
    if (edited == *plain) {
      crypto::Wipe({reinterpret_cast<uint8_t*>(plain->data()), plain->size()});
      std::fprintf(stderr, "tresor: %s: no changes\n", options.file.c_str());
      return {};
    }
    sealed = file.SealEdit(std::move(edited), policy);
    if (sealed) break;
    // The edited text is gone once the editor closes: its location is not
    // a file's, so not in the FILE:LINE:COL form.
    Error e = std::move(sealed).error();
    e.message = options.file + " unchanged; in the edited text: " + e.message;
    // On a terminal, as sops does: the text is still in the scratch file,
    // so the editor can open it again rather than lose the edit.
    if (::isatty(STDIN_FILENO) != 1 || ::isatty(STDERR_FILENO) != 1) return e;
    std::fprintf(stderr, "tresor: error: %s\nReopen the editor with your text? [Y/n] ",
                 e.message.c_str());
    std::string answer;
    if (!std::getline(std::cin, answer) || answer == "n" || answer == "N" || answer == "no") {
      return e;
    }
  }
  crypto::Wipe({reinterpret_cast<uint8_t*>(plain->data()), plain->size()});
  TRESOR_ASSIGN_OR_RETURN(Output out, Output::Open(options.file, PublicOutput()));
  TRESOR_RETURN_IF_ERROR(out.sink().Write(crypto::AsBytes(*sealed)));
  return out.Commit();
}

}  // namespace tresor::cli
