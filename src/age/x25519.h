// The age X25519 recipient type: "age1..." recipients and
// "AGE-SECRET-KEY-1..." identities.
#pragma once

#include <string>
#include <string_view>

#include "age/recipient.h"
#include "crypto/x25519.h"

namespace tresor::age {

class X25519Recipient : public Recipient {
 public:
  // Parses "age1...". Errors are kInvalidArgument.
  static Result<X25519Recipient> Parse(std::string_view text);
  explicit X25519Recipient(const crypto::X25519Point& point) : point_(point) {}

  std::string String() const;  // "age1..."
  std::string Name() const override { return String(); }
  Result<std::vector<Stanza>> Wrap(const crypto::SecretBytes& file_key) const override;

 private:
  crypto::X25519Point point_;
};

class X25519Identity : public Identity {
 public:
  static X25519Identity Generate();
  // Parses "AGE-SECRET-KEY-1...". Errors never echo the text.
  static Result<X25519Identity> Parse(std::string_view text);

  // The "AGE-SECRET-KEY-1..." string, as a secret.
  crypto::SecretBytes Encode() const;
  X25519Recipient ToRecipient() const;

  Result<std::optional<crypto::SecretBytes>> Unwrap(std::span<const Stanza> stanzas) const override;

 private:
  explicit X25519Identity(crypto::SecretBytes scalar) : scalar_(std::move(scalar)) {}
  std::span<const uint8_t, crypto::kX25519Size> Scalar() const {
    return scalar_.Reveal().first<crypto::kX25519Size>();
  }

  crypto::SecretBytes scalar_;
  crypto::X25519Point point_{};
};

}  // namespace tresor::age
