// TLS for the HTTP server and the CLI's client, through OpenSSL's libssl.
// libssl is loaded with dlopen when a server is given a certificate or the
// client is given an https:// address, so no other tresor command pays for
// mapping it (see crypto/openssl_loader.h). TLS 1.2 and 1.3 only.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "crypto/result.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace tresor::http {

// One connection's TLS state. Read and Write follow read(2) and send(2):
// -1 with errno EAGAIN when the socket is not ready (then wants_write()
// says whether TLS waits for the socket to be writable, as a handshake
// may), 0 from Read at a clean close, -1 with EPROTO on a TLS error.
class TlsSession {
 public:
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;
  ssize_t Read(void* buf, size_t size);
  ssize_t Write(const void* buf, size_t size);
  bool wants_write() const { return wants_write_; }
  // Says the connection ends (close_notify), without waiting for the peer.
  void Shutdown();

 private:
  friend class TlsContext;
  explicit TlsSession(SSL* ssl) : ssl_(ssl) {}
  ssize_t Result(int ok, size_t done);
  SSL* ssl_;
  bool wants_write_ = false;
};

class TlsContext {
 public:
  // The certificate chain (PEM, leaf first) and its private key. kIo if
  // libssl.so.3 cannot be loaded or a file cannot be read; kInvalidArgument
  // if the key does not match the certificate.
  static Result<std::shared_ptr<TlsContext>> Load(const std::string& cert_file,
                                                  const std::string& key_file);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;
  // A server session on the connected socket `fd`, or null.
  std::unique_ptr<TlsSession> Accept(int fd) const;

  // A client context that trusts the certificates in `ca_file` (PEM) or,
  // when it is empty, the system's (/etc/ssl/certs). kIo as for Load.
  // With `ca_pem`, the certificates in that PEM text instead
  // (kInvalidArgument if it holds none).
  static Result<std::shared_ptr<TlsContext>> Client(const std::string& ca_file,
                                                    const std::string& ca_pem = "");
  // A client session on the connected, blocking socket `fd`, its handshake
  // done and the server's certificate verified for `host` (a name or an IP
  // address). kRefused with the reason if the certificate is not trusted or
  // not for `host`; kIo if the handshake fails otherwise.
  Result<std::unique_ptr<TlsSession>> Connect(int fd, const std::string& host) const;

 private:
  explicit TlsContext(SSL_CTX* ctx) : ctx_(ctx) {}
  static Result<std::shared_ptr<TlsContext>> Create(bool server);
  SSL_CTX* ctx_;
};

}  // namespace tresor::http
