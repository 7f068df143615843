#include "server/rekey.h"

#include "age/base64.h"
#include "crypto/kdf.h"

namespace tresor::server {

Result<RekeyStatus> Rekey::Start(int shares, int threshold, int required) {
  const std::lock_guard lock(mutex_);
  if (quorum_.started()) {
    return MakeError(ErrorCode::kInvalidArgument, "rekey already in progress (cancel it first)");
  }
  quorum_.Start();
  shares_ = shares;
  threshold_ = threshold;
  return StatusLocked(required);
}

RekeyStatus Rekey::Status(int required) const {
  const std::lock_guard lock(mutex_);
  return StatusLocked(required);
}

RekeyStatus Rekey::StatusLocked(int required) const {
  RekeyStatus s;
  s.started = quorum_.started();
  s.nonce = quorum_.nonce();
  s.shares = s.started ? shares_ : 0;
  s.threshold = s.started ? threshold_ : 0;
  s.progress = quorum_.progress();
  s.required = required;
  return s;
}

void Rekey::Cancel() {
  const std::lock_guard lock(mutex_);
  quorum_.Cancel();
}

Result<RekeyStatus> Rekey::Add(const std::string& nonce, crypto::SecretBytes key, int required,
                               const Finish& finish) {
  const std::lock_guard lock(mutex_);
  TRESOR_ASSIGN_OR_RETURN(auto keys, quorum_.Add(nonce, std::move(key), required));
  if (!keys) return StatusLocked(required);
  RekeyStatus done = StatusLocked(required);
  quorum_.Cancel();  // over, whatever comes of it
  TRESOR_ASSIGN_OR_RETURN(auto made, finish(std::move(*keys), shares_, threshold_));
  done.progress = required;
  done.complete = true;
  for (const auto& k : made) {
    done.keys_hex.push_back(crypto::HexEncode(k.Reveal()));
    done.keys_base64.push_back(age::EncodeBase64Padded(k.Reveal()));
  }
  return done;
}

}  // namespace tresor::server
