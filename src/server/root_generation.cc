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

std::string NewNonce() {
  uint8_t b[16];
  crypto::FillRandom(b);
  return crypto::HexEncode(b);
}

}  // namespace

Result<RootGenerationStatus> RootGeneration::Start(int required) {
  const std::lock_guard lock(mutex_);
  if (started_ && encoded_.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "root generation already in progress (cancel it first)");
  }
  started_ = true;
  nonce_ = NewNonce();
  otp_ = RandomBase62(kOtpLength);
  keys_.clear();
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
  s.started = started_;
  s.nonce = nonce_;
  s.progress = static_cast<int>(keys_.size());
  s.required = required;
  s.complete = !encoded_.empty();
  s.encoded_token = encoded_;
  return s;
}

void RootGeneration::Cancel() {
  const std::lock_guard lock(mutex_);
  started_ = false;
  nonce_.clear();
  otp_.clear();
  keys_.clear();
  encoded_.clear();
}

Result<RootGenerationStatus> RootGeneration::Add(
    const std::string& nonce, crypto::SecretBytes key, int required,
    const std::function<Result<std::string>(std::vector<crypto::SecretBytes>)>& finish) {
  const std::lock_guard lock(mutex_);
  if (!started_ || !encoded_.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "no root generation in progress");
  }
  if (nonce != nonce_) return MakeError(ErrorCode::kInvalidArgument, "incorrect nonce");
  for (const auto& given : keys_) {
    if (crypto::ConstantTimeEqual(given.Reveal(), key.Reveal())) {
      return MakeError(ErrorCode::kInvalidArgument, "this key was already given");
    }
  }
  keys_.push_back(std::move(key));
  if (static_cast<int>(keys_.size()) < required) return StatusLocked(required);
  std::vector<crypto::SecretBytes> keys = std::move(keys_);
  keys_.clear();
  auto token = finish(std::move(keys));
  if (!token) {
    started_ = false;  // a wrong key among them: the attempt is over
    nonce_.clear();
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
