#include "age/armor.h"
#include "age/encrypt.h"
#include "age/header.h"
#include "age/stream.h"

namespace tresor::age {
namespace {

Result<crypto::SecretBytes> FindFileKey(std::span<const Identity* const> identities,
                                        const Header& header) {
  // As age does: an scrypt stanza must be alone whatever identity is used, so
  // a passphrase-protected file cannot quietly gain another recipient.
  for (const Stanza& s : header.stanzas) {
    if (s.type == "scrypt" && header.stanzas.size() != 1) {
      return MakeError(ErrorCode::kHeader, "an scrypt stanza must be the only one in the file");
    }
  }
  for (const Identity* identity : identities) {
    TRESOR_ASSIGN_OR_RETURN(auto file_key, identity->Unwrap(header.stanzas));
    if (file_key) return std::move(*file_key);
  }
  const size_t n = header.stanzas.size();
  return MakeError(ErrorCode::kNoMatch, "no identity matched any of the file's " +
                                            std::to_string(n) + " recipient" + (n == 1 ? "" : "s") +
                                            " (wrong key or passphrase?)");
}

Result<void> DecryptBinary(std::span<const Identity* const> identities, Reader& in, Sink& out) {
  TRESOR_ASSIGN_OR_RETURN(Header header, ReadHeader(in));
  TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes file_key, FindFileKey(identities, header));
  const crypto::Digest mac = HeaderMac(file_key, header.mac_input);
  if (!crypto::ConstantTimeEqual(mac, header.mac)) {
    return MakeError(ErrorCode::kHmac, "header MAC does not verify (the header was modified)");
  }
  TRESOR_ASSIGN_OR_RETURN(auto nonce, in.Peek(kPayloadNonceSize));
  if (nonce.size() < kPayloadNonceSize) {
    return MakeError(ErrorCode::kHeader, "file ends before the payload nonce");
  }
  crypto::SecretBytes payload_key = PayloadKey(file_key, nonce);
  in.Consume(kPayloadNonceSize);
  return DecryptPayload(payload_key, in, out);
}

}  // namespace

Result<void> Decrypt(std::span<const Identity* const> identities, Source& in, Sink& out) {
  Reader raw(in, kReaderCapacity);
  TRESOR_ASSIGN_OR_RETURN(auto prefix, raw.Peek(256));
  if (!LooksArmored(prefix)) return DecryptBinary(identities, raw, out);
  ArmorReader armor(raw);
  Reader decoded(armor, kReaderCapacity);
  return DecryptBinary(identities, decoded, out);
}

}  // namespace tresor::age
