#include "server/key_quorum.h"

#include "crypto/kdf.h"
#include "crypto/random.h"

namespace tresor::server {

void KeyQuorum::Start() {
  uint8_t b[16];
  crypto::FillRandom(b);
  started_ = true;
  nonce_ = crypto::HexEncode(b);
  keys_.clear();
}

void KeyQuorum::Cancel() {
  started_ = false;
  nonce_.clear();
  keys_.clear();
}

Result<std::optional<std::vector<crypto::SecretBytes>>> KeyQuorum::Add(const std::string& nonce,
                                                                       crypto::SecretBytes key,
                                                                       int required) {
  if (!started_) return MakeError(ErrorCode::kInvalidArgument, "no " + what_ + " in progress");
  if (nonce != nonce_) return MakeError(ErrorCode::kInvalidArgument, "incorrect nonce");
  for (const auto& given : keys_) {
    if (crypto::ConstantTimeEqual(given.Reveal(), key.Reveal())) {
      return MakeError(ErrorCode::kInvalidArgument, "this key was already given");
    }
  }
  keys_.push_back(std::move(key));
  if (static_cast<int>(keys_.size()) < required) {
    return std::optional<std::vector<crypto::SecretBytes>>();
  }
  std::vector<crypto::SecretBytes> keys = std::move(keys_);
  keys_.clear();
  return std::optional<std::vector<crypto::SecretBytes>>(std::move(keys));
}

}  // namespace tresor::server
