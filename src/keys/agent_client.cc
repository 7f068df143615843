#include "keys/agent_client.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>

namespace tresor::keys {
namespace {

constexpr int kTimeoutSeconds = 60;

Error Io(const std::string& place, const char* what) {
  return MakeError(ErrorCode::kIo, place + ": " + what + ": " + std::strerror(errno));
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

Result<void> CheckSocketFile(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return MakeError(ErrorCode::kNotFound, "no agent socket at " + path);
    return Io(path, "lstat");
  }
  if (!S_ISSOCK(st.st_mode)) {
    return MakeError(
        ErrorCode::kRefused,
        path + " is not a socket" + (S_ISLNK(st.st_mode) ? " (a symlink)" : "") + "; not using it");
  }
  if (st.st_uid != ::geteuid()) {
    return MakeError(ErrorCode::kRefused,
                     path + " belongs to uid " + std::to_string(st.st_uid) + "; not using it");
  }
  return {};
}

}  // namespace

std::string AgentSocketPath() {
  if (const char* sock = std::getenv("TRESOR_AGENT_SOCK"); sock != nullptr && *sock != '\0') {
    return sock;
  }
  std::string path;
  if (const char* run = std::getenv("XDG_RUNTIME_DIR"); run != nullptr && *run == '/') {
    path = run;
  } else {
    path = "/tmp";
  }
  path.append(path == "/tmp" ? "/tresor-" + std::to_string(::geteuid()) : "/tresor");
  path.append("/agent.sock");
  return path;
}

Result<void> SendAll(int fd, std::span<const uint8_t> bytes, int pass_fd) {
  bool first = true;
  while (!bytes.empty()) {
    iovec iov{const_cast<uint8_t*>(bytes.data()), bytes.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    if (first && pass_fd >= 0) {
      msg.msg_control = control;
      msg.msg_controllen = sizeof control;
      cmsghdr* c = CMSG_FIRSTHDR(&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(sizeof(int));
      std::memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
    }
    const ssize_t n = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return MakeError(ErrorCode::kIo, std::string("agent socket: send: ") + std::strerror(errno));
    }
    first = false;
    bytes = bytes.subspan(static_cast<size_t>(n));
  }
  return {};
}

static Result<void> ReadExactly(int fd, std::span<uint8_t> out) {
  while (!out.empty()) {
    const ssize_t n = ::read(fd, out.data(), out.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return MakeError(ErrorCode::kIo, std::string("agent socket: read: ") +
                                           (errno == EAGAIN ? "timed out" : std::strerror(errno)));
    }
    if (n == 0) return MakeError(ErrorCode::kIo, "agent socket: closed by the other side");
    out = out.subspan(static_cast<size_t>(n));
  }
  return {};
}

Result<crypto::SecretBytes> ReadFrameBody(int fd) {
  uint8_t header[4];
  TRESOR_RETURN_IF_ERROR(ReadExactly(fd, header));
  TRESOR_ASSIGN_OR_RETURN(const size_t n, FrameLength(std::span<const uint8_t, 4>(header)));
  crypto::SecretBytes body(n);
  TRESOR_RETURN_IF_ERROR(ReadExactly(fd, body.Mutable()));
  return body;
}

Result<AgentReply> CallAgent(const std::string& socket_path, std::span<const uint8_t> frame,
                             int pass_fd) {
  TRESOR_RETURN_IF_ERROR(CheckSocketFile(socket_path));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof addr.sun_path) {
    return MakeError(ErrorCode::kInvalidArgument, socket_path + ": socket path too long");
  }
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return Io(socket_path, "socket");
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno == ECONNREFUSED) {
      return MakeError(ErrorCode::kNotFound,
                       "no agent listening at " + socket_path + " (a stale socket)");
    }
    return Io(socket_path, "connect");
  }
  ucred peer{};
  socklen_t len = sizeof peer;
  if (::getsockopt(fd.get(), SOL_SOCKET, SO_PEERCRED, &peer, &len) != 0) {
    return Io(socket_path, "SO_PEERCRED");
  }
  if (peer.uid != ::geteuid()) {
    return MakeError(ErrorCode::kRefused, socket_path + ": answered by uid " +
                                              std::to_string(peer.uid) + ", not this user");
  }
  timeval tv{kTimeoutSeconds, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  TRESOR_RETURN_IF_ERROR(SendAll(fd.get(), frame, pass_fd));
  AgentReply reply;
  TRESOR_ASSIGN_OR_RETURN(reply.bytes, ReadFrameBody(fd.get()));
  auto message = DecodeBody(reply.bytes.Reveal());
  if (!message) return WithPlace(socket_path, std::move(message).error());
  reply.message = std::move(*message);
  if (reply.kind() == ReplyKind::kError) {
    // fields: the ErrorCode as a number, the message
    const Message& m = reply.message;
    ErrorCode code = ErrorCode::kRefused;
    int n = -1;
    if (m.fields.size() == 2)
      std::from_chars(m.Text(0).data(), m.Text(0).data() + m.fields[0].size(), n);
    if (n >= 0 && n <= static_cast<int>(ErrorCode::kInternal)) code = static_cast<ErrorCode>(n);
    return MakeError(code,
                     "agent: " + std::string(m.fields.empty() ? "" : m.Text(m.fields.size() - 1)));
  }
  return reply;
}

Result<AgentReply> CallAgent(const std::string& socket_path, RequestKind kind,
                             std::span<const std::string_view> fields, int pass_fd) {
  return CallAgent(socket_path, EncodeTextFrame(static_cast<uint8_t>(kind), fields), pass_fd);
}

std::string AgentToken(const std::string& address) {
  const std::string_view fields[] = {address};
  auto reply = CallAgent(AgentSocketPath(), RequestKind::kGetToken, fields);
  if (!reply || reply->kind() != ReplyKind::kOk || reply->message.fields.size() != 1) return "";
  return std::string(reply->message.Text(0));
}

}  // namespace tresor::keys
