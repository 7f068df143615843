// A configuration file with sealed values (docs/format.md): parsing, key
// recovery, and the operations the CLI offers. Operations return the new
// text; the caller decides where it goes (stdout, or an atomic replace).
//
// A file has one or more groups, each with its own data key and recipients.
// Whoever opens some groups can read, write and verify those; values and
// MACs of the other groups are left exactly as they are.
//
// Errors: kSyntax "LINE:COL: ..." for a file that does not parse,
// kIntegrity "LINE:COL: PATH: ..." for a value that does not authenticate or
// "LINE: group G: MAC ..." for a group's MAC, kNoMatch when no identity
// opens a group an operation needs, kNotFound for an unknown path.
// Messages never hold a value.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "age/recipient.h"
#include "crypto/result.h"
#include "crypto/secret_bytes.h"
#include "formats/format.h"
#include "sealed/codec.h"
#include "sealed/group_key.h"
#include "sealed/policy.h"

namespace tresor::sealed {

inline constexpr std::string_view kDefaultGroup = "default";

class SealedFile {
 public:
  // Parses `text`; needs no key.
  static Result<SealedFile> Load(std::string text, const formats::Format& format);

  bool has_header() const { return header_.has_value(); }
  const std::string& text() const { return text_; }
  const formats::Document& document() const { return doc_; }
  const formats::Format& format() const { return *format_; }
  // The header as the file has it (empty groups without a header).
  std::vector<HeaderGroup> header_groups() const;

  // Recovers the data key of every group one of `identities` opens;
  // kNoMatch if none does.
  Result<void> Unlock(std::span<const age::Identity* const> identities);
  bool unlocked(std::string_view group) const;

  // Checks the MAC of every unlocked group.
  Result<void> VerifyMac() const;

  // Seals the plaintext values `policy` selects (existing tokens are kept
  // byte for byte after checking that they open; `set --public` tokens are
  // adopted) and writes the header entry. A group the policy plans that the
  // file lacks gets a new data key for the plan's recipients.
  Result<std::string> Seal(const Policy& policy) const;
  // The original file, byte for byte. Needs every group.
  Result<std::string> Unseal() const;
  // What a reader holding only some groups' keys sees: the file without
  // its header, the values of unlocked groups as they were, and those of
  // locked groups still sealed (their paths and groups in `locked`, in file
  // order).
  struct LockedValue {
    std::string path;
    std::string group;
  };
  Result<std::string> UnsealReadable(std::vector<LockedValue>* locked) const;
  // The file with group `name`'s values back in plaintext and the group
  // gone from the header; the other groups, locked or not, stay as they
  // are. Needs that group only. kNotFound for a group the file lacks.
  Result<std::string> UnsealGroup(std::string_view name) const;
  // The file with the sealed values under `pattern` (policy.h's PathUnder:
  // "backend_b", "servers[*].password") back in plaintext; every other token
  // and every group stay. Needs the keys of those values' groups only.
  // kNotFound if no sealed value is under `pattern`.
  Result<std::string> UnsealPaths(std::string_view pattern) const;
  // What a program reading the unsealed file sees at `path`.
  Result<crypto::SecretBytes> Get(std::string_view path) const;
  // Sets `path` to the string `value`, sealed, in the value's group (a new
  // key is added where the format can place it, in the group `policy` names
  // or that of its nearest sealed neighbour). Only that token and its
  // group's MAC change.
  Result<std::string> Set(std::string_view path, const crypto::SecretBytes& value,
                          const Policy& policy) const;
  // The same with no key: sealed to the group's public key. The value is not
  // covered by the group's MAC until someone with the key re-seals the file.
  // An existing key-sealed value is not replaced.
  Result<std::string> SetPublic(std::string_view path, const crypto::SecretBytes& value,
                                const Policy& policy) const;
  // Paths of the values sealed with `set --public` and not yet adopted.
  std::vector<std::string> PublicPaths() const;
  bool SealedPublicly(std::string_view path) const;
  // Removes the entry at `path`; its group's MAC is updated.
  Result<std::string> Unset(std::string_view path) const;
  // The sealed form of `edited`, an edit of Unseal()'s text: values whose
  // path, literal and type did not change keep their tokens, so the diff
  // shows only what the edit changed. kSyntax errors refer to `edited`.
  Result<std::string> SealEdit(std::string edited, const Policy& policy) const;
  // Every group gets a new data key for the recipients `policy` plans for
  // it, and every sealed value is re-sealed, in the group the policy now
  // assigns it to. Needs every group.
  Result<std::string> Rotate(const Policy& policy) const;
  // Groups whose planned recipients differ from the header's get the same
  // data key wrapped for the plan's recipients; tokens stay as they are.
  // Removing a recipient this way does not take away what it could already
  // read: revoke or rotate for that.
  Result<std::string> UpdateKeys(const Policy& policy) const;
  // Removes `recipient` from every group that lists it; those groups get a
  // new data key for the recipients `policy` plans (the rest of their list)
  // and their values new tokens.
  struct Revoked {
    std::string text;
    std::vector<std::string> groups;  // the groups it was in
    std::vector<std::string> paths;   // the values it could read
  };
  Result<Revoked> Revoke(std::string_view recipient, const Policy& policy) const;

