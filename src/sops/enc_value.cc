#include "sops/enc_value.h"

#include <array>

#include "age/base64.h"
#include "crypto/aead_oneshot.h"
#include "crypto/kdf.h"
#include "crypto/random.h"

namespace tresor::sops {
namespace {

constexpr std::string_view kPrefix = "ENC[AES256_GCM,";

Error Malformed(const std::string& what) {
  return MakeError(ErrorCode::kIntegrity, "malformed sops value: " + what);
}

// "NAME:" at the start of `rest`, then the text up to the next ',' (or the
// end): consumed from `rest`.
bool TakeField(std::string_view& rest, std::string_view name, std::string_view& out) {
  if (!rest.starts_with(name) || rest.size() <= name.size() || rest[name.size()] != ':') {
    return false;
  }
  rest.remove_prefix(name.size() + 1);
  const size_t comma = rest.find(',');
  out = rest.substr(0, comma);
  rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
  return true;
}

bool KnownType(std::string_view type) {
  static constexpr std::array<std::string_view, 7> kTypes = {"str",   "int",  "float",  "bool",
                                                             "bytes", "time", "comment"};
  for (std::string_view t : kTypes) {
    if (t == type) return true;
  }
  return false;
}

}  // namespace

bool LooksEncrypted(std::string_view s) { return s.starts_with("ENC["); }

Result<EncValue> ParseEnc(std::string_view s) {
  if (!s.starts_with("ENC[") || !s.ends_with(']')) return Malformed("not ENC[...]");
  if (!s.starts_with(kPrefix)) {
    return Malformed("only AES256_GCM is known (the value names another cipher)");
  }
  std::string_view rest = s.substr(kPrefix.size(), s.size() - kPrefix.size() - 1);
  std::string_view data, iv, tag, type;
  if (!TakeField(rest, "data", data) || !TakeField(rest, "iv", iv) ||
      !TakeField(rest, "tag", tag) || !TakeField(rest, "type", type) || !rest.empty()) {
    return Malformed("expected data, iv, tag and type fields, in that order");
  }
  EncValue v;
  if (!age::DecodeBase64Padded(data, v.data)) return Malformed("data is not base64");
  if (!age::DecodeBase64Padded(iv, v.iv) || v.iv.size() != kIvSize) {
    return Malformed("iv is not 32 bytes of base64");
  }
  if (!age::DecodeBase64Padded(tag, v.tag) || v.tag.size() != crypto::kAeadTagSize) {
    return Malformed("tag is not 16 bytes of base64");
  }
  if (!KnownType(type)) return Malformed("unknown type \"" + std::string(type) + "\"");
  v.type = std::string(type);
  return v;
}

std::string FormatEnc(const EncValue& value) {
  return std::string(kPrefix) + "data:" + age::EncodeBase64Padded(value.data) +
         ",iv:" + age::EncodeBase64Padded(value.iv) + ",tag:" + age::EncodeBase64Padded(value.tag) +
         ",type:" + value.type + "]";
}

Result<crypto::SecretBytes> OpenEnc(const EncValue& value, const crypto::SecretBytes& data_key,
                                    std::string_view aad) {
  return crypto::AesGcmOpenWithNonce(data_key.Reveal(), value.iv, crypto::AsBytes(aad), value.data,
                                     value.tag);
}

Result<EncValue> SealEnc(std::string_view plaintext, std::string_view type,
                         const crypto::SecretBytes& data_key, std::string_view aad) {
  EncValue v;
  v.iv.resize(kIvSize);
  crypto::FillRandom(v.iv);
  TRESOR_ASSIGN_OR_RETURN(crypto::GcmSealed sealed,
                          crypto::AesGcmSealWithNonce(data_key.Reveal(), v.iv, crypto::AsBytes(aad),
                                                      crypto::AsBytes(plaintext)));
  v.data = std::move(sealed.ciphertext);
  v.tag.assign(sealed.tag.begin(), sealed.tag.end());
  v.type = std::string(type);
  return v;
}

}  // namespace tresor::sops
