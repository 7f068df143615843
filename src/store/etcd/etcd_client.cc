#include "store/etcd/etcd_client.h"

#include <grpc/support/log.h>

#include <fstream>
#include <mutex>
#include <sstream>
#include <utility>

namespace tresor::store {
namespace {

// gRPC tells why a TLS handshake failed only in its log, which would
// otherwise go to stderr line after line: the log is kept from stderr, and
// the last TLS failure's reason is kept for the connection error.
std::mutex g_tls_mutex;
std::string g_tls_failure;

void OnGrpcLog(gpr_log_func_args* args) {
  const std::string_view message = args->message != nullptr ? args->message : "";
  if (message.find("SSL routines::") == std::string_view::npos) return;
  std::string reason(message.substr(message.rfind("::") + 2));
  while (!reason.empty() && (reason.back() == '.' || reason.back() == ' ')) reason.pop_back();
  const std::lock_guard lock(g_tls_mutex);
  g_tls_failure = std::move(reason);
}

std::string TakeTlsFailure() {
  const std::lock_guard lock(g_tls_mutex);
  return std::exchange(g_tls_failure, std::string());
}

// What an OpenSSL reason means for the person who configured the node.
std::string ExplainTls(const std::string& reason, bool ca_file) {
  if (reason.find("certificate verify failed") != std::string::npos) {
    return ca_file ? "the member's certificate does not verify against ca_file"
                   : "the member's certificate does not verify against the system's CAs (no "
                     "ca_file given)";
  }
  if (reason.find("alert bad certificate") != std::string::npos ||
      reason.find("alert certificate required") != std::string::npos) {
    return "the member refused this node's client certificate (cert_file, key_file), or "
           "wanted one";
  }
  return reason;
}

Result<std::string> ReadPem(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kIo, std::string(what) + " " + path + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().find("-----BEGIN") == std::string::npos) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(what) + " " + path + ": not a PEM file");
  }
  return text.str();
}

grpc::ChannelArguments ChannelArgs(const EtcdOptions& options) {
  grpc::ChannelArguments args;
  // A restarted member is found again within a second.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  args.SetInt(GRPC_ARG_CLIENT_IDLE_TIMEOUT_MS, INT32_MAX);
  // Pings find a frozen member whose socket stays open; etcd refuses pings
  // more often than every 5 s by default.
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
              static_cast<int>(std::max<int64_t>(1000, options.request_timeout.count())));
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetMaxReceiveMessageSize(64 << 20);
  // A separate connection per member even to one address (tests).
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return args;
}

}  // namespace

bool IsUnanswered(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAVAILABLE ||
         status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
}

Result<std::unique_ptr<EtcdClient>> EtcdClient::Create(const EtcdOptions& options) {
  if (options.endpoints.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "etcd: no endpoints given");
  }
  static std::once_flag log_once;
  std::call_once(log_once, [] { gpr_set_log_function(OnGrpcLog); });
  std::unique_ptr<EtcdClient> client(new EtcdClient(options));
  grpc::SslCredentialsOptions ssl;
  if (!options.ca_file.empty()) {
    TRESOR_ASSIGN_OR_RETURN(ssl.pem_root_certs, ReadPem(options.ca_file, "etcd CA file"));
  }
  if (options.cert_file.empty() != options.key_file.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "etcd: a client certificate needs its key, and a key its certificate");
  }
  if (!options.cert_file.empty()) {
    TRESOR_ASSIGN_OR_RETURN(ssl.pem_cert_chain,
                            ReadPem(options.cert_file, "etcd client certificate"));
    TRESOR_ASSIGN_OR_RETURN(ssl.pem_private_key, ReadPem(options.key_file, "etcd client key"));
  }
  for (const std::string& endpoint : options.endpoints) {
    std::string target = endpoint;
    bool tls = !options.ca_file.empty();
    if (target.starts_with("https://")) {
      target = target.substr(8);
      tls = true;
    } else if (target.starts_with("http://")) {
      target = target.substr(7);
      if (tls) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "etcd endpoint " + endpoint + ": http:// with a CA file given");
      }
    }
    while (target.ends_with("/")) target.pop_back();
    const size_t colon = target.rfind(':');
    if (target.empty() || colon == std::string::npos || colon == 0 || colon + 1 == target.size() ||
        target.find_first_not_of("0123456789", colon + 1) != std::string::npos ||
        target.find('/') != std::string::npos) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "etcd endpoint \"" + endpoint + "\": expected host:port");
    }
    auto credentials = tls ? grpc::SslCredentials(ssl) : grpc::InsecureChannelCredentials();
    auto channel = grpc::CreateCustomChannel(target, credentials, ChannelArgs(options));
    Member m;
    m.endpoint = tls ? "https://" + target : target;
    m.channel = channel;
    m.kv = etcdserverpb::KV::NewStub(channel);
    m.watch = etcdserverpb::Watch::NewStub(channel);
    m.lease = etcdserverpb::Lease::NewStub(channel);
    client->members_.push_back(std::move(m));
  }
  return client;
}

