#include "http/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "http/inbox.h"
#include "http/tls.h"

namespace tresor::http {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Descriptors kept for everything but client connections: the listening
// socket, epoll sets and eventfds, storage, the audit log, TLS files.
constexpr size_t kReservedFds = 64;

// A connection whose replies the client does not read stops being read
// once this much output waits, so a pipelining client that never reads
// costs this much memory and no more work.
constexpr size_t kMaxPendingOutput = 1024 * 1024;

// Raises RLIMIT_NOFILE towards what `wanted` connections need if the hard
// limit allows; returns the connections the limit leaves room for.
size_t FitConnectionsToFileLimit(size_t wanted) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return wanted;
  if (limit.rlim_cur < wanted + kReservedFds) {
    limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, wanted + kReservedFds);
    ::setrlimit(RLIMIT_NOFILE, &limit);
    ::getrlimit(RLIMIT_NOFILE, &limit);
  }
  if (limit.rlim_cur == RLIM_INFINITY) return wanted;
  const size_t room =
      limit.rlim_cur > 2 * kReservedFds ? limit.rlim_cur - kReservedFds : limit.rlim_cur / 2;
  return std::min(wanted, room);
}

std::string PeerAddress(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  char text[INET_ADDRSTRLEN] = "";
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
      addr.sin_family != AF_INET ||
      ::inet_ntop(AF_INET, &addr.sin_addr, text, sizeof text) == nullptr) {
    return "";
  }
  return text;
}

// The cores this process may run on (its affinity mask, as taskset or a
// container's cpuset leaves it), at least 1.
int UsableCores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

struct Connection {
  int fd = -1;
  std::unique_ptr<TlsSession> tls;  // null for plain HTTP
  uint64_t serial = 0;              // tells a reused fd's new connection from the old
  std::string peer;                 // the client's IP address
  RequestParser parser;
  std::string out;  // response bytes not yet written
  bool close_after_write = false;
  // A deferred response is outstanding: input is held, not parsed, until
  // it comes (responses leave in request order).
  bool waiting = false;
  bool waiting_close = false;
  bool waiting_head = false;
  std::string held;
  int64_t last_activity = 0;
  int64_t request_started = 0;  // when the first byte of the current request came
  uint32_t events = 0;          // what epoll watches for

  explicit Connection(const ParserLimits& limits) : parser(limits) {}
};

}  // namespace

struct Server::Impl {
  ServerOptions options;
  std::shared_ptr<TlsContext> tls;
  Handler handler;
  int listen_fd = -1;
  int port = 0;
  std::atomic<bool> stopping{false};
  std::atomic<size_t> connections{0};
  size_t max_connections = 0;  // options.max_connections, fitted to the fd limit
  // A descriptor held in reserve: when accept() fails for want of
  // descriptors, it is closed so that the waiting connection can be
  // accepted and closed at once, instead of staying queued and waking
  // every worker again and again.
  std::mutex reserve_mutex;
  int reserve_fd = -1;
  std::vector<std::thread> workers;
  std::vector<std::shared_ptr<Inbox>> inboxes;  // one per worker

  ~Impl() {
    stopping = true;
    for (auto& inbox : inboxes) inbox->Wake();
    for (auto& t : workers) t.join();
    if (listen_fd >= 0) ::close(listen_fd);
    if (reserve_fd >= 0) ::close(reserve_fd);
  }

  void Worker(size_t index);
};

namespace {

class Loop {
 public:
  Loop(Server::Impl& server, std::shared_ptr<Inbox> inbox)
      : s_(server), inbox_(std::move(inbox)), wake_fd_(inbox_->wake_fd()) {}

