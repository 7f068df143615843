#include "agent/server.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <vector>

#include "agent/handler.h"
#include "crypto/secret_file.h"
#include "keys/agent_client.h"

namespace tresor::agent {
namespace {

// Enough for every process of one user; more are answered "busy" and closed.
constexpr size_t kMaxClients = 64;
// A client that has not finished its message by then is dropped, so a stuck
// one cannot hold a slot.
constexpr int64_t kClientTimeoutSeconds = 30;

volatile std::sig_atomic_t g_stop = 0;
extern "C" void OnStopSignal(int) { g_stop = 1; }

Error Errno(const std::string& place, const char* what) {
  return MakeError(ErrorCode::kIo, place + ": " + what + ": " + std::strerror(errno));
}

// The agent's clock: unix seconds. Tests that check TTLs and idle
// expiry set TRESOR_AGENT_TEST_CLOCK to a file holding the time to use, so
// that they move time themselves instead of sleeping against it (a slow
// machine would otherwise see a 2 s TTL pass before its first check).
int64_t Now() {
  static const char* const test_clock = std::getenv("TRESOR_AGENT_TEST_CLOCK");
  if (test_clock != nullptr) {
    if (std::FILE* f = std::fopen(test_clock, "r")) {
      long long at = 0;
      const bool read = std::fscanf(f, "%lld", &at) == 1;
      std::fclose(f);
      if (read) return static_cast<int64_t>(at);
    }
  }
  return static_cast<int64_t>(std::time(nullptr));
}

// Removes a socket left by an agent that died; refuses anything else.
Result<void> ClearStaleSocket(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return {};
    return Errno(path, "lstat");
  }
  if (!S_ISSOCK(st.st_mode)) {
    return MakeError(ErrorCode::kRefused,
                     path + (S_ISLNK(st.st_mode) ? " is a symlink" : " is not a socket") +
                         "; refusing to replace it (remove it yourself if it is yours)");
  }
  if (::unlink(path.c_str()) != 0) return Errno(path, "unlink stale socket");
  return {};
}

Result<int> Listen(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) {
    return MakeError(ErrorCode::kInvalidArgument, path + ": socket path too long");
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return Errno(path, "socket");
  const mode_t old = ::umask(0177);  // the socket is born 0600
  const int bound = ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  ::umask(old);
  if (bound != 0 || ::listen(fd, 64) != 0) {
    auto e = Errno(path, "bind");
    ::close(fd);
    return e;
  }
  return fd;
}

struct Client {
  int fd = -1;
  uid_t uid = 0;
  int64_t since = 0;
  uint8_t header[4] = {};
  size_t header_got = 0;
  crypto::SecretBytes body;
  size_t body_got = 0;
  int passed_fd = -1;

  void Reset() {
    if (passed_fd >= 0) ::close(passed_fd);
    passed_fd = -1;
    header_got = 0;
    body = crypto::SecretBytes();
    body_got = 0;
  }
  void Close() {
    Reset();
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

void SendReply(int fd, std::vector<uint8_t> frame) {
  // Replies are small; the client is waiting for this one.
  const int flags = ::fcntl(fd, F_GETFL);
  ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  timeval tv{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  (void)keys::SendAll(fd, frame);
  crypto::Wipe(frame);  // an unwrap reply holds a file key
  ::fcntl(fd, F_SETFL, flags);
}

class Server {
 public:
  Server(const ServerOptions& options, int listen_fd)
      : options_(options), listen_fd_(listen_fd), started_(Now()) {}

  void Run() {
    while (!g_stop && !stop_) {
      std::vector<pollfd> fds{{listen_fd_, POLLIN, 0}};
      for (const Client& c : clients_) fds.push_back({c.fd, POLLIN, 0});
      const int n = ::poll(fds.data(), fds.size(), 1000);
      const int64_t now = Now();
      for (const std::string& name : store_.Expire(now)) options_.log("expired " + name);
      if (n < 0) continue;  // EINTR: a signal; the loop condition decides
      for (size_t i = 1; i < fds.size(); ++i) {
        if (fds[i].revents != 0) Read(clients_[i - 1], now);
        if (clients_[i - 1].fd >= 0 && now - clients_[i - 1].since > kClientTimeoutSeconds) {
          clients_[i - 1].Close();
        }
      }
      std::erase_if(clients_, [](const Client& c) { return c.fd < 0; });
      if (fds[0].revents != 0) Accept(now);
    }
    for (Client& c : clients_) c.Close();
  }

 private:
  void Accept(int64_t now) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    ucred peer{};
    socklen_t len = sizeof peer;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) != 0 || peer.uid != ::geteuid()) {
      options_.log("refused a client of uid " + std::to_string(peer.uid) + " (pid " +
                   std::to_string(peer.pid) + ")");
      SendReply(
          fd, ErrorReply(MakeError(ErrorCode::kRefused, "refused: uid " + std::to_string(peer.uid) +
                                                            " is not the agent's owner")));
      ::close(fd);
      return;
    }
    if (clients_.size() >= kMaxClients) {
      // Full of clients that stalled (each is cut off after its timeout
      // anyway): the one that has waited longest makes room, so that
      // stalled clients cannot lock everyone else out.
      auto oldest =
          std::min_element(clients_.begin(), clients_.end(),
                           [](const Client& a, const Client& b) { return a.since < b.since; });
      options_.log("too many clients: closed the one waiting longest");
      oldest->Close();
      std::erase_if(clients_, [](const Client& other) { return other.fd < 0; });
    }
    Client c;
    c.fd = fd;
    c.uid = peer.uid;
    c.since = now;
    clients_.push_back(std::move(c));
  }

