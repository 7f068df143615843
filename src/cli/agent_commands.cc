#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>

#include "agent/server.h"
#include "cli/key_commands.h"
#include "cli/passphrase.h"
#include "crypto/secret_file.h"
#include "formats/document.h"
#include "keys/agent_client.h"
#include "keys/identity_file.h"
#include "keys/key_chain.h"
#include "keys/keyring.h"

namespace tresor::cli {
namespace {

using keys::RequestKind;

Result<keys::AgentReply> Call(RequestKind kind, std::span<const std::string_view> fields = {},
                              int pass_fd = -1) {
  return keys::CallAgent(keys::AgentSocketPath(), kind, fields, pass_fd);
}

void Log(const std::string& line) {
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", std::localtime(&now));
  std::fprintf(stderr, "%s tresor agent: %s\n", stamp, line.c_str());
}

// The identity file `agent add` means: FILE, or the keyring's default key.
Result<std::string> AddTarget(const KeyOptions& options) {
  if (!options.file.empty()) return options.file;
  const keys::Keyring keyring = keys::Keyring::Default();
  const std::string name = options.name.empty() ? keyring.DefaultName() : options.name;
  if (name.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "agent add: give an IDENTITY_FILE or --key NAME (the keyring has no default)");
  }
  TRESOR_ASSIGN_OR_RETURN(keys::KeyringEntry entry, keyring.Find(name));
  return entry.path;
}

}  // namespace

Result<void> RunAgentRun(const KeyOptions&) {
  agent::ServerOptions server;
  server.socket_path = keys::AgentSocketPath();
  server.log = Log;
  return agent::RunServer(server);
}

Result<void> RunAgentStart(const KeyOptions&) {
  const std::string socket = keys::AgentSocketPath();
  int ready[2];
  if (::pipe2(ready, O_CLOEXEC) != 0) return MakeError(ErrorCode::kIo, "pipe failed");
  const pid_t pid = ::fork();
  if (pid < 0) return MakeError(ErrorCode::kIo, "fork failed");
  if (pid == 0) {
    ::close(ready[0]);
    ::setsid();
    const int null = ::open("/dev/null", O_RDWR);
    for (int fd : {0, 1, 2}) ::dup2(null, fd);
    if (::fork() != 0) ::_exit(0);  // the agent is not a session leader
    agent::ServerOptions server;
    server.socket_path = socket;
    server.log = [](const std::string&) {};
    server.ready = [&] {
      (void)!::write(ready[1], "ok", 2);
      ::close(ready[1]);
    };
    auto result = agent::RunServer(server);
    if (!result)
      (void)!::write(ready[1], result.error().message.data(), result.error().message.size());
    ::_exit(result ? 0 : 1);
  }
  ::close(ready[1]);
  ::waitpid(pid, nullptr, 0);
  std::string answer;
  char buf[512];
  ssize_t n = 0;
  while ((n = ::read(ready[0], buf, sizeof buf)) > 0) {
    answer.append(buf, static_cast<size_t>(n));
    if (answer == "ok") break;
  }
  ::close(ready[0]);
  if (answer != "ok") {
    return MakeError(ErrorCode::kRefused,
                     answer.empty() ? "the agent did not start" : "agent: " + answer);
  }
  TRESOR_ASSIGN_OR_RETURN(auto status, Call(RequestKind::kStatus));
  std::fprintf(stderr, "tresor: agent started (pid %s), socket %s\n",
               std::string(status.message.Text(0)).c_str(), socket.c_str());
  return {};
}

Result<void> RunAgentStop(const KeyOptions&) {
  TRESOR_RETURN_IF_ERROR(Call(RequestKind::kStop));
  std::fprintf(stderr, "tresor: agent stopped\n");
  return {};
}

Result<void> RunAgentStatus(const KeyOptions& options) {
  auto reply = Call(RequestKind::kStatus);
  if (!reply) {
    if (options.json)
      std::printf("{\"running\":false,\"socket\":%s}\n",
                  formats::EscapedString(keys::AgentSocketPath()).c_str());
    return reply.error().code == ErrorCode::kNotFound
               ? MakeError(ErrorCode::kRefused, "no agent running: " + reply.error().message)
               : std::move(reply).error();
  }
  const auto& m = reply->message;
  // Server tokens (login --agent): an agent started before they existed has no such field.
  const std::string tokens(m.fields.size() > 5 ? m.Text(5) : "0");
  if (options.json) {
    std::printf(
        "{\"running\":true,\"pid\":%s,\"socket\":%s,\"identities\":%s,\"locked\":%s,"
        "\"tokens\":%s}\n",
        std::string(m.Text(0)).c_str(), formats::EscapedString(m.Text(1)).c_str(),
        std::string(m.Text(2)).c_str(), std::string(m.Text(3)).c_str(), tokens.c_str());
  } else {
    std::printf("agent running (pid %s) at %s: %s identities, %s locked%s\n",
                std::string(m.Text(0)).c_str(), std::string(m.Text(1)).c_str(),
                std::string(m.Text(2)).c_str(), std::string(m.Text(3)).c_str(),
                tokens == "0" ? "" : (", " + tokens + " server token(s)").c_str());
  }
  return {};
}

