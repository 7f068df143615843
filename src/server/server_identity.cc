#include "server/server_identity.h"

#include "age/base64.h"
#include "age/encrypt.h"
#include "age/io.h"

namespace tresor::server {
namespace {

constexpr std::string_view kAgeMagic = "age-encryption.org/v1\n";
constexpr std::string_view kArmorBegin = "-----BEGIN AGE ENCRYPTED FILE-----";

Result<age::X25519Identity> Parse(const crypto::SecretBytes& stored) {
  const auto bytes = stored.Reveal();
  auto parsed = age::X25519Identity::Parse(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  if (!parsed) {
    return MakeError(ErrorCode::kIntegrity,
                     std::string(kServerIdentityPath) + ": not an age identity");
  }
  return std::move(*parsed);
}

}  // namespace

Result<ServerIdentity> ServerIdentity::LoadOrCreate(store::Barrier& barrier) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    TRESOR_ASSIGN_OR_RETURN(auto stored, barrier.Get(kServerIdentityPath));
    if (stored) {
      TRESOR_ASSIGN_OR_RETURN(age::X25519Identity identity, Parse(*stored));
      std::string recipient = identity.ToRecipient().String();
      return ServerIdentity(std::make_shared<const age::X25519Identity>(std::move(identity)),
                            std::move(recipient));
    }
    const age::X25519Identity fresh = age::X25519Identity::Generate();
    const crypto::SecretBytes encoded = fresh.Encode();
    store::Txn txn{{{kServerIdentityPath, 0}},
                   {barrier.Seal(kServerIdentityPath, encoded.Reveal())}};
    TRESOR_ASSIGN_OR_RETURN(const store::TxnResult result,
                            barrier.storage().Commit(std::move(txn)));
    // Added, or another node's came first: read what is stored.
    (void)result;
  }
  return MakeError(ErrorCode::kIntegrity,
                   std::string(kServerIdentityPath) + ": created but cannot be read back");
}

Result<std::string> ServerIdentity::Open(std::string_view ciphertext) const {
  // The one-line form as a file holds it, a line break after it.
  while (!ciphertext.empty() &&
         (ciphertext.back() == '\n' || ciphertext.back() == '\r' || ciphertext.back() == ' ')) {
    ciphertext.remove_suffix(1);
  }
  std::vector<uint8_t> binary;
  std::string_view input = ciphertext;
  if (!ciphertext.starts_with(kArmorBegin)) {
    if (!age::DecodeBase64Padded(ciphertext, binary) ||
        !std::string_view(reinterpret_cast<const char*>(binary.data()), binary.size())
             .starts_with(kAgeMagic)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "not an age ciphertext (an armored age file, or the base64 of one on one "
                       "line)");
    }
    input = std::string_view(reinterpret_cast<const char*>(binary.data()), binary.size());
  }
  age::SpanSource in(input);
  age::VectorSink out;
  const age::Identity* identities[] = {identity_.get()};
  if (auto opened = age::Decrypt(identities, in, out); !opened) {
    const Error& e = opened.error();
    switch (e.code) {
      case ErrorCode::kNoMatch:
        return MakeError(ErrorCode::kInvalidArgument,
                         "not encrypted to this server (its recipient is " + recipient_ + ")");
      case ErrorCode::kArmor:
      case ErrorCode::kHeader:
      case ErrorCode::kHmac:
      case ErrorCode::kPayload:
        return MakeError(ErrorCode::kInvalidArgument,
                         std::string("does not open: ") + ErrorCodeName(e.code) + ": " + e.message);
      default:
        return MakeError(ErrorCode::kInvalidArgument, "does not open: " + e.message);
    }
  }
  std::vector<uint8_t>& plain = out.data();
  std::string text(plain.begin(), plain.end());
  std::fill(plain.begin(), plain.end(), 0);
  return text;
}

}  // namespace tresor::server