  // Reads what is there; handles a message once it is whole.
  void Read(Client& c, int64_t now) {
    const bool in_header = c.header_got < 4;
    std::span<uint8_t> want = in_header ? std::span<uint8_t>(c.header).subspan(c.header_got)
                                        : c.body.Mutable().subspan(c.body_got);
    iovec iov{want.data(), want.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const ssize_t got = ::recvmsg(c.fd, &msg, MSG_CMSG_CLOEXEC);
    if (got < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (got <= 0) return c.Close();
    TakeDescriptors(c, msg);
    if (in_header) {
      c.header_got += static_cast<size_t>(got);
      if (c.header_got < 4) return;
      auto length = keys::FrameLength(std::span<const uint8_t, 4>(c.header));
      if (!length) {
        // The stream cannot be resynchronised: answer, then hang up.
        SendReply(c.fd, ErrorReply(length.error()));
        return c.Close();
      }
      c.body = crypto::SecretBytes(*length);
      return;
    }
    c.body_got += static_cast<size_t>(got);
    if (c.body_got < c.body.size()) return;
    HandlerContext context{store_, now, c.passed_fd, options_.socket_path, started_, options_.log};
    SendReply(c.fd, HandleRequest(c.body.Reveal(), context));
    stop_ = stop_ || context.stop;
    c.Reset();
    c.since = now;
  }

  // Keeps the first descriptor a message carries; closes any others.
  static void TakeDescriptors(Client& c, msghdr& msg) {
    for (cmsghdr* h = CMSG_FIRSTHDR(&msg); h != nullptr; h = CMSG_NXTHDR(&msg, h)) {
      if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS) continue;
      const size_t count = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < count; ++i) {
        int fd = -1;
        std::memcpy(&fd, CMSG_DATA(h) + i * sizeof(int), sizeof(int));
        if (c.passed_fd < 0) {
          c.passed_fd = fd;
        } else {
          ::close(fd);
        }
      }
    }
  }

  const ServerOptions& options_;
  int listen_fd_;
  int64_t started_;
  Store store_;
  std::vector<Client> clients_;
  bool stop_ = false;
};

}  // namespace

Result<void> RunServer(const ServerOptions& options) {
  const std::string& path = options.socket_path;
  const size_t slash = path.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : path.substr(0, std::max<size_t>(slash, 1));
  if (auto prepared = crypto::PreparePrivateDirectory(dir); !prepared) {
    Error e = std::move(prepared).error();
    e.message +=
        "; set XDG_RUNTIME_DIR to a private directory of yours, or TRESOR_AGENT_SOCK to "
        "a socket path in one";
    return e;
  }
  const std::string lock_path = path + ".lock";
  const int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (lock_fd < 0) return Errno(lock_path, "open");
  if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd);
    return MakeError(ErrorCode::kRefused, "an agent is already running at " + path);
  }
  if (auto cleared = ClearStaleSocket(path); !cleared) {
    ::close(lock_fd);
    return cleared;
  }
  auto listen_fd = Listen(path);
  if (!listen_fd) {
    ::close(lock_fd);
    return std::move(listen_fd).error();
  }
  struct stat ours {};
  ::lstat(path.c_str(), &ours);
  g_stop = 0;
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) ::sigaction(sig, &sa, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  options.log("listening on " + path);
  if (options.ready) options.ready();
  Server(options, *listen_fd).Run();
  // Remove the socket only if it is still the one this agent made.
  struct stat now {};
  if (::lstat(path.c_str(), &now) == 0 && now.st_ino == ours.st_ino && now.st_dev == ours.st_dev) {
    ::unlink(path.c_str());
  }
  ::close(*listen_fd);
  ::close(lock_fd);
  options.log("stopped");
  return {};
}

}  // namespace tresor::agent