Result<void> RunAgentAdd(const KeyOptions& options) {
  TRESOR_ASSIGN_OR_RETURN(std::string file, AddTarget(options));
  std::error_code ec;
  const std::string name = std::filesystem::weakly_canonical(file, ec).string();
  TRESOR_ASSIGN_OR_RETURN(const int64_t ttl,
                          options.ttl.empty() ? Result<int64_t>(0) : ParseDuration(options.ttl));
  TRESOR_ASSIGN_OR_RETURN(const int64_t idle,
                          options.idle.empty() ? Result<int64_t>(0) : ParseDuration(options.idle));
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return MakeError(ErrorCode::kIo, file + ": cannot open");
  // The agent reads the file through this descriptor and opens it itself:
  // the decrypted identity never crosses the socket, only the passphrase.
  auto head = crypto::ReadSecretFd(fd, file, keys::kMaxIdentityFile);
  ::lseek(fd, 0, SEEK_SET);
  crypto::SecretBytes passphrase;
  if (head && keys::IsProtectedIdentity(*head)) {
    const PassphraseSource passphrases(options.passphrase_file);
    auto got = passphrases.Get("Enter passphrase for identity file \"" + file + "\"", false);
    if (!got) {
      ::close(fd);
      return std::move(got).error();
    }
    passphrase = std::move(*got);
  }
  const std::string ttl_text = std::to_string(ttl);
  const std::string idle_text = std::to_string(idle);
  const std::span<const uint8_t> fields[] = {crypto::AsBytes(name), passphrase.Reveal(),
                                             crypto::AsBytes(ttl_text), crypto::AsBytes(idle_text)};
  auto reply =
      keys::CallAgent(keys::AgentSocketPath(),
                      keys::EncodeFrame(static_cast<uint8_t>(RequestKind::kAdd), fields), fd);
  ::close(fd);
  if (!reply) return WithPlace(file, std::move(reply).error());
  for (size_t i = 0; i < reply->message.fields.size(); ++i) {
    std::fprintf(stderr, "tresor: added %s (%s) to the agent%s\n", name.c_str(),
                 std::string(reply->message.Text(i)).c_str(),
                 ttl > 0 ? (", for " + keys::FormatDuration(ttl)).c_str() : "");
  }
  return {};
}

Result<void> RunAgentList(const KeyOptions& options) {
  TRESOR_ASSIGN_OR_RETURN(auto reply, Call(RequestKind::kList));
  const auto& m = reply.message;
  std::string out = options.json ? "[" : "";
  for (size_t i = 0; i + 5 < m.fields.size(); i += 6) {
    const std::string expires(m.Text(i + 4));
    if (options.json) {
      out.append(i ? "," : "")
          .append("{\"name\":")
          .append(formats::EscapedString(m.Text(i)))
          .append(",\"recipient\":")
          .append(formats::EscapedString(m.Text(i + 1)))
          .append(",\"state\":")
          .append(formats::EscapedString(m.Text(i + 2)))
          .append(",\"protected\":")
          .append(m.Text(i + 3) == "protected" ? "true" : "false")
          .append(",\"expires\":")
          .append(expires)
          .append(",\"idle_seconds\":")
          .append(m.Text(i + 5))
          .append("}");
      continue;
    }
    std::string line(m.Text(i));
    line.append("  ").append(m.Text(i + 1)).append("  ").append(m.Text(i + 2));
    if (expires != "0") {
      const int64_t left = std::stoll(expires) - static_cast<int64_t>(std::time(nullptr));
      line.append(", expires in ").append(keys::FormatDuration(left > 0 ? left : 0));
    }
    out.append(line).append("\n");
  }
  if (options.json) out.append("]\n");
  std::fputs(out.c_str(), stdout);
  return {};
}

Result<void> RunAgentRemove(const KeyOptions& options) {
  std::string name;
  if (!options.all) {
    TRESOR_ASSIGN_OR_RETURN(std::string file, AddTarget(options));
    std::error_code ec;
    name = std::filesystem::weakly_canonical(file, ec).string();
  }
  const std::string_view fields[] = {name};
  TRESOR_RETURN_IF_ERROR(Call(RequestKind::kRemove, fields));
  return {};
}

Result<void> RunAgentLock(const KeyOptions&) {
  TRESOR_RETURN_IF_ERROR(Call(RequestKind::kLock));
  std::fprintf(stderr, "tresor: agent locked\n");
  return {};
}

Result<void> RunAgentUnlock(const KeyOptions& options) {
  TRESOR_ASSIGN_OR_RETURN(auto list, Call(RequestKind::kList));
  const PassphraseSource passphrases(options.passphrase_file);
  size_t unlocked = 0;
  const auto& m = list.message;
  for (size_t i = 0; i + 5 < m.fields.size(); i += 6) {
    if (m.Text(i + 2) != "locked") continue;
    const std::string name(m.Text(i));
    TRESOR_ASSIGN_OR_RETURN(
        crypto::SecretBytes passphrase,
        passphrases.Get("Enter passphrase for identity file \"" + name + "\"", false));
    const std::span<const uint8_t> fields[] = {crypto::AsBytes(name), passphrase.Reveal()};
    auto reply =
        keys::CallAgent(keys::AgentSocketPath(),
                        keys::EncodeFrame(static_cast<uint8_t>(RequestKind::kUnlock), fields));
    if (!reply) return WithPlace(name, std::move(reply).error());
    ++unlocked;
  }
  std::fprintf(stderr, "tresor: %zu identit%s unlocked\n", unlocked, unlocked == 1 ? "y" : "ies");
  return {};
}

}  // namespace tresor::cli
