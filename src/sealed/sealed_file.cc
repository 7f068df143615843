#include "sealed/sealed_file.h"

#include <algorithm>

#include "age/encrypt.h"
#include "sealed/text_edits.h"

namespace tresor::sealed {
namespace {

using formats::Value;
using formats::ValueType;

}  // namespace

std::string Splice(std::string_view text, std::vector<Edit> edits) {
  std::sort(edits.begin(), edits.end(),
            [](const Edit& a, const Edit& b) { return a.span.begin < b.span.begin; });
  std::string out;
  out.reserve(text.size());
  size_t at = 0;
  for (const Edit& e : edits) {
    out.append(text.substr(at, e.span.begin - at)).append(e.replacement);
    at = e.span.end;
  }
  return out.append(text.substr(at));
}

Result<SealedFile> SealedFile::Load(std::string text, const formats::Format& format) {
  TRESOR_ASSIGN_OR_RETURN(formats::Document doc, format.Parse(text));
  SealedFile file(std::move(text), format, std::move(doc));
  if (file.doc_.header) {
    const std::string header =
        format.Decode(Text(file.text_, file.doc_.header->literal), ValueType::kString);
    auto decoded = DecodeHeader(header);
    if (!decoded) {
      return MakeError(
          ErrorCode::kIntegrity,
          std::to_string(formats::LocationOf(file.text_, file.doc_.header->literal.begin).line) +
              ": " + decoded.error().message);
    }
    for (const HeaderGroup& g : decoded->groups) file.groups_.push_back({g, {}, {}});
    file.header_ = std::move(*decoded);
  }
  return file;
}

std::vector<HeaderGroup> SealedFile::header_groups() const {
  return header_ ? header_->groups : std::vector<HeaderGroup>{};
}

Result<SealedFile> SealedFile::Edited(std::string text) const {
  TRESOR_ASSIGN_OR_RETURN(formats::Document doc, format_->Parse(text));
  SealedFile out(std::move(text), *format_, std::move(doc));
  out.header_ = header_;
  for (const Group& g : groups_) {
    out.groups_.push_back({g.header, g.key ? std::optional(g.key->Clone()) : std::nullopt,
                           g.previous ? std::optional(g.previous->Clone()) : std::nullopt});
  }
  return out;
}

Result<void> SealedFile::Unlock(std::span<const age::Identity* const> identities) {
  if (!header_) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the file is not sealed (it has no tresor header)");
  }
  std::string names;
  for (Group& group : groups_) {
    names.append(names.empty() ? "" : ", ").append(group.header.name);
    age::SpanSource source(group.header.age_file);
    age::FixedSecretSink sink(kDataKeySize, "the wrapped data key has the wrong size");
    auto opened = age::Decrypt(identities, source, sink);
    if (!opened && opened.error().code == ErrorCode::kNoMatch) continue;
    if (!opened) return WithPlace("the data key of group " + group.header.name, opened.error());
    TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes data_key, sink.Take());
    GroupKey key(std::move(data_key));
    if (key.public_key() != group.header.public_key) {
      return MakeError(ErrorCode::kIntegrity, "group " + group.header.name +
                                                  ": the header's public key does not belong "
                                                  "to the group's data key");
    }
    group.key = std::move(key);
  }
  if (std::none_of(groups_.begin(), groups_.end(),
                   [](const Group& g) { return g.key.has_value(); })) {
    return MakeError(ErrorCode::kNoMatch, "no identity opens the data key of group " + names);
  }
  return {};
}

bool SealedFile::unlocked(std::string_view group) const {
  const Group* g = FindGroup(group);
  return g != nullptr && g->key.has_value();
}

SealedFile::Group* SealedFile::FindGroup(std::string_view name) {
  for (Group& g : groups_) {
    if (g.header.name == name) return &g;
  }
  return nullptr;
}

const SealedFile::Group* SealedFile::FindGroup(std::string_view name) const {
  return const_cast<SealedFile*>(this)->FindGroup(name);
}

namespace {

// A sealed value in the MAC's order: by path, then token. The first eight
// bytes of the path as a big-endian number order most pairs without a call
// to memcmp (the sort is a large part of opening a 10,000-value file).
struct MacEntry {
  uint64_t prefix = 0;
  std::string_view path;
  std::string_view token;

  MacEntry(std::string_view p, std::string_view t) : path(p), token(t) {
    for (size_t i = 0; i < 8; ++i) {
      prefix = (prefix << 8) | (i < p.size() ? static_cast<uint8_t>(p[i]) : 0);
    }
  }
  bool operator<(const MacEntry& other) const {
    if (prefix != other.prefix) return prefix < other.prefix;
    const int by_path = path.compare(other.path);
    return by_path != 0 ? by_path < 0 : token < other.token;
  }
};

}  // namespace

