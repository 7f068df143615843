#include "cli/identities.h"

#include <algorithm>
#include <cstring>

#include "age/encrypt.h"
#include "age/key_files.h"
#include "age/scrypt.h"
#include "cli/exit_codes.h"
#include "cli/files.h"

namespace tresor::cli {
namespace {

// Identity files are small; this bounds what a wrong path can make us read.
constexpr size_t kMaxIdentityFile = 1 << 20;

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

Result<std::vector<age::X25519Identity>> ParseIdentityBytes(const crypto::SecretBytes& content,
                                                            const std::string& name,
                                                            const PassphraseSource& passphrases) {
  if (!age::IsEncryptedKeyFile(content.Reveal())) {
    auto ids = age::ParseIdentityFile(content.Reveal());
    if (!ids) return WithPlace(name, ids.error());
    return ids;
  }
  TRESOR_ASSIGN_OR_RETURN(
      crypto::SecretBytes passphrase,
      passphrases.Get("Enter passphrase for identity file \"" + name + "\"", false));
  age::ScryptIdentity scrypt(std::move(passphrase));
  const age::Identity* ids[] = {&scrypt};
  age::SpanSource in(content.Reveal());
  SecretSink out;
  auto decrypted = age::Decrypt(ids, in, out);
  if (!decrypted) {
    Error e = std::move(decrypted).error();
    if (e.code == ErrorCode::kNoMatch) e.message = "wrong passphrase for the identity file";
    return PlaceDecryptError(name, std::move(e));
  }
  auto parsed = age::ParseIdentityFile(out.Take().Reveal());
  if (!parsed) return WithPlace(name, parsed.error());
  return parsed;
}

Result<std::vector<age::X25519Identity>> LoadIdentityFile(const std::string& path,
                                                          const PassphraseSource& passphrases) {
  TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes content, ReadSecretFile(path, kMaxIdentityFile));
  return ParseIdentityBytes(content, path, passphrases);
}

Result<std::optional<crypto::SecretBytes>> PassphrasePromptIdentity::Unwrap(
    std::span<const age::Stanza> stanzas) const {
  const bool has_scrypt = std::any_of(stanzas.begin(), stanzas.end(),
                                      [](const age::Stanza& s) { return s.type == "scrypt"; });
  if (!has_scrypt) return std::optional<crypto::SecretBytes>();
  asked_ = true;
  TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes passphrase,
                          passphrases_.Get("Enter passphrase", false));
  return age::ScryptIdentity(std::move(passphrase)).Unwrap(stanzas);
}

}  // namespace tresor::cli
