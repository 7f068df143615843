#include "server/seals/auto_unsealer.h"

#include "server/api.h"

namespace tresor::server {

bool Transient(const ::tresor::Error& error) {
  return error.code == ErrorCode::kUnavailable || error.code == ErrorCode::kIo;
}

Result<std::string> UnsealAtStart(Api& api) {
  TRESOR_ASSIGN_OR_RETURN(const bool initialized, api.seal().Initialized());
  if (!initialized) return std::string();
  auto unsealed = api.AutoUnseal();
  if (unsealed) return std::string();
  if (!Transient(unsealed.error())) return std::move(unsealed).error();
  return std::move(unsealed).error().message;
}

AutoUnsealer::AutoUnsealer(std::shared_ptr<Api> api, std::chrono::milliseconds period, Log log)
    : api_(std::move(api)), log_(std::move(log)), ticker_(period, [this] { Try(); }) {}

void AutoUnsealer::Try() {
  if (done_) return;
  if (!api_->sealed()) {
    done_ = true;
    return;
  }
  auto initialized = api_->seal().Initialized();
  if (initialized && !*initialized) return;
  auto unsealed = initialized ? api_->AutoUnseal() : Result<void>(std::move(initialized).error());
  if (unsealed) {
    done_ = true;
    log_("unsealed by the seal", "");
    return;
  }
  if (unsealed.error().message != last_error_) {
    last_error_ = unsealed.error().message;
    log_("still sealed: the seal does not unseal the store; retrying", last_error_);
  }
}

}  // namespace tresor::server