crypto::Digest SealedFile::GroupMac(const Header& header, const Group& group,
                                    const std::string& text, const formats::Document& doc) const {
  std::vector<MacEntry> sealed;
  sealed.reserve(doc.values.size());
  for (const Value& v : doc.values) {
    const auto token = TokenOf(Text(text, v.literal));
    if (!token) continue;
    // Key-sealed tokens of this group ("pub:" ones are not covered).
    const auto peek = PeekToken(*token);
    if (peek && peek->group == group.header.name && !peek->is_public) {
      sealed.emplace_back(v.path, *token);
    }
  }
  std::sort(sealed.begin(), sealed.end());
  FieldMac mac = group.key->StartMac();
  for (const std::string& field : GroupMacFields(header, group.header)) mac.Add(field);
  for (const MacEntry& e : sealed) {
    mac.Add(e.path);
    mac.Add(e.token);
  }
  return mac.Finish();
}

Result<void> SealedFile::VerifyMac() const {
  TRESOR_CHECK(header_, "VerifyMac of a file without a header");
  for (const Group& g : groups_) {
    if (!g.key) continue;
    if (!crypto::ConstantTimeEqual(GroupMac(*header_, g, text_, doc_), g.header.mac)) {
      return MakeError(
          ErrorCode::kIntegrity,
          std::to_string(formats::LocationOf(text_, doc_.header->literal.begin).line) + ": group " +
              g.header.name +
              ": MAC does not verify: sealed values were added, removed or replaced outside "
              "tresor, or the header comes from another file (--ignore-mac skips this check)");
    }
  }
  return {};
}

Error SealedFile::ValueError(const Value& value, const std::string& what) const {
  return formats::ValueError(ErrorCode::kIntegrity, text_, value, what);
}

Result<Token> SealedFile::TokenAt(const Value& value) const {
  const auto content = TokenOf(Text(text_, value.literal));
  TRESOR_CHECK(content.has_value(), "TokenAt of a plaintext value");
  auto token = DecodeToken(*content);
  if (!token) return ValueError(value, token.error().message);
  const Group* group = FindGroup(token->group);
  if (group == nullptr) {
    return ValueError(value, "sealed for group " + token->group + ", which the header lacks");
  }
  if (!group->key) {
    Error e = ValueError(value, "in group " + token->group + ", which no identity opens");
    e.code = ErrorCode::kNoMatch;
    return e;
  }
  return token;
}

Result<crypto::SecretBytes> SealedFile::OpenValue(const Value& value, const Token& token,
                                                  const GroupKey& key) const {
  const auto aad = ValueAad(token.group, value.path, formats::ValueTypeName(token.type));
  auto opened = key.Open(token, aad);
  if (!opened) {
    return ValueError(value,
                      "sealed value does not authenticate (moved from another key, modified, or "
                      "sealed in another file)");
  }
  return std::move(*opened);
}

Result<std::string> SealedFile::Unseal() const {
  TRESOR_CHECK(header_, "Unseal of a file without a header");
  for (const Group& g : groups_) {
    if (!g.key) {
      return MakeError(ErrorCode::kNoMatch, "no identity opens the data key of group " +
                                                g.header.name +
                                                " (unseal needs every group; get reads one value)");
    }
  }
  return UnsealReadable(nullptr);
}

Result<std::string> SealedFile::UnsealReadable(std::vector<LockedValue>* locked) const {
  TRESOR_CHECK(header_, "Unseal of a file without a header");
  std::vector<Edit> edits;
  for (const Value& v : doc_.values) {
    if (!TokenOf(Text(text_, v.literal))) continue;
    auto token = TokenAt(v);
    if (!token && token.error().code == ErrorCode::kNoMatch && locked != nullptr) {
      const auto peek = PeekToken(*TokenOf(Text(text_, v.literal)));
      locked->push_back({v.path, peek ? std::string(peek->group) : std::string()});
      continue;
    }
    if (!token) return std::move(token).error();
    TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes literal,
                            OpenValue(v, *token, *FindGroup(token->group)->key));
    const auto bytes = literal.Reveal();
    edits.push_back({v.literal, std::string(bytes.begin(), bytes.end())});
  }
  formats::Span header = doc_.header->entry;
  if (header_->flags.find('n') != std::string::npos) {
    // Take back the newline sealing put before the header entry.
    if (std::string_view(text_).substr(0, header.begin).ends_with(doc_.eol)) {
      header.begin -= doc_.eol.size();
    }
  }
  edits.push_back({header, ""});
  return Splice(text_, std::move(edits));
}

