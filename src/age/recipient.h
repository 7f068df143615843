// The two sides of an age recipient type: a Recipient wraps a file key into
// stanzas, an Identity unwraps one from them.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "age/header.h"
#include "crypto/result.h"
#include "crypto/secret_bytes.h"

namespace tresor::age {

class Recipient {
 public:
  virtual ~Recipient() = default;
  // The stanzas that carry `file_key` (kFileKeySize bytes) to this recipient.
  virtual Result<std::vector<Stanza>> Wrap(const crypto::SecretBytes& file_key) const = 0;
  // True if the stanza must be the file's only one (scrypt: so a passphrase
  // file cannot also be opened by someone else's key without notice).
  virtual bool MustBeAlone() const { return false; }
  // How a list of recipients names this one: "age1..." for X25519, "scrypt"
  // for a passphrase.
  virtual std::string Name() const = 0;
};

class Identity {
 public:
  virtual ~Identity() = default;
  // The file key, if one of `stanzas` is addressed to this identity; nullopt
  // if none is. A stanza of this identity's type that is malformed is a
  // kHeader error.
  virtual Result<std::optional<crypto::SecretBytes>> Unwrap(
      std::span<const Stanza> stanzas) const = 0;
};

}  // namespace tresor::age
