// The SealedFile operations that write values: seal, set, set --public,
// unset, and sealing an edit.
#include <algorithm>

#include "sealed/sealed_file.h"
#include "sealed/text_edits.h"

namespace tresor::sealed {
namespace {

using formats::Value;
using formats::ValueType;

char NextChar(const std::string& text, size_t end) { return end < text.size() ? text[end] : '\n'; }

// How many leading segments two paths share.
size_t SharedSegments(std::string_view a, std::string_view b) {
  auto sa = formats::SplitPath(a);
  auto sb = formats::SplitPath(b);
  if (!sa || !sb) return 0;
  size_t n = 0;
  while (n < sa->size() && n < sb->size() && (*sa)[n] == (*sb)[n]) ++n;
  return n;
}

}  // namespace

std::string SealedFile::NearestGroup(std::string_view path) const {
  if (groups_.size() == 1) return groups_.front().header.name;  // no scan (seal of 10k values)
  std::string best;
  size_t best_shared = 0;
  for (const Value& v : doc_.values) {
    const auto token = TokenOf(Text(text_, v.literal));
    if (!token) continue;
    const auto peek = PeekToken(*token);
    if (!peek) continue;
    const size_t shared = SharedSegments(path, v.path);
    if (best.empty() || shared > best_shared) {
      best = peek->group;
      best_shared = shared;
    }
  }
  if (best.empty() && !groups_.empty()) best = groups_.front().header.name;
  return best;
}

Result<SealedFile::Group*> SealedFile::GroupForNew(std::string_view path, const Policy& policy) {
  const GroupPlan* plan = policy.GroupFor(path);
  const std::string name = plan != nullptr ? plan->name : NearestGroup(path);
  Group* group = FindGroup(name);
  if (group == nullptr) {
    if (plan == nullptr) {
      return MakeError(ErrorCode::kInvalidArgument,
                       std::string(path) + ": no group to seal it in (no recipients given)");
    }
    groups_.push_back({HeaderGroup{plan->name, {}, {}, {}, {}}, {}, {}});
    group = &groups_.back();
    TRESOR_RETURN_IF_ERROR(NewKey(*group, *plan));
  }
  if (!group->key) {
    return MakeError(ErrorCode::kNoMatch, std::string(path) + ": belongs to group " + name +
                                              ", which no identity opens");
  }
  return group;
}

std::string SealedFile::SealLiteral(const Group& group, std::string_view path,
                                    std::string_view literal, ValueType type, size_t end) const {
  const auto aad = ValueAad(group.header.name, path, formats::ValueTypeName(type));
  Token token{group.header.name, type, false, group.key->Seal(aad, crypto::AsBytes(literal))};
  return format_->TokenLiteral(EncodeToken(token), NextChar(text_, end));
}

namespace {

// WSO2's cipher tool marks a plaintext secret of a [secrets] table as
// "[value]"; sealing such a value keeps "value" (docs/rules.md), so that
// $secret{alias} reads what the tool's users expect. The quoted literal
// without the brackets, or nothing for any other value.
std::optional<std::string> WithoutCipherToolMarker(std::string_view path,
                                                   std::string_view literal) {
  constexpr std::string_view kSecrets = "secrets.";
  if (!path.starts_with(kSecrets) || literal.size() < 4) return std::nullopt;
  const char quote = literal.front();
  if ((quote != '"' && quote != '\'') || literal.back() != quote || literal[1] != '[' ||
      literal[literal.size() - 2] != ']') {
    return std::nullopt;
  }
  std::string out(1, quote);
  out.append(literal.substr(2, literal.size() - 4)).push_back(quote);
  return out;
}

}  // namespace

Result<std::string> SealedFile::Build(const Policy& policy, BuildOptions options) {
  std::vector<Edit> edits;
  for (const Value& v : doc_.values) {
    const std::string_view literal = Text(text_, v.literal);
    if (TokenOf(literal)) {
      auto token = TokenAt(v);
      if (!token && token.error().code == ErrorCode::kNoMatch) continue;  // a locked group's
      if (!token) return std::move(token).error();
      Group* group = FindGroup(token->group);
      const GroupKey& opener = group->previous ? *group->previous : *group->key;
      TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes plain, OpenValue(v, *token, opener));
      Group* target = group;
      if (options.regroup && policy.GroupFor(v.path) != nullptr) {
        TRESOR_ASSIGN_OR_RETURN(target, GroupForNew(v.path, policy));
        group = FindGroup(token->group);  // GroupForNew may have grown groups_
      }
      if (!token->is_public && !group->previous && target == group) continue;  // kept as it is
      const auto bytes = plain.Reveal();
      edits.push_back(
          {v.literal,
           SealLiteral(*target, v.path, {reinterpret_cast<const char*>(bytes.data()), bytes.size()},
                       token->type, v.literal.end)});
      continue;
    }
    if (auto kept = kept_.find(v.path);
        kept != kept_.end() && kept->second.literal == literal && kept->second.type == v.type) {
      edits.push_back(
          {v.literal, format_->TokenLiteral(kept->second.token, NextChar(text_, v.literal.end))});
      continue;
    }
    if (!options.seal_plaintext || !policy.Seals(v.path)) continue;
    TRESOR_ASSIGN_OR_RETURN(Group * group, GroupForNew(v.path, policy));
    const auto unmarked =
        policy.cipher_tool_markers ? WithoutCipherToolMarker(v.path, literal) : std::nullopt;
    edits.push_back({v.literal, SealLiteral(*group, v.path, unmarked ? *unmarked : literal, v.type,
                                            v.literal.end)});
  }
  if (groups_.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "nothing to seal: no value is selected");
  }
  std::string sealed = Splice(text_, std::move(edits));
  TRESOR_ASSIGN_OR_RETURN(formats::Document doc, format_->Parse(sealed));
  Header header;
  bool added_newline = false;
  if (header_ && doc_.header) {
    header.flags = header_->flags;
  } else {
    TRESOR_RETURN_IF_ERROR(format_->HeaderInsertion(sealed, doc, "", &added_newline));
    if (added_newline) header.flags.push_back('n');
  }
  for (Group& g : groups_) {
    if (g.key) g.previous.reset();
    header.groups.push_back(g.header);
  }
  // Written with each group's version as it was; if that changes the file,
  // again with the versions of the groups this write signs one higher (a
  // write that changes nothing leaves the file byte for byte as it was).
  auto assemble = [&](bool count_write) -> Result<std::string> {
    for (size_t i = 0; i < groups_.size(); ++i) {
      if (!groups_[i].key) continue;  // kept as it was: its MAC still holds
      header.groups[i].version = groups_[i].header.version + (count_write ? 1 : 0);
      Group& g = groups_[i];
      const uint64_t had = g.header.version;
      g.header.version = header.groups[i].version;
      header.groups[i].mac = GroupMac(header, g, sealed, doc);
      g.header.version = had;
    }
    const std::string encoded = EncodeHeader(header);
    if (doc.header) return Splice(sealed, {{doc.header->literal, format_->TokenLiteral(encoded)}});
    bool newline = false;
    TRESOR_ASSIGN_OR_RETURN(formats::Insertion at,
                            format_->HeaderInsertion(sealed, doc, encoded, &newline));
    return Splice(sealed, {{{at.offset, at.offset}, at.text}});
  };
  TRESOR_ASSIGN_OR_RETURN(std::string out, assemble(false));
  if (out != text_) {
    TRESOR_ASSIGN_OR_RETURN(out, assemble(true));
  }
  TRESOR_RETURN_IF_ERROR(CheckSameStructure(out));
  return out;
}

