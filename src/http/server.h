// The HTTP/1.1 server: worker threads, each with its own epoll set, sharing
// one listening socket. Keep-alive and pipelining; limits from the request
// parser; a request head (or a whole request) that does not arrive within
// the request timeout gets 408 and the connection closes, and an idle
// keep-alive connection is closed after the idle timeout, so slow or silent
// clients hold a file descriptor and nothing else. A client that pipelines
// requests without reading the replies is no longer read once 1 MiB of
// replies waits, and is closed if it reads nothing for the idle timeout.
// Running out of file descriptors refuses connections without spinning.
// Handlers run on the worker that read the request and must be
// thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "crypto/result.h"
#include "http/request_parser.h"
#include "http/response.h"

namespace tresor::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8200;  // 0: any free port (see Server::port)
  int threads = 0;  // 0: one per core this process may use
  ParserLimits limits;
  int request_timeout_ms = 10000;  // from a request's first byte to its last
  int idle_timeout_ms = 60000;     // a keep-alive connection with no request
  // At the limit, a new connection takes the place of the longest-idle
  // keep-alive one, or is closed at once if there is none. The limit is
  // lowered to fit RLIMIT_NOFILE (less a reserve for the server's own
  // files) when the hard limit does not allow raising it.
  size_t max_connections = 20000;
  // With both set, every connection is TLS (http/tls.h).
  std::string tls_cert_file;
  std::string tls_key_file;
};

using Handler = std::function<Response(const Request&)>;

class Server {
 public:
  // Binds, listens and starts the workers. Raises RLIMIT_NOFILE towards
  // max_connections if the hard limit allows.
  static Result<std::unique_ptr<Server>> Start(const ServerOptions& options, Handler handler);
  ~Server();  // stops the workers and closes every connection
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const;

  struct Impl;  // defined in server.cc

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tresor::http