  void Run() {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    ev.data.fd = s_.listen_fd;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, s_.listen_fd, &ev);
    ev.events = EPOLLIN;
    ev.data.fd = wake_fd_;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_fd_, &ev);
    epoll_event events[256];
    int64_t next_sweep = NowMs() + 250;
    while (!s_.stopping) {
      const int n = ::epoll_wait(epoll_, events, 256, 250);
      for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == s_.listen_fd) {
          Accept();
        } else if (fd == wake_fd_) {
          uint64_t count = 0;
          (void)!::read(wake_fd_, &count, sizeof count);
          for (int arrival : inbox_->TakeArrivals()) Adopt(arrival);
          Deliver();
        } else {
          auto it = conns_.find(fd);
          if (it == conns_.end()) continue;
          // TLS may wait for the socket to be writable in the middle of
          // reading (a handshake): then writable means read again.
          const bool tls_read = it->second.tls && it->second.tls->wants_write();
          if (events[i].events & EPOLLOUT) Flush(it->second);
          if (conns_.count(fd) && ((events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) ||
                                   (tls_read && (events[i].events & EPOLLOUT)))) {
            Read(conns_.at(fd));
          }
        }
      }
      const int64_t now = NowMs();
      if (now >= next_sweep) {
        Sweep(now);
        next_sweep = now + 250;
      }
      if (!listening_ && now >= listen_again_at_) Listen();
    }
    inbox_->Close();
    for (auto& [fd, c] : conns_) ::close(fd);
    s_.connections -= conns_.size();
    inbox_->load -= conns_.size();
    ::close(epoll_);
  }

 private:
  // Accepts what is waiting and gives each connection to the worker with
  // the fewest (this one on a tie), so connections that arrive together do
  // not all land on whichever worker woke first.
  void Accept() {
    for (int k = 0; k < 64; ++k) {
      const int fd = ::accept4(s_.listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        // Out of descriptors: the reserve sheds the waiting connection; if
        // it cannot (another worker took the freed descriptor first), this
        // worker stops watching the socket until a descriptor is freed or
        // a quarter of a second has passed, so it never spins.
        if ((errno == EMFILE || errno == ENFILE) && !ShedWithReserve()) StopListening();
        return;
      }
      // The place is claimed and checked in one step: two workers
      // accepting at once could otherwise both pass the limit.
      if (s_.connections.fetch_add(1) >= s_.max_connections && !ShedOldestIdle()) {
        --s_.connections;
        ::close(fd);
        continue;
      }
      Inbox* target = inbox_.get();
      for (const auto& other : s_.inboxes) {
        if (other->load.load() < target->load.load()) target = other.get();
      }
      if (target == inbox_.get()) {
        ++inbox_->load;
        Adopt(fd);
      } else {
        target->Hand(fd);
      }
    }
  }

  // Out of descriptors: the reserve lets one waiting connection be taken
  // off the queue and closed, so a full table costs a refusal, not a spin.
  // True if a waiting connection was refused and the reserve is back.
  bool ShedWithReserve() {
    const std::lock_guard lock(s_.reserve_mutex);
    if (s_.reserve_fd < 0) return false;
    ::close(s_.reserve_fd);
    const int fd = ::accept4(s_.listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) ::close(fd);
    s_.reserve_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    return fd >= 0 && s_.reserve_fd >= 0;
  }

  void StopListening() {
    if (!listening_) return;
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, s_.listen_fd, nullptr);
    listening_ = false;
    listen_again_at_ = NowMs() + 250;
  }

  // Watches the listening socket again (and takes back a lost reserve).
  void Listen() {
    if (listening_) return;
    {
      const std::lock_guard lock(s_.reserve_mutex);
      if (s_.reserve_fd < 0) s_.reserve_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    ev.data.fd = s_.listen_fd;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, s_.listen_fd, &ev);
    listening_ = true;
  }

  // At the connection limit: closes this worker's longest-idle keep-alive
  // connection (no request under way, nothing to send) to make room for a
  // new one. False if it has none.
  bool ShedOldestIdle() {
    // A connection whose request waits unread in the socket is not idle:
    // it is kept (and counted as active), and the next oldest is looked at.
    for (int tries = 0; tries < 8; ++tries) {
      Connection* oldest = nullptr;
      for (auto& [fd, c] : conns_) {
        if (c.parser.started() || c.waiting || !c.out.empty() || !c.held.empty()) continue;
        if (oldest == nullptr || c.last_activity < oldest->last_activity) oldest = &c;
      }
      if (oldest == nullptr) return false;
      int pending = 0;
      if (::ioctl(oldest->fd, FIONREAD, &pending) == 0 && pending > 0) {
        oldest->last_activity = NowMs();
        continue;
      }
      Close(*oldest);
      return true;
    }
    return false;
  }

  // Takes an accepted connection (counted in s_.connections and this
  // worker's load) into this worker's epoll set.
  void Adopt(int fd) {
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.fd = fd;
    std::unique_ptr<TlsSession> tls;
    if (s_.tls) tls = s_.tls->Accept(fd);
    if ((s_.tls && tls == nullptr) || ::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      tls.reset();
      ::close(fd);
      Forget();
      return;
    }
    auto [it, _] = conns_.emplace(fd, Connection(s_.options.limits));
    it->second.fd = fd;
    it->second.tls = std::move(tls);
    it->second.serial = ++serials_;
    it->second.peer = PeerAddress(fd);
    it->second.last_activity = NowMs();
    it->second.events = ev.events;
  }

  void Forget() {
    --s_.connections;
    --inbox_->load;
  }

  void Close(Connection& c) {
    const int fd = c.fd;
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
    if (c.tls) c.tls->Shutdown();
    c.tls.reset();
    ::close(fd);
    conns_.erase(fd);
    Forget();
    Listen();  // a descriptor is free again
  }

  void Read(Connection& c) {
    char buf[65536];
    while (true) {
      const ssize_t n = c.tls ? c.tls->Read(buf, sizeof buf) : ::read(c.fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) break;
      if (n <= 0) return Close(c);
      const int64_t now = NowMs();
      c.last_activity = now;
      if (Paused(c)) {  // (a hang-up event, or TLS records read ahead)
        c.held.append(buf, static_cast<size_t>(n));
        if (!c.tls) break;
        continue;  // a TLS session may hold decrypted bytes no event announces
      }
      Process(c, std::string_view(buf, static_cast<size_t>(n)), now);
      if (c.close_after_write || Paused(c)) break;
      // A short read of a plain socket emptied it; epoll (level-triggered)
      // reports what comes next, so no read is spent on EAGAIN.
      if (!c.tls && static_cast<size_t>(n) < sizeof buf) break;
    }
    if (conns_.count(c.fd)) Flush(c);
  }

  // Input is held, not parsed, while a deferred response is outstanding or
  // too much output waits for the client.
  static bool Paused(const Connection& c) { return c.waiting || c.out.size() > kMaxPendingOutput; }

  // Parses and answers the requests in `data`, up to the first deferred
  // one or until too much output waits; what is left is held.
  void Process(Connection& c, std::string_view data, int64_t now) {
    if (!c.parser.started()) c.request_started = now;
    while (!data.empty() && !c.close_after_write) {
      if (Paused(c)) {
        c.held.append(data);
        return;
      }
      const size_t used = c.parser.Feed(data);
      data.remove_prefix(used);
      if (c.parser.state() == RequestParser::State::kError) {
        Respond(c, JsonError(c.parser.error_status(), c.parser.error_message()), true, false);
        break;
      }
      if (c.parser.state() != RequestParser::State::kComplete) break;
      Request request = c.parser.TakeRequest();
      request.remote_addr = c.peer;
      c.request_started = now;
      Response response = Handle(request);
      const bool close = !request.keep_alive;
      const bool head = request.method == "HEAD";
      if (response.defer) {
        c.waiting = true;
        c.waiting_close = close;
        c.waiting_head = head;
        c.held.assign(data);
        response.defer([inbox = inbox_, fd = c.fd, serial = c.serial](Response r) {
          inbox->Post(fd, serial, std::move(r));
        });
        return;
      }
      Respond(c, response, close, head);
    }
  }

  // Sends the deferred responses that came back, and resumes their input.
  void Deliver() {
    for (auto& letter : inbox_->TakeLetters()) {
      auto it = conns_.find(letter.fd);
      if (it == conns_.end() || it->second.serial != letter.serial) continue;
      Connection& c = it->second;
      c.waiting = false;
      Respond(c, letter.response, c.waiting_close, c.waiting_head);
      Flush(c);  // and goes on with the input held meanwhile
    }
  }

  Response Handle(const Request& request) {
    try {
      return s_.handler(request);
    } catch (const std::exception&) {
      return JsonError(500, "internal error");
    }
  }

  void Respond(Connection& c, const Response& response, bool close, bool head_only) {
    c.out.append(Serialize(response, close, head_only));
    c.close_after_write = c.close_after_write || close;
  }

  // Writes what it can, and resumes held input once that is no longer
  // paused (which may give more to write).
  void Flush(Connection& c) {
    while (true) {
      while (!c.out.empty()) {
        const ssize_t n = c.tls ? c.tls->Write(c.out.data(), c.out.size())
                                : ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) break;
        if (n < 0) return Close(c);
        c.out.erase(0, static_cast<size_t>(n));
        c.last_activity = NowMs();
      }
      if (c.held.empty() || Paused(c) || c.close_after_write) break;
      const std::string held = std::exchange(c.held, {});
      Process(c, held, NowMs());
      if (c.out.empty()) break;
    }
    // While a response is deferred, nothing more is read (only a hang-up
    // is noticed), so a client cannot queue unbounded input meanwhile.
    const bool tls_write = c.tls && c.tls->wants_write();  // a handshake, say
    const uint32_t events = (Paused(c) ? 0u : static_cast<uint32_t>(EPOLLIN)) | EPOLLRDHUP |
                            (c.out.empty() && !tls_write ? 0u : static_cast<uint32_t>(EPOLLOUT));
    if (c.out.empty() && c.close_after_write) return Close(c);
    if (events == c.events) return;
    epoll_event ev{};
    ev.data.fd = c.fd;
    ev.events = events;
    ::epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev);
    c.events = events;
  }

  // Times out slow requests (408), idle keep-alive connections, and
  // clients that stopped reading their replies.
  void Sweep(int64_t now) {
    std::vector<int> expired;
    std::vector<int> stalled;
    for (auto& [fd, c] : conns_) {
      if (!c.out.empty() && now - c.last_activity > s_.options.idle_timeout_ms) {
        stalled.push_back(fd);
        continue;
      }
      if (c.close_after_write || c.waiting || !c.held.empty()) continue;
      if (c.parser.started()) {
        if (now - c.request_started > s_.options.request_timeout_ms) expired.push_back(fd);
      } else if (c.out.empty() && now - c.last_activity > s_.options.idle_timeout_ms) {
        expired.push_back(fd);
      }
    }
    for (int fd : stalled) Close(conns_.at(fd));
    for (int fd : expired) {
      Connection& c = conns_.at(fd);
      if (c.parser.started()) {
        Respond(c, JsonError(408, "request timed out"), true, false);
        Flush(c);
      } else {
        Close(c);
      }
    }
  }

  Server::Impl& s_;
  std::shared_ptr<Inbox> inbox_;
  int wake_fd_;
  int epoll_ = -1;
  uint64_t serials_ = 0;
  bool listening_ = true;  // the listening socket is in the epoll set
  int64_t listen_again_at_ = 0;
  std::unordered_map<int, Connection> conns_;
};

}  // namespace