Result<void> SealedFile::CheckSameStructure(const std::string& sealed) const {
  // A last check against adapter bugs: the sealed text must parse to the same
  // values, in the same order, plus the header. Writing a file that reads
  // differently would lose data.
  auto reparsed = format_->Parse(sealed);
  bool same = reparsed && reparsed->header && reparsed->values.size() == doc_.values.size();
  for (size_t i = 0; same && i < doc_.values.size(); ++i) {
    same = reparsed->values[i].path == doc_.values[i].path;
  }
  if (!same) {
    return MakeError(ErrorCode::kInternal,
                     "refusing to write: the sealed file would not read back the same way "
                     "(please report this file's shape as a bug)");
  }
  return {};
}

Result<std::string> SealedFile::Seal(const Policy& policy) const {
  TRESOR_ASSIGN_OR_RETURN(SealedFile work, Edited(text_));
  if (!header_ && !policy.groups.empty() && !policy.groups.front().recipients.empty()) {
    // A new file gets its default group even if no value goes there yet, so
    // `set` has somewhere to put values.
    work.groups_.push_back({HeaderGroup{policy.groups.front().name, {}, {}, {}, {}}, {}, {}});
    TRESOR_RETURN_IF_ERROR(work.NewKey(work.groups_.back(), policy.groups.front()));
  }
  return work.Build(policy, {});
}

Result<std::string> SealedFile::PlaceToken(const Value* existing, std::string_view path,
                                           const std::string& token) const {
  if (existing != nullptr) return Splice(text_, {{existing->literal, token}});
  TRESOR_ASSIGN_OR_RETURN(formats::Insertion at, format_->NewEntry(text_, doc_, path, token));
  return Splice(text_, {{{at.offset, at.offset}, at.text}});
}

Result<std::string> SealedFile::Set(std::string_view path, const crypto::SecretBytes& value,
                                    const Policy& policy) const {
  TRESOR_CHECK(header_, "Set of a file without a header");
  TRESOR_ASSIGN_OR_RETURN(SealedFile work, Edited(text_));
  const Value* existing = Find(path);
  Group* group = nullptr;
  if (existing != nullptr && TokenOf(Text(text_, existing->literal))) {
    TRESOR_ASSIGN_OR_RETURN(Token token, TokenAt(*existing));
    group = work.FindGroup(token.group);
  } else {
    TRESOR_ASSIGN_OR_RETURN(group, work.GroupForNew(path, policy));
  }
  const auto bytes = value.Reveal();
  std::string literal =
      format_->Encode({reinterpret_cast<const char*>(bytes.data()), bytes.size()});
  const std::string token = SealLiteral(*group, path, literal, ValueType::kString,
                                        existing ? existing->literal.end : text_.size());
  crypto::Wipe({reinterpret_cast<uint8_t*>(literal.data()), literal.size()});
  TRESOR_ASSIGN_OR_RETURN(std::string edited, PlaceToken(existing, path, token));
  TRESOR_ASSIGN_OR_RETURN(SealedFile result, work.Edited(std::move(edited)));
  return result.Build(policy, {.seal_plaintext = false});
}

