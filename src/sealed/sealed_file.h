// A configuration file with sealed values (docs/format.md): parsing, key
// recovery, and the operations the CLI offers. Operations return the new
// text; the caller decides where it goes (stdout, or an atomic replace).
//
// Errors: kSyntax "LINE:COL: ..." for a file that does not parse,
// kIntegrity "LINE:COL: PATH: ..." for a value that does not authenticate or
// "file MAC ..." for the whole-file MAC, kNoMatch when no identity recovers
// the data key, kNotFound for an unknown path. Messages never hold a value.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "age/recipient.h"
#include "crypto/result.h"
#include "crypto/secret_bytes.h"
#include "formats/format.h"
#include "sealed/codec.h"

namespace tresor::sealed {

inline constexpr std::string_view kDefaultGroup = "default";

class SealedFile {
 public:
  // Parses `text`; needs no key.
  static Result<SealedFile> Load(std::string text, const formats::Format& format);

  bool has_header() const { return header_.has_value(); }
  const std::string& text() const { return text_; }
  const formats::Document& document() const { return doc_; }

  // Recovers the data key from the header with the first identity that can.
  Result<void> Unlock(std::span<const age::Identity* const> identities);
  // A new data key for `recipients`, for a file without a header.
  Result<void> CreateKey(std::span<const age::Recipient* const> recipients);

  // Checks the whole-file MAC (needs Unlock).
  Result<void> VerifyMac() const;

  // Seals every plaintext value (existing tokens are kept byte for byte,
  // after checking that they open) and writes the header entry with a fresh
  // MAC. Needs a key.
  Result<std::string> Seal() const;
  // The original file, byte for byte. Needs Unlock.
  Result<std::string> Unseal() const;
  // What a program reading the unsealed file sees at `path`.
  Result<crypto::SecretBytes> Get(std::string_view path) const;
  // Sets `path` to the string `value`, sealed (a new key is added if the
  // format can place it). Only that value's token and the MAC change.
  Result<std::string> Set(std::string_view path, const crypto::SecretBytes& value) const;
  // Removes the entry at `path`; the MAC is updated.
  Result<std::string> Unset(std::string_view path) const;
  // The sealed form of `edited`, an edit of Unseal()'s text: values whose
  // path, literal and type did not change keep their tokens, so the diff
  // shows only what the edit changed. kSyntax errors refer to `edited`.
  Result<std::string> SealEdit(std::string edited) const;
  // Every value re-sealed under a new data key for `recipients` (needs Unlock).
  Result<std::string> Rotate(std::span<const age::Recipient* const> recipients) const;
  // The same data key wrapped for `recipients` instead: tokens stay as they
  // are, the header and its MAC change (needs Unlock). Removing a recipient
  // this way does not take away what it could already read: rotate for that.
  Result<std::string> UpdateKeys(std::span<const age::Recipient* const> recipients) const;

 private:
  SealedFile(std::string text, const formats::Format& format, formats::Document doc)
      : text_(std::move(text)), format_(&format), doc_(std::move(doc)) {}

  const formats::Value* Find(std::string_view path) const;
  Result<crypto::SecretBytes> OpenLiteral(const formats::Value& value) const;
  // The token literal for a value; `end` is where the literal ends in text_.
  std::string SealLiteral(std::string_view path, std::string_view literal, formats::ValueType type,
                          size_t end) const;
  Error ValueError(const formats::Value& value, const std::string& what) const;
  Result<void> CheckSameStructure(const std::string& sealed) const;
  // Seals `text`, an edit of this file, with this file's key.
  Result<std::string> Resealed(std::string text) const;
  // This file's keys copied into `other` (a Load of an edit of this file).
  void ShareKeys(SealedFile& other) const;
  // Sets the data key and wraps it for `recipients`.
  Result<void> SetDataKey(crypto::SecretBytes data_key,
                          std::span<const age::Recipient* const> recipients);

  std::string text_;
  const formats::Format* format_;
  formats::Document doc_;
  std::optional<Header> header_;
  std::string group_{kDefaultGroup};
  crypto::SecretBytes data_key_;
  crypto::SecretBytes value_key_;
  crypto::SecretBytes mac_key_;
  std::vector<uint8_t> wrapped_key_;  // the age file of the data key
  // SealEdit: tokens to keep, by path, for values whose literal is unchanged.
  struct Kept {
    std::string literal;
    formats::ValueType type;
    std::string token;
  };
  std::unordered_map<std::string, Kept> kept_;
};

}  // namespace tresor::sealed
