#include "keys/identity_file.h"

#include <cstring>

#include "age/encrypt.h"
#include "age/key_files.h"
#include "age/scrypt.h"
#include "crypto/secret_file.h"

namespace tresor::keys {
namespace {

// Collects decrypted bytes in secret memory.
class SecretSink : public age::Sink {
 public:
  Result<void> Write(std::span<const uint8_t> data) override {
    if (bytes_.size() + data.size() > kMaxIdentityFile) {
      return MakeError(ErrorCode::kInvalidArgument, "decrypted identity file is too large");
    }
    crypto::SecretBytes grown(bytes_.size() + data.size());
    auto dst = grown.Mutable();
    if (!bytes_.empty()) std::memcpy(dst.data(), bytes_.Reveal().data(), bytes_.size());
    if (!data.empty()) std::memcpy(dst.data() + bytes_.size(), data.data(), data.size());
    bytes_ = std::move(grown);
    return {};
  }
  crypto::SecretBytes Take() { return std::move(bytes_); }

 private:
  crypto::SecretBytes bytes_;
};

}  // namespace

bool IsProtectedIdentity(const crypto::SecretBytes& content) {
  return age::IsEncryptedKeyFile(content.Reveal());
}

Result<std::vector<age::X25519Identity>> ParseIdentityBytes(const crypto::SecretBytes& content,
                                                            const std::string& name,
                                                            const PassphraseFn& passphrase,
                                                            std::vector<std::string>* plugins) {
  if (!IsProtectedIdentity(content)) {
    auto ids = age::ParseIdentityFile(content.Reveal(), plugins);
    if (!ids) return WithPlace(name, ids.error());
    return ids;
  }
  if (!passphrase) {
    return MakeError(ErrorCode::kRefused, name + ": passphrase-protected");
  }
  TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes secret,
                          passphrase("Enter passphrase for identity file \"" + name + "\""));
  age::ScryptIdentity scrypt(std::move(secret));
  const age::Identity* ids[] = {&scrypt};
  age::SpanSource in(content.Reveal());
  SecretSink out;
  auto decrypted = age::Decrypt(ids, in, out);
  if (!decrypted) {
    Error e = std::move(decrypted).error();
    if (e.code == ErrorCode::kNoMatch) e.message = "wrong passphrase for the identity file";
    return age::PlaceDecryptError(name, std::move(e));
  }
  auto parsed = age::ParseIdentityFile(out.Take().Reveal(), plugins);
  if (!parsed) return WithPlace(name, parsed.error());
  return parsed;
}

Result<crypto::SecretBytes> ProtectIdentityFile(const crypto::SecretBytes& content,
                                                crypto::SecretBytes passphrase, int log_n) {
  age::ScryptRecipient recipient(std::move(passphrase), log_n);
  const age::Recipient* recipients[] = {&recipient};
  age::SpanSource in(content.Reveal());
  SecretSink out;
  TRESOR_RETURN_IF_ERROR(age::Encrypt(recipients, in, out, {.armor = true}));
  return out.Take();
}

Result<std::vector<age::X25519Identity>> LoadIdentityFile(const std::string& path,
                                                          const PassphraseFn& passphrase,
                                                          std::vector<std::string>* plugins) {
  TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes content,
                          crypto::ReadSecretFile(path, kMaxIdentityFile));
  return ParseIdentityBytes(content, path, passphrase, plugins);
}

}  // namespace tresor::keys
