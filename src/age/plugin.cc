#include "age/plugin.h"

#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <utility>

#include "age/base64.h"
#include "age/bech32.h"
#include "age/io.h"
#include "age/plugin_channel.h"

extern char** environ;

namespace tresor::age {
namespace {

constexpr size_t kMaxCommands = 10000;  // per phase: a plugin cannot keep us for ever

bool IsPluginName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                    c == '.' || c == '+';
    if (!ok) return false;
  }
  return true;
}

// Printable text of a plugin's message: controls become '?'.
std::string Printable(std::span<const uint8_t> bytes) {
  std::string out;
  for (uint8_t b : bytes) out += (b >= 0x20 && b != 0x7f) || b == '\n' ? static_cast<char>(b) : '?';
  return out;
}

Stanza Command(std::string type, std::vector<std::string> args = {},
               std::span<const uint8_t> body = {}) {
  return Stanza{std::move(type), std::move(args), {body.begin(), body.end()}};
}

// One run of age-plugin-NAME over a socket pair on its stdin and stdout.
class PluginProcess {
 public:
  static Result<std::unique_ptr<PluginProcess>> Start(const std::string& plugin,
                                                      const std::string& state_machine) {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
      return MakeError(ErrorCode::kIo, "socketpair: " + std::string(std::strerror(errno)));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    const std::string binary = "age-plugin-" + plugin;
    const std::string flag = "--age-plugin=" + state_machine;
    char* argv[] = {const_cast<char*>(binary.c_str()), const_cast<char*>(flag.c_str()), nullptr};
    pid_t pid = -1;
    const int rc = ::posix_spawnp(&pid, binary.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (rc != 0) {
      ::close(fds[0]);
      return MakeError(
          rc == ENOENT ? ErrorCode::kUnavailable : ErrorCode::kIo,
          binary + ": " +
              (rc == ENOENT ? std::string("not found in PATH") : std::string(std::strerror(rc))));
    }
    return std::unique_ptr<PluginProcess>(new PluginProcess(binary, fds[0], pid));
  }

  ~PluginProcess() {
    ::close(fd_);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  PluginProcess(const PluginProcess&) = delete;
  PluginProcess& operator=(const PluginProcess&) = delete;

  const std::string& binary() const { return channel_.name(); }

  Result<void> Send(const Stanza& stanza) { return channel_.Send(stanza); }
  Result<Stanza> Receive() { return channel_.Receive(); }

 private:
  PluginProcess(const std::string& binary, int fd, pid_t pid)
      : fd_(fd), pid_(pid), channel_(fd, fd, binary, true) {}

  int fd_;
  pid_t pid_;
  StanzaChannel channel_;
};

// Answers the user-facing commands of phase 2 (msg, confirm, request-*);
// false if `cmd` is not one of them.
Result<bool> AnswerUi(PluginProcess& p, const std::string& plugin, const PluginUi& ui,
                      const Stanza& cmd) {
  const std::string text = Printable(cmd.body);
  if (cmd.type == "msg") {
    const bool shown = ui.message && ui.message(plugin, text);
    TRESOR_RETURN_IF_ERROR(p.Send(Command(shown ? "ok" : "fail")));
    return true;
  }
  if (cmd.type == "request-secret" || cmd.type == "request-public") {
    std::optional<crypto::SecretBytes> answer;
    if (ui.request) answer = ui.request(plugin, text, cmd.type == "request-secret");
    TRESOR_RETURN_IF_ERROR(p.Send(answer ? Command("ok", {}, answer->Reveal()) : Command("fail")));
    return true;
  }
  if (cmd.type == "confirm") {
    std::vector<uint8_t> yes, no;
    if (cmd.args.empty() || !DecodeBase64Unpadded(cmd.args[0], yes) ||
        (cmd.args.size() > 1 && !DecodeBase64Unpadded(cmd.args[1], no))) {
      TRESOR_RETURN_IF_ERROR(p.Send(Command("fail")));
      return true;
    }
    std::optional<bool> choice;
    if (ui.confirm) choice = ui.confirm(plugin, text, Printable(yes), Printable(no));
    TRESOR_RETURN_IF_ERROR(
        p.Send(choice ? Command("ok", {*choice ? "yes" : "no"}) : Command("fail")));
    return true;
  }
  return false;
}

bool MessageToStderr(const std::string& plugin, const std::string& message) {
  std::fprintf(stderr, "age-plugin-%s: %s\n", plugin.c_str(), message.c_str());
  return true;
}

}  // namespace

const PluginUi& DefaultPluginUi() {
  static const PluginUi ui{MessageToStderr, nullptr, nullptr};
  return ui;
}

std::optional<std::string> PluginRecipientName(std::string_view text) {
  const size_t sep = text.rfind('1');
  if (!text.starts_with("age1") || sep == std::string_view::npos || sep <= 4) return std::nullopt;
  const std::string name(text.substr(4, sep - 4));
  if (!IsPluginName(name)) return std::nullopt;
  return name;
}

Result<PluginRecipient> PluginRecipient::Parse(std::string_view text, const PluginUi* ui) {
  auto name = PluginRecipientName(text);
  auto decoded = Bech32Decode(text);
  if (!name || !decoded || decoded->hrp != "age1" + *name) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "not a plugin recipient (expected age1NAME1... in Bech32)");
  }
  return PluginRecipient(std::string(text), *name, ui != nullptr ? ui : &DefaultPluginUi());
}

