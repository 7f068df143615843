// The age scrypt recipient type: passphrase-encrypted files.
#pragma once

#include "age/recipient.h"

namespace tresor::age {

// age's default work factor for new files: 2^18 (about a second, 256 MiB).
inline constexpr int kDefaultScryptLogN = 18;
// The largest work factor a file may ask of us when decrypting: 2^22 needs
// 4 GiB and several seconds; beyond is a denial of service, not protection.
inline constexpr int kMaxScryptLogN = 22;

class ScryptRecipient : public Recipient {
 public:
  explicit ScryptRecipient(crypto::SecretBytes passphrase, int log_n = kDefaultScryptLogN)
      : passphrase_(std::move(passphrase)), log_n_(log_n) {}
  Result<std::vector<Stanza>> Wrap(const crypto::SecretBytes& file_key) const override;
  bool MustBeAlone() const override { return true; }
  std::string Name() const override { return "scrypt"; }

 private:
  crypto::SecretBytes passphrase_;
  int log_n_;
};

class ScryptIdentity : public Identity {
 public:
  explicit ScryptIdentity(crypto::SecretBytes passphrase, int max_log_n = kMaxScryptLogN)
      : passphrase_(std::move(passphrase)), max_log_n_(max_log_n) {}
  Result<std::optional<crypto::SecretBytes>> Unwrap(std::span<const Stanza> stanzas) const override;

 private:
  crypto::SecretBytes passphrase_;
  int max_log_n_;
};

}  // namespace tresor::age