Result<void> EtcdClient::Connect() {
  const auto deadline = std::chrono::system_clock::now() + options_.dial_timeout;
  while (true) {
    for (size_t i = 0; i < members_.size(); ++i) {
      const size_t at = (current_.load() + i) % members_.size();
      if (members_[at].channel->GetState(true) == GRPC_CHANNEL_READY) {
        current_ = at;
        return {};
      }
    }
    // Some member's state changes (or the time is up).
    const auto slice =
        std::min(deadline, std::chrono::system_clock::now() + std::chrono::milliseconds(50));
    Member& first = members_[current_.load()];
    first.channel->WaitForStateChange(first.channel->GetState(false), slice);
    if (std::chrono::system_clock::now() >= deadline) break;
  }
  std::string message = Describe() + ": no member accepted a connection within " +
                        std::to_string(options_.dial_timeout.count()) + " ms";
  if (const std::string tls = TakeTlsFailure(); !tls.empty()) {
    message += " (TLS handshake failed: " + ExplainTls(tls, !options_.ca_file.empty()) + ")";
  }
  return MakeError(ErrorCode::kUnavailable, std::move(message));
}

void EtcdClient::Heard() { heard_ = std::chrono::steady_clock::now().time_since_epoch().count(); }

std::chrono::steady_clock::duration EtcdClient::Silence() const {
  return std::chrono::steady_clock::now().time_since_epoch() -
         std::chrono::steady_clock::duration(heard_.load());
}

void EtcdClient::Prepare(grpc::ClientContext& context) const {
  context.set_deadline(std::chrono::system_clock::now() + options_.request_timeout);
}

std::string EtcdClient::Describe() const {
  std::string out = "etcd at ";
  for (size_t i = 0; i < members_.size(); ++i) {
    if (i > 0) out += ", ";
    out += members_[i].endpoint;
  }
  return out;
}

Result<void> EtcdClient::Call(
    const char* what, bool retry,
    const std::function<grpc::Status(Member&, grpc::ClientContext&)>& call) {
  grpc::Status status;
  std::string endpoint;
  const size_t tries = retry ? members_.size() : 1;
  // However many members there are, a call gives up after one and a half
  // request timeouts: a frozen member costs one, and the next (which
  // answers in milliseconds if alive) gets the rest; a node cut off from
  // them all answers 503 within that, not after a timeout per member.
  const auto give_up = std::chrono::system_clock::now() + options_.request_timeout * 3 / 2;
  size_t tried = 0;
  for (size_t i = 0; i < tries; ++i) {
    const size_t at = current_.load();
    Member& m = member(at);
    grpc::ClientContext context;
    const auto now = std::chrono::system_clock::now();
    if (i > 0 && now >= give_up) break;
    context.set_deadline(std::min(now + options_.request_timeout, give_up));
    ++tried;
    status = call(m, context);
    if (status.ok()) {
      Heard();
      return {};
    }
    endpoint = m.endpoint;
    if (!IsUnanswered(status)) break;
    Skip(at);
  }
  std::string message =
      std::string("etcd ") + what + " at " + endpoint + ": " + status.error_message();
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    message = std::string("etcd ") + what + " at " + endpoint + ": no answer within " +
              std::to_string(options_.request_timeout.count()) + " ms";
  }
  if (IsUnanswered(status)) {
    if (tried == members_.size() && tried > 1) {
      message += " (and every other member: " + Describe() + ")";
    } else if (tried > 1) {
      message += " (and " + std::to_string(tried - 1) + " other member(s) of " + Describe() + ")";
    }
    return MakeError(ErrorCode::kUnavailable, message);
  }
  return MakeError(ErrorCode::kIo, message);
}

}  // namespace tresor::store