Result<std::vector<Stanza>> PluginRecipient::Wrap(const crypto::SecretBytes& file_key) const {
  TRESOR_ASSIGN_OR_RETURN(auto p, PluginProcess::Start(plugin_, "recipient-v1"));
  TRESOR_RETURN_IF_ERROR(p->Send(Command("add-recipient", {text_})));
  TRESOR_RETURN_IF_ERROR(p->Send(Command("wrap-file-key", {}, file_key.Reveal())));
  TRESOR_RETURN_IF_ERROR(p->Send(Command("done")));
  std::vector<Stanza> stanzas;
  std::string errors;
  for (size_t n = 0;; ++n) {
    if (n == kMaxCommands) return MakeError(ErrorCode::kIo, p->binary() + ": too many commands");
    TRESOR_ASSIGN_OR_RETURN(Stanza cmd, p->Receive());
    if (cmd.type == "done") break;
    TRESOR_ASSIGN_OR_RETURN(const bool answered, AnswerUi(*p, plugin_, *ui_, cmd));
    if (answered) continue;
    if (cmd.type == "recipient-stanza" && cmd.args.size() >= 2 && cmd.args[0] == "0") {
      stanzas.push_back(Stanza{cmd.args[1], {cmd.args.begin() + 2, cmd.args.end()}, cmd.body});
      TRESOR_RETURN_IF_ERROR(p->Send(Command("ok")));
    } else if (cmd.type == "error") {
      errors += (errors.empty() ? "" : "; ") + Printable(cmd.body);
      TRESOR_RETURN_IF_ERROR(p->Send(Command("ok")));
    } else {
      TRESOR_RETURN_IF_ERROR(p->Send(Command("unsupported")));
    }
  }
  if (!errors.empty()) return MakeError(ErrorCode::kRefused, p->binary() + ": " + errors);
  if (stanzas.empty()) {
    return MakeError(ErrorCode::kRefused, p->binary() + ": wrapped the file key for no one");
  }
  return stanzas;
}

Result<PluginIdentity> PluginIdentity::Parse(std::string_view text, const PluginUi* ui) {
  auto decoded = Bech32Decode(text);
  const std::string_view prefix = "age-plugin-";
  if (!decoded || !decoded->hrp.starts_with(prefix) || !decoded->hrp.ends_with('-') ||
      !IsPluginName(std::string_view(decoded->hrp)
                        .substr(prefix.size(), decoded->hrp.size() - prefix.size() - 1))) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "not a plugin identity (expected AGE-PLUGIN-NAME-1... in Bech32)");
  }
  std::string name = decoded->hrp.substr(prefix.size(), decoded->hrp.size() - prefix.size() - 1);
  return PluginIdentity(crypto::SecretBytes::CopyOf(crypto::AsBytes(text), crypto::Lifetime::kLong),
                        std::move(name), ui != nullptr ? ui : &DefaultPluginUi());
}

Result<std::optional<crypto::SecretBytes>> PluginIdentity::Unwrap(
    std::span<const Stanza> stanzas) const {
  // age-plugin-tresor opens files with tresor's keys, which may list it.
  if (plugin_ == "tresor" && std::getenv("TRESOR_IN_AGE_PLUGIN") != nullptr) {
    return std::optional<crypto::SecretBytes>();
  }
  auto started = PluginProcess::Start(plugin_, "identity-v1");
  if (!started) {
    // Decryption may go on with other identities; say why this one could not.
    const std::string& why = started.error().message;
    const std::string prefix = "age-plugin-" + plugin_ + ": ";
    if (ui_->message)
      ui_->message(plugin_, why.starts_with(prefix) ? why.substr(prefix.size()) : why);
    return std::optional<crypto::SecretBytes>();
  }
  PluginProcess& p = **started;
  const std::string_view text(reinterpret_cast<const char*>(text_.Reveal().data()), text_.size());
  TRESOR_RETURN_IF_ERROR(p.Send(Command("add-identity", {std::string(text)})));
  for (const Stanza& s : stanzas) {
    std::vector<std::string> args = {"0", s.type};
    args.insert(args.end(), s.args.begin(), s.args.end());
    TRESOR_RETURN_IF_ERROR(p.Send(Command("recipient-stanza", std::move(args), s.body)));
  }
  TRESOR_RETURN_IF_ERROR(p.Send(Command("done")));
  std::optional<crypto::SecretBytes> key;
  std::string stanza_error;
  for (size_t n = 0;; ++n) {
    if (n == kMaxCommands) return MakeError(ErrorCode::kIo, p.binary() + ": too many commands");
    TRESOR_ASSIGN_OR_RETURN(Stanza cmd, p.Receive());
    if (cmd.type == "done") break;
    TRESOR_ASSIGN_OR_RETURN(const bool answered, AnswerUi(p, plugin_, *ui_, cmd));
    if (answered) continue;
    if (cmd.type == "file-key" && !cmd.args.empty() && cmd.args[0] == "0" && !key) {
      if (cmd.body.size() != kFileKeySize) {
        return MakeError(ErrorCode::kHeader, p.binary() + ": a file key that is not 16 bytes");
      }
      key = crypto::SecretBytes::CopyOf(cmd.body);
      std::fill(cmd.body.begin(), cmd.body.end(), 0);
      TRESOR_RETURN_IF_ERROR(p.Send(Command("ok")));
    } else if (cmd.type == "error") {
      const std::string what = Printable(cmd.body);
      if (!cmd.args.empty() && cmd.args[0] == "stanza") {
        stanza_error = what;
      } else if (ui_->message) {
        ui_->message(plugin_, what);
      }
      TRESOR_RETURN_IF_ERROR(p.Send(Command("ok")));
    } else {
      TRESOR_RETURN_IF_ERROR(p.Send(Command("unsupported")));
    }
  }
  if (!key && !stanza_error.empty()) {
    return MakeError(ErrorCode::kHeader, p.binary() + ": " + stanza_error);
  }
  return key;
}

}  // namespace tresor::age