Result<std::string> SealedFile::UnsealGroup(std::string_view name) const {
  TRESOR_CHECK(header_, "UnsealGroup of a file without a header");
  const Group* group = FindGroup(name);
  if (group == nullptr) {
    std::string names;
    for (const Group& g : groups_) names.append(names.empty() ? "" : ", ").append(g.header.name);
    return MakeError(ErrorCode::kNotFound,
                     "no group " + std::string(name) + " in this file (its groups: " + names + ")");
  }
  if (!group->key) {
    return MakeError(ErrorCode::kNoMatch,
                     "no identity opens the data key of group " + std::string(name));
  }
  if (groups_.size() == 1) return UnsealReadable(nullptr);
  std::vector<Edit> edits;
  for (const Value& v : doc_.values) {
    const auto token_text = TokenOf(Text(text_, v.literal));
    if (!token_text) continue;
    const auto peek = PeekToken(*token_text);
    if (!peek || peek->group != name) continue;
    TRESOR_ASSIGN_OR_RETURN(Token token, TokenAt(v));
    TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes literal, OpenValue(v, token, *group->key));
    const auto bytes = literal.Reveal();
    edits.push_back({v.literal, std::string(bytes.begin(), bytes.end())});
  }
  TRESOR_ASSIGN_OR_RETURN(SealedFile work, Edited(Splice(text_, std::move(edits))));
  std::erase_if(work.groups_, [&](const Group& g) { return g.header.name == name; });
  return work.Build(Policy{}, {.seal_plaintext = false});
}

Result<std::string> SealedFile::UnsealPaths(std::string_view pattern) const {
  TRESOR_CHECK(header_, "UnsealPaths of a file without a header");
  std::vector<Edit> edits;
  for (const Value& v : doc_.values) {
    if (!PathUnder(v.path, pattern) || !TokenOf(Text(text_, v.literal))) continue;
    TRESOR_ASSIGN_OR_RETURN(Token token, TokenAt(v));
    TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes literal,
                            OpenValue(v, token, *FindGroup(token.group)->key));
    const auto bytes = literal.Reveal();
    edits.push_back({v.literal, std::string(bytes.begin(), bytes.end())});
  }
  if (edits.empty()) {
    return MakeError(ErrorCode::kNotFound, "no sealed value under " + std::string(pattern));
  }
  TRESOR_ASSIGN_OR_RETURN(SealedFile work, Edited(Splice(text_, std::move(edits))));
  return work.Build(Policy{}, {.seal_plaintext = false});
}

const Value* SealedFile::Find(std::string_view path) const {
  for (const Value& v : doc_.values) {
    if (v.path == path) return &v;
  }
  return nullptr;
}

Result<crypto::SecretBytes> SealedFile::Get(std::string_view path) const {
  const Value* value = Find(path);
  if (value == nullptr)
    return MakeError(ErrorCode::kNotFound, std::string(path) + ": no such value");
  std::string decoded;
  if (TokenOf(Text(text_, value->literal))) {
    TRESOR_ASSIGN_OR_RETURN(Token token, TokenAt(*value));
    TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes literal,
                            OpenValue(*value, token, *FindGroup(token.group)->key));
    const auto bytes = literal.Reveal();
    decoded =
        format_->Decode({reinterpret_cast<const char*>(bytes.data()), bytes.size()}, value->type);
  } else {
    decoded = format_->Decode(Text(text_, value->literal), value->type);
  }
  crypto::SecretBytes out = crypto::SecretBytes::CopyOf(crypto::AsBytes(decoded));
  crypto::Wipe({reinterpret_cast<uint8_t*>(decoded.data()), decoded.size()});
  return out;
}

namespace {

bool IsPublicToken(const std::string& text, const Value& v) {
  const auto token = TokenOf(Text(text, v.literal));
  if (!token) return false;
  const auto peek = PeekToken(*token);
  return peek && peek->is_public;
}

}  // namespace

std::vector<std::string> SealedFile::PublicPaths() const {
  std::vector<std::string> out;
  for (const Value& v : doc_.values) {
    if (IsPublicToken(text_, v)) out.push_back(v.path);
  }
  return out;
}

bool SealedFile::SealedPublicly(std::string_view path) const {
  const Value* v = Find(path);
  return v != nullptr && IsPublicToken(text_, *v);
}

}  // namespace tresor::sealed
