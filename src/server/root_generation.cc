#include "server/root_generation.h"

#include "age/base64.h"
#include "crypto/kdf.h"
#include "crypto/random.h"

namespace tresor::server {
namespace {

std::string RandomBase62(size_t length) {
  static constexpr char kAlphabet[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out;
  uint8_t bytes[64];
  while (out.size() < length) {
    crypto::FillRandom(bytes);
    for (uint8_t b : bytes) {
      if (b < 248 && out.size() < length) out.push_back(kAlphabet[b % 62]);  // no modulo bias
    }
  }
  return out;
}

}  // namespace

Result<RootGenerationStatus> RootGeneration::Start(int required) {
  const std::lock_guard lock(mutex_);
  if (quorum_.started() && encoded_.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "root generation already in progress (cancel it first)");
  }
  quorum_.Start();
  otp_ = RandomBase62(kOtpLength);
  encoded_.clear();
  RootGenerationStatus status = StatusLocked(required);
  status.otp = otp_;
  return status;
}

RootGenerationStatus RootGeneration::Status(int required) const {
  const std::lock_guard lock(mutex_);
  return StatusLocked(required);
}

RootGenerationStatus RootGeneration::StatusLocked(int required) const {
  RootGenerationStatus s;
  s.started = quorum_.started();
  s.nonce = quorum_.nonce();
  s.progress = quorum_.progress();
  s.required = required;
  s.complete = !encoded_.empty();
  s.encoded_token = encoded_;
  return s;
}

void RootGeneration::Cancel() {
  const std::lock_guard lock(mutex_);
  quorum_.Cancel();
  otp_.clear();
  encoded_.clear();
}

Result<RootGenerationStatus> RootGeneration::Add(
    const std::string& nonce, crypto::SecretBytes key, int required,
    const std::function<Result<std::string>(std::vector<crypto::SecretBytes>)>& finish) {
  const std::lock_guard lock(mutex_);
  if (!encoded_.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "no root generation in progress");
  }
  TRESOR_ASSIGN_OR_RETURN(auto keys, quorum_.Add(nonce, std::move(key), required));
  if (!keys) return StatusLocked(required);
  auto token = finish(std::move(*keys));
  if (!token) {
    quorum_.Cancel();  // a wrong key among them: the attempt is over
    otp_.clear();
    return std::move(token).error();
  }
  std::vector<uint8_t> mixed(token->size());
  for (size_t i = 0; i < token->size(); ++i) {
    mixed[i] = static_cast<uint8_t>((*token)[i] ^ (i < otp_.size() ? otp_[i] : 0));
  }
  std::fill(token->begin(), token->end(), '\0');
  encoded_ = age::EncodeBase64Unpadded(mixed);
  otp_.clear();
  RootGenerationStatus status = StatusLocked(required);
  status.progress = required;
  return status;
}

Result<std::string> RootGeneration::Decode(const std::string& encoded, const std::string& otp) {
  std::vector<uint8_t> mixed;
  if (!age::DecodeBase64Unpadded(encoded, mixed)) {
    return MakeError(ErrorCode::kInvalidArgument, "the encoded token is not base64");
  }
  if (mixed.size() != otp.size()) {
    return MakeError(ErrorCode::kInvalidArgument, "the OTP does not match the encoded token");
  }
  std::string token(mixed.size(), '\0');
  for (size_t i = 0; i < mixed.size(); ++i) token[i] = static_cast<char>(mixed[i] ^ otp[i]);
  return token;
}

}  // namespace tresor::server