 private:
  struct Group {
    HeaderGroup header;
    std::optional<GroupKey> key;       // unlocked or new
    std::optional<GroupKey> previous;  // rotating: the key existing tokens open with
  };
  struct BuildOptions {
    bool seal_plaintext = true;  // seal the plaintext values the policy selects
    bool regroup = false;        // move values to the group the policy names
  };

  SealedFile(std::string text, const formats::Format& format, formats::Document doc)
      : text_(std::move(text)), format_(&format), doc_(std::move(doc)) {}
  // A copy with the same keys, of `text` (an edit of this file).
  Result<SealedFile> Edited(std::string text) const;

  const formats::Value* Find(std::string_view path) const;
  Group* FindGroup(std::string_view name);
  const Group* FindGroup(std::string_view name) const;
  Error ValueError(const formats::Value& value, const std::string& what) const;
  // The decoded token of a sealed value, and the unlocked group it opens in
  // (kNoMatch if that group is locked).
  Result<Token> TokenAt(const formats::Value& value) const;
  Result<crypto::SecretBytes> OpenValue(const formats::Value& value, const Token& token,
                                        const GroupKey& key) const;
  // The group a new value at `path` goes to, created from the policy's plan
  // if the file lacks it; it must be unlocked.
  Result<Group*> GroupForNew(std::string_view path, const Policy& policy);
  std::string NearestGroup(std::string_view path) const;
  // The token text for `literal` sealed in `group`, quoted as the format needs.
  std::string SealLiteral(const Group& group, std::string_view path, std::string_view literal,
                          formats::ValueType type, size_t end) const;
  // This file's text with `token` at `path`: in place of `existing`, or as a
  // new entry where the format puts one.
  Result<std::string> PlaceToken(const formats::Value* existing, std::string_view path,
                                 const std::string& token) const;
  crypto::Digest GroupMac(const Header& header, const Group& group, const std::string& text,
                          const formats::Document& doc) const;
  // Re-seals this (edited) file: tokens kept, converted or moved as the
  // options say, header rewritten with fresh MACs for the unlocked groups.
  Result<std::string> Build(const Policy& policy, BuildOptions options);
  Result<void> CheckSameStructure(const std::string& sealed) const;
  Result<void> NewKey(Group& group, const GroupPlan& plan);
  static Result<std::vector<uint8_t>> WrapKey(const GroupKey& key, const GroupPlan& plan);

  std::string text_;
  const formats::Format* format_;
  formats::Document doc_;
  std::optional<Header> header_;
  std::vector<Group> groups_;
  // SealEdit: tokens to keep, by path, for values whose literal is unchanged.
  struct Kept {
    std::string literal;
    formats::ValueType type;
    std::string token;
  };
  std::unordered_map<std::string, Kept> kept_;
};

}  // namespace tresor::sealed