void Server::Impl::Worker(size_t index) { Loop(*this, inboxes[index]).Run(); }

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() = default;
int Server::port() const { return impl_->port; }

Result<std::unique_ptr<Server>> Server::Start(const ServerOptions& options, Handler handler) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
    TRESOR_ASSIGN_OR_RETURN(impl->tls,
                            TlsContext::Load(options.tls_cert_file, options.tls_key_file));
  }
  impl->handler = std::move(handler);
  impl->max_connections = FitConnectionsToFileLimit(options.max_connections);
  impl->reserve_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  // libssl writes with write(2): a peer gone away must be an error, not a
  // signal that ends the server (plain sockets use MSG_NOSIGNAL).
  ::signal(SIGPIPE, SIG_IGN);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(options.port));
  if (::inet_pton(AF_INET, options.host.c_str(), &addr.sin_addr) != 1) {
    return MakeError(ErrorCode::kInvalidArgument, "bad listen address " + options.host);
  }
  impl->listen_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(impl->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(impl->listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(impl->listen_fd, 4096) != 0) {
    return MakeError(ErrorCode::kIo, "cannot listen on " + options.host + ":" +
                                         std::to_string(options.port) + ": " +
                                         std::strerror(errno));
  }
  socklen_t len = sizeof addr;
  ::getsockname(impl->listen_fd, reinterpret_cast<sockaddr*>(&addr), &len);
  impl->port = ntohs(addr.sin_port);
  const int threads = options.threads > 0 ? options.threads : UsableCores();
  for (int i = 0; i < threads; ++i) {
    impl->inboxes.push_back(std::make_shared<Inbox>());
  }
  for (size_t i = 0; i < impl->inboxes.size(); ++i) {
    impl->workers.emplace_back([p = impl.get(), i] { p->Worker(i); });
  }
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

}  // namespace tresor::http
