#include "http/tls.h"

#include <dlfcn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <cerrno>

#include "crypto/bind_symbol.h"

namespace tresor::http {
namespace {

// The libssl (and, through it, libcrypto) functions used, with OpenSSL's
// own prototypes.
struct SslApi {
  decltype(&::OPENSSL_init_ssl) init;
  decltype(&::TLS_server_method) server_method;
  decltype(&::TLS_client_method) client_method;
  decltype(&::SSL_CTX_set_verify) ctx_set_verify;
  decltype(&::SSL_CTX_load_verify_file) load_verify_file;
  decltype(&::SSL_CTX_set_default_verify_paths) default_verify_paths;
  decltype(&::SSL_set1_host) set1_host;
  decltype(&::SSL_ctrl) ssl_ctrl;
  decltype(&::SSL_connect) connect;
  decltype(&::SSL_shutdown) shutdown;
  decltype(&::SSL_get_verify_result) verify_result;
  decltype(&::X509_verify_cert_error_string) verify_error_string;
  decltype(&::SSL_CTX_new) ctx_new;
  decltype(&::SSL_CTX_free) ctx_free;
  decltype(&::SSL_CTX_ctrl) ctx_ctrl;
  decltype(&::SSL_CTX_set_options) ctx_set_options;
  decltype(&::SSL_CTX_use_certificate_chain_file) use_chain;
  decltype(&::SSL_CTX_use_PrivateKey_file) use_key;
  decltype(&::SSL_CTX_check_private_key) check_key;
  decltype(&::SSL_new) ssl_new;
  decltype(&::SSL_free) ssl_free;
  decltype(&::SSL_set_fd) set_fd;
  decltype(&::SSL_set_accept_state) set_accept_state;
  decltype(&::SSL_read_ex) read;
  decltype(&::SSL_write_ex) write;
  decltype(&::SSL_get_error) get_error;
  decltype(&::ERR_get_error) err_get;
  decltype(&::ERR_error_string_n) err_string;
  decltype(&::ERR_clear_error) err_clear;
  // For CA certificates given as PEM text (libcrypto, through libssl).
  decltype(&::SSL_CTX_get_cert_store) cert_store;
  decltype(&::BIO_new_mem_buf) bio_mem;
  decltype(&::BIO_free) bio_free;
  decltype(&::PEM_read_bio_X509) read_x509;
  decltype(&::X509_STORE_add_cert) store_add;
  decltype(&::X509_free) x509_free;
};

const SslApi* LoadSsl() {
  void* lib = ::dlopen("libssl.so.3", RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) return nullptr;
  static SslApi a;
  const bool bound =
      crypto::BindSymbol(lib, "OPENSSL_init_ssl", &a.init) &&
      crypto::BindSymbol(lib, "SSL_CTX_get_cert_store", &a.cert_store) &&
      crypto::BindSymbol(lib, "BIO_new_mem_buf", &a.bio_mem) &&
      crypto::BindSymbol(lib, "BIO_free", &a.bio_free) &&
      crypto::BindSymbol(lib, "PEM_read_bio_X509", &a.read_x509) &&
      crypto::BindSymbol(lib, "X509_STORE_add_cert", &a.store_add) &&
      crypto::BindSymbol(lib, "X509_free", &a.x509_free) &&
      crypto::BindSymbol(lib, "TLS_server_method", &a.server_method) &&
      crypto::BindSymbol(lib, "TLS_client_method", &a.client_method) &&
      crypto::BindSymbol(lib, "SSL_CTX_set_verify", &a.ctx_set_verify) &&
      crypto::BindSymbol(lib, "SSL_CTX_load_verify_file", &a.load_verify_file) &&
      crypto::BindSymbol(lib, "SSL_CTX_set_default_verify_paths", &a.default_verify_paths) &&
      crypto::BindSymbol(lib, "SSL_set1_host", &a.set1_host) &&
      crypto::BindSymbol(lib, "SSL_ctrl", &a.ssl_ctrl) &&
      crypto::BindSymbol(lib, "SSL_connect", &a.connect) &&
      crypto::BindSymbol(lib, "SSL_shutdown", &a.shutdown) &&
      crypto::BindSymbol(lib, "SSL_get_verify_result", &a.verify_result) &&
      crypto::BindSymbol(lib, "X509_verify_cert_error_string", &a.verify_error_string) &&
      crypto::BindSymbol(lib, "SSL_CTX_new", &a.ctx_new) &&
      crypto::BindSymbol(lib, "SSL_CTX_free", &a.ctx_free) &&
      crypto::BindSymbol(lib, "SSL_CTX_ctrl", &a.ctx_ctrl) &&
      crypto::BindSymbol(lib, "SSL_CTX_set_options", &a.ctx_set_options) &&
      crypto::BindSymbol(lib, "SSL_CTX_use_certificate_chain_file", &a.use_chain) &&
      crypto::BindSymbol(lib, "SSL_CTX_use_PrivateKey_file", &a.use_key) &&
      crypto::BindSymbol(lib, "SSL_CTX_check_private_key", &a.check_key) &&
      crypto::BindSymbol(lib, "SSL_new", &a.ssl_new) &&
      crypto::BindSymbol(lib, "SSL_free", &a.ssl_free) &&
      crypto::BindSymbol(lib, "SSL_set_fd", &a.set_fd) &&
      crypto::BindSymbol(lib, "SSL_set_accept_state", &a.set_accept_state) &&
      crypto::BindSymbol(lib, "SSL_read_ex", &a.read) &&
      crypto::BindSymbol(lib, "SSL_write_ex", &a.write) &&
      crypto::BindSymbol(lib, "SSL_get_error", &a.get_error) &&
      crypto::BindSymbol(lib, "ERR_get_error", &a.err_get) &&
      crypto::BindSymbol(lib, "ERR_error_string_n", &a.err_string) &&
      crypto::BindSymbol(lib, "ERR_clear_error", &a.err_clear);
  if (!bound || a.init(OPENSSL_INIT_NO_LOAD_CONFIG, nullptr) != 1) return nullptr;
  return &a;
}

const SslApi* Ssl() {
  static const SslApi* api = LoadSsl();
  return api;
}

// OpenSSL's reason for the last failure ("no such file", "key values
// mismatch"), for messages.
std::string LastError(const SslApi& api) {
  const unsigned long code = api.err_get();
  if (code == 0) return "unknown error";
  char buf[256];
  api.err_string(code, buf, sizeof buf);
  api.err_clear();
  return buf;
}

}  // namespace

TlsSession::~TlsSession() { Ssl()->ssl_free(ssl_); }

ssize_t TlsSession::Result(int ok, size_t done) {
  if (ok == 1) return static_cast<ssize_t>(done);
  const SslApi& api = *Ssl();
  switch (api.get_error(ssl_, ok)) {
    case SSL_ERROR_WANT_READ:
      errno = EAGAIN;
      return -1;
    case SSL_ERROR_WANT_WRITE:
      wants_write_ = true;
      errno = EAGAIN;
      return -1;
    case SSL_ERROR_ZERO_RETURN:
      return 0;
    default:
      api.err_clear();
      errno = EPROTO;
      return -1;
  }
}

ssize_t TlsSession::Read(void* buf, size_t size) {
  Ssl()->err_clear();
  wants_write_ = false;
  size_t done = 0;
  const int ok = Ssl()->read(ssl_, buf, size, &done);  // before `done` is read
  return Result(ok, done);
}

void TlsSession::Shutdown() {
  Ssl()->err_clear();
  (void)Ssl()->shutdown(ssl_);  // sends close_notify; the peer's is not awaited
  Ssl()->err_clear();
}

ssize_t TlsSession::Write(const void* buf, size_t size) {
  Ssl()->err_clear();
  wants_write_ = false;
  size_t done = 0;
  const int ok = Ssl()->write(ssl_, buf, size, &done);  // before `done` is read
  return Result(ok, done);
}

Result<std::shared_ptr<TlsContext>> TlsContext::Create(bool server) {
  const SslApi* api = Ssl();
  if (api == nullptr) return MakeError(ErrorCode::kIo, "TLS: cannot load libssl.so.3");
  SSL_CTX* ctx = api->ctx_new(server ? api->server_method() : api->client_method());
  if (ctx == nullptr) return MakeError(ErrorCode::kInternal, "TLS: " + LastError(*api));
  std::shared_ptr<TlsContext> context(new TlsContext(ctx));
  api->ctx_ctrl(ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, nullptr);
  return context;
}

Result<std::shared_ptr<TlsContext>> TlsContext::Load(const std::string& cert_file,
                                                     const std::string& key_file) {
  TRESOR_ASSIGN_OR_RETURN(std::shared_ptr<TlsContext> context, Create(true));
  const SslApi* api = Ssl();
  SSL_CTX* ctx = context->ctx_;
  // Partial writes, from a buffer that moves between calls: the server
  // sends what it can and erases it from the front of its output.
  api->ctx_ctrl(ctx, SSL_CTRL_MODE,
                SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER, nullptr);
  api->ctx_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // The key first: a certificate set after a key that is not its own
  // drops the key, which check_key then reports as a mismatch (set the
  // other way round, the key file itself would look unusable).
  if (api->use_key(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return MakeError(ErrorCode::kIo,
                     key_file + ": cannot use as a private key: " + LastError(*api));
  }
  if (api->use_chain(ctx, cert_file.c_str()) != 1) {
    return MakeError(ErrorCode::kIo,
                     cert_file + ": cannot use as a certificate chain: " + LastError(*api));
  }
  if (api->check_key(ctx) != 1) {
    return MakeError(ErrorCode::kInvalidArgument,
                     key_file + ": not the key of " + cert_file + ": " + LastError(*api));
  }
  return context;
}

TlsContext::~TlsContext() { Ssl()->ctx_free(ctx_); }

std::unique_ptr<TlsSession> TlsContext::Accept(int fd) const {
  const SslApi& api = *Ssl();
  SSL* ssl = api.ssl_new(ctx_);
  if (ssl == nullptr) return nullptr;
  std::unique_ptr<TlsSession> session(new TlsSession(ssl));
  if (api.set_fd(ssl, fd) != 1) return nullptr;
  api.set_accept_state(ssl);
  return session;
}

Result<std::shared_ptr<TlsContext>> TlsContext::Client(const std::string& ca_file,
                                                       const std::string& ca_pem) {
  TRESOR_ASSIGN_OR_RETURN(std::shared_ptr<TlsContext> context, Create(false));
  const SslApi* api = Ssl();
  api->ctx_set_verify(context->ctx_, SSL_VERIFY_PEER, nullptr);
  if (!ca_pem.empty()) {
    // Each certificate of the text, and only those.
    BIO* bio = api->bio_mem(ca_pem.data(), static_cast<int>(ca_pem.size()));
    if (bio == nullptr) return MakeError(ErrorCode::kInternal, "TLS: " + LastError(*api));
    X509_STORE* store = api->cert_store(context->ctx_);
    int added = 0;
    while (X509* cert = api->read_x509(bio, nullptr, nullptr, nullptr)) {
      if (api->store_add(store, cert) == 1) ++added;
      api->x509_free(cert);
    }
    api->bio_free(bio);
    api->err_clear();  // the read that ended the loop
    if (added == 0) {
      return MakeError(ErrorCode::kInvalidArgument, "no PEM certificate in the CA certificates");
    }
    return context;
  }
  if (!ca_file.empty() && api->load_verify_file(context->ctx_, ca_file.c_str()) != 1) {
    return MakeError(ErrorCode::kIo,
                     ca_file + ": cannot use as CA certificates: " + LastError(*api));
  }
  if (ca_file.empty() && api->default_verify_paths(context->ctx_) != 1) {
    return MakeError(ErrorCode::kIo, "TLS: the system's CA certificates: " + LastError(*api));
  }
  return context;
}

Result<std::unique_ptr<TlsSession>> TlsContext::Connect(int fd, const std::string& host) const {
  const SslApi& api = *Ssl();
  api.err_clear();
  SSL* ssl = api.ssl_new(ctx_);
  if (ssl == nullptr) return MakeError(ErrorCode::kInternal, "TLS: " + LastError(api));
  std::unique_ptr<TlsSession> session(new TlsSession(ssl));
  // The name to verify (an IP address is checked against the certificate's
  // IP addresses), and to send as SNI unless it is an address.
  const bool is_address = host.find_first_not_of("0123456789.") == std::string::npos ||
                          host.find(':') != std::string::npos;
  if (api.set_fd(ssl, fd) != 1 || api.set1_host(ssl, host.c_str()) != 1 ||
      (!is_address && api.ssl_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                                   const_cast<char*>(host.c_str())) != 1)) {
    return MakeError(ErrorCode::kInternal, "TLS: " + LastError(api));
  }
  if (api.connect(ssl) == 1) return session;
  const long verify = api.verify_result(ssl);
  if (verify != X509_V_OK) {
    api.err_clear();
    return MakeError(ErrorCode::kRefused,
                     std::string("certificate not trusted: ") + api.verify_error_string(verify));
  }
  return MakeError(ErrorCode::kIo, "TLS handshake failed: " + LastError(api));
}

}  // namespace tresor::http
