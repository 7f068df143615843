#include "http/client.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace tresor::http {
namespace {

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
                             const std::string& body, int timeout_seconds) {
  if (address.starts_with("https://")) {
    return MakeError(ErrorCode::kInvalidArgument,
                     address + ": https is not supported by this client yet");
  }
  if (!address.starts_with("http://")) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "bad server address \"" + address + "\" (expected http://HOST:PORT)");
  }
  std::string hostport = address.substr(7);
  while (!hostport.empty() && hostport.back() == '/') hostport.pop_back();
  const size_t colon = hostport.rfind(':');
  const std::string host = colon == std::string::npos ? hostport : hostport.substr(0, colon);
  const std::string port = colon == std::string::npos ? "80" : hostport.substr(colon + 1);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr) {
    return Io(address, "cannot resolve " + host);
  }
  Socket sock(::socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC, 0));
  timeval tv{timeout_seconds, 0};
  ::setsockopt(sock.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(sock.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  const int connected = ::connect(sock.get(), found->ai_addr, found->ai_addrlen);
  ::freeaddrinfo(found);
  if (connected != 0) return Io(address, std::string("cannot connect: ") + std::strerror(errno));

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
    const ssize_t n =
        ::send(sock.get(), request.data() + done, request.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Io(address, std::string("send failed: ") + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  std::string reply;
  char buf[65536];
  while (true) {
    const ssize_t n = ::recv(sock.get(), buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Io(address, errno == EAGAIN ? "timed out" : std::strerror(errno));
    if (n == 0) break;
    reply.append(buf, static_cast<size_t>(n));
    if (reply.size() > (64u << 20)) return Io(address, "response too large");
  }
  // "HTTP/1.1 200 OK\r\n...headers...\r\n\r\nbody"; the server closes after it.
  const size_t head_end = reply.find("\r\n\r\n");
  int status = 0;
  if (!reply.starts_with("HTTP/1.") || reply.size() < 12 || head_end == std::string::npos ||
      std::from_chars(reply.data() + 9, reply.data() + 12, status).ec != std::errc()) {
    return Io(address, "not an HTTP response");
  }
  return ClientResponse{status, reply.substr(head_end + 4)};
}

}  // namespace tresor::http
