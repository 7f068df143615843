#include "http/client.h"

#include <netdb.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>

#include "http/tls.h"

namespace tresor::http {
namespace {

// SIGPIPE ignored while it lives: libssl writes with write(2), and a server
// that closed must be an error, not the end of the process.
class NoSigpipe {
 public:
  NoSigpipe() { previous_ = ::signal(SIGPIPE, SIG_IGN); }
  ~NoSigpipe() { ::signal(SIGPIPE, previous_); }
  NoSigpipe(const NoSigpipe&) = delete;
  NoSigpipe& operator=(const NoSigpipe&) = delete;

 private:
  sighandler_t previous_;
};

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

Error Io(const std::string& address, const std::string& what) {
  return MakeError(ErrorCode::kIo, address + ": " + what);
}

}  // namespace

Result<ClientResponse> Fetch(const std::string& address, const std::string& method,
                             const std::string& path,
                             const std::vector<std::pair<std::string, std::string>>& headers,
                             const std::string& body, const FetchOptions& options) {
  const bool https = address.starts_with("https://");
  if (!https && !address.starts_with("http://")) {
    return MakeError(ErrorCode::kInvalidArgument, "bad server address \"" + address +
                                                      "\" (expected http://HOST:PORT or "
                                                      "https://HOST:PORT)");
  }
  std::string hostport = address.substr(https ? 8 : 7);
  while (!hostport.empty() && hostport.back() == '/') hostport.pop_back();
  const size_t colon = hostport.rfind(':');
  const std::string host = colon == std::string::npos ? hostport : hostport.substr(0, colon);
  const std::string port = colon != std::string::npos ? hostport.substr(colon + 1)
                           : https                    ? "443"
                                                      : "80";
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr) {
    return MakeError(ErrorCode::kUnavailable, address + ": cannot resolve " + host);
  }
  Socket sock(::socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC, 0));
  timeval tv{options.timeout_seconds, 0};
  ::setsockopt(sock.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(sock.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  const int connected = ::connect(sock.get(), found->ai_addr, found->ai_addrlen);
  ::freeaddrinfo(found);
  if (connected != 0) {
    return MakeError(ErrorCode::kUnavailable,
                     address + ": cannot connect: " + std::strerror(errno));
  }
  std::unique_ptr<TlsSession> tls;
  std::optional<NoSigpipe> no_sigpipe;
  if (https) {
    no_sigpipe.emplace();
    auto context = TlsContext::Client(options.ca_file, options.ca_pem);
    if (!context) return std::move(context).error();
    auto session = (*context)->Connect(sock.get(), host);
    if (!session) return WithPlace(address, std::move(session).error());
    tls = std::move(*session);
  }

  std::string request =
      method + " " + path + " HTTP/1.1\r\nHost: " + hostport + "\r\nConnection: close\r\n";
  for (const auto& [name, value] : headers)
    request.append(name).append(": ").append(value).append("\r\n");
  if (!body.empty() || method == "POST" || method == "PUT") {
    request.append("Content-Type: application/json\r\nContent-Length: ")
        .append(std::to_string(body.size()))
        .append("\r\n");
  }
  request.append("\r\n").append(body);
  for (size_t done = 0; done < request.size();) {
    const char* at = request.data() + done;
    const size_t left = request.size() - done;
    const ssize_t n = tls ? tls->Write(at, left) : ::send(sock.get(), at, left, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Io(address, std::string("send failed: ") + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  std::string reply;
  char buf[65536];
  while (true) {
    const ssize_t n = tls ? tls->Read(buf, sizeof buf) : ::recv(sock.get(), buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Io(address, errno == EAGAIN ? "timed out" : std::strerror(errno));
    if (n == 0) break;
    reply.append(buf, static_cast<size_t>(n));
    if (reply.size() > (64u << 20)) return Io(address, "response too large");
    // Whole: not waiting for the close (a TLS peer may not say close_notify).
    const std::optional<size_t> expected = ResponseLength(reply);
    if (expected && reply.size() >= *expected) break;
  }
  auto response = ParseResponse(reply);
  if (!response) return WithPlace(address, std::move(response).error());
  return response;
}

}  // namespace tresor::http
