#include "age/encrypt.h"

#include "age/armor.h"
#include "age/base64.h"
#include "age/header.h"
#include "age/stream.h"
#include "crypto/random.h"

namespace tresor::age {

Result<void> Encrypt(std::span<const Recipient* const> recipients, Source& in, Sink& out,
                     const EncryptOptions& options) {
  if (recipients.empty()) return MakeError(ErrorCode::kInvalidArgument, "no recipients");
  for (const Recipient* r : recipients) {
    if (r->MustBeAlone() && recipients.size() > 1) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "a passphrase cannot be combined with other recipients");
    }
  }
  crypto::SecretBytes file_key = crypto::RandomSecret(kFileKeySize);
  std::vector<Stanza> stanzas;
  for (const Recipient* r : recipients) {
    TRESOR_ASSIGN_OR_RETURN(std::vector<Stanza> wrapped, r->Wrap(file_key));
    for (Stanza& s : wrapped) stanzas.push_back(std::move(s));
  }
  std::string header = EncodeHeaderForMac(stanzas);
  const crypto::Digest mac = HeaderMac(file_key, header);
  header.append(" ").append(EncodeBase64Unpadded(mac)).append("\n");

  std::array<uint8_t, kPayloadNonceSize> nonce{};
  crypto::FillRandom(nonce);
  crypto::SecretBytes payload_key = PayloadKey(file_key, nonce);

  ArmorWriter armor(out);
  Sink& sink = options.armor ? static_cast<Sink&>(armor) : out;
  TRESOR_RETURN_IF_ERROR(sink.Write(crypto::AsBytes(header)));
  TRESOR_RETURN_IF_ERROR(sink.Write(nonce));
  Reader reader(in, kReaderCapacity);
  TRESOR_RETURN_IF_ERROR(EncryptPayload(payload_key, reader, sink));
  if (options.armor) TRESOR_RETURN_IF_ERROR(armor.Finish());
  return {};
}

}  // namespace tresor::age