Result<std::string> SealedFile::SetPublic(std::string_view path, const crypto::SecretBytes& value,
                                          const Policy& policy) const {
  TRESOR_CHECK(header_, "SetPublic of a file without a header");
  const Value* existing = Find(path);
  std::string group_name;
  if (existing != nullptr && TokenOf(Text(text_, existing->literal))) {
    auto token = DecodeToken(*TokenOf(Text(text_, existing->literal)));
    if (!token) return ValueError(*existing, token.error().message);
    if (!token->is_public) {
      return MakeError(ErrorCode::kInvalidArgument,
                       std::string(path) +
                           ": already sealed with the group's key; replacing it needs an "
                           "identity of group " +
                           token->group + " (tresor set -i ...), so the group's MAC stays valid");
    }
    group_name = token->group;
  } else {
    const GroupPlan* plan = policy.GroupFor(path);
    group_name = plan != nullptr ? plan->name : NearestGroup(path);
  }
  const Group* group = FindGroup(group_name);
  if (group == nullptr) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(path) + ": its group " + group_name +
                         " is not in the file yet; --public can only add to existing groups");
  }
  const auto bytes = value.Reveal();
  std::string literal =
      format_->Encode({reinterpret_cast<const char*>(bytes.data()), bytes.size()});
  const auto aad = ValueAad(group_name, path, formats::ValueTypeName(ValueType::kString));
  auto sealed = SealToPublicKey(group->header.public_key, aad, crypto::AsBytes(literal));
  crypto::Wipe({reinterpret_cast<uint8_t*>(literal.data()), literal.size()});
  if (!sealed) return WithPlace("group " + group_name, sealed.error());
  const size_t end = existing ? existing->literal.end : text_.size();
  const std::string token =
      format_->TokenLiteral(EncodeToken({group_name, ValueType::kString, true, std::move(*sealed)}),
                            NextChar(text_, end));
  TRESOR_ASSIGN_OR_RETURN(std::string edited, PlaceToken(existing, path, token));
  // No key, so no Build: check instead that the result reads back as before
  // plus (at most) the new value.
  TRESOR_ASSIGN_OR_RETURN(formats::Document doc, format_->Parse(edited));
  const size_t expected = doc_.values.size() + (existing ? 0 : 1);
  if (!doc.header || doc.values.size() != expected) {
    return MakeError(ErrorCode::kInternal,
                     "refusing to write: the file would not read back the same way");
  }
  return edited;
}

Result<std::string> SealedFile::Unset(std::string_view path) const {
  TRESOR_CHECK(header_, "Unset of a file without a header");
  const Value* existing = Find(path);
  if (existing == nullptr) {
    return MakeError(ErrorCode::kNotFound, std::string(path) + ": no such value");
  }
  if (existing->entry.end == existing->entry.begin) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(path) + ": only a key on its own line can be removed");
  }
  // Removing a value changes its group's MAC, so that group must be open.
  if (TokenOf(Text(text_, existing->literal))) TRESOR_RETURN_IF_ERROR(TokenAt(*existing));
  TRESOR_ASSIGN_OR_RETURN(SealedFile work, Edited(Splice(text_, {{existing->entry, ""}})));
  return work.Build(Policy{}, {.seal_plaintext = false});
}

Result<std::string> SealedFile::SealEdit(std::string edited, const Policy& policy) const {
  TRESOR_ASSIGN_OR_RETURN(std::string original, Unseal());
  TRESOR_ASSIGN_OR_RETURN(formats::Document original_doc, format_->Parse(original));
  TRESOR_ASSIGN_OR_RETURN(SealedFile edit, Edited(std::move(edited)));
  if (edit.doc_.header) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the edited file has a tresor header entry; remove it");
  }
  // Sealed and unsealed documents list the same values in the same order.
  for (size_t i = 0; i < original_doc.values.size() && i < doc_.values.size(); ++i) {
    const Value& plain = original_doc.values[i];
    const Value& sealed = doc_.values[i];
    auto token = TokenOf(Text(text_, sealed.literal));
    if (plain.path != sealed.path || !token) continue;
    edit.kept_[plain.path] = {std::string(Text(original, plain.literal)), plain.type,
                              std::string(*token)};
  }
  crypto::Wipe({reinterpret_cast<uint8_t*>(original.data()), original.size()});
  return edit.Build(policy, {});
}

}  // namespace tresor::sealed
