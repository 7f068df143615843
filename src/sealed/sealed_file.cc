#include "sealed/sealed_file.h"

#include <algorithm>

#include "age/encrypt.h"
#include "crypto/random.h"
#include "crypto/value_aead.h"

namespace tresor::sealed {
namespace {

using formats::Span;
using formats::Value;
using formats::ValueType;

struct Edit {
  Span span;
  std::string replacement;
};

// Applies non-overlapping edits to `text`.
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

std::string_view Text(const std::string& text, Span span) {
  return std::string_view(text).substr(span.begin, span.end - span.begin);
}

// The token in a value's literal, if it holds one: the literal itself, or
// its inside when quoted (tokens hold no characters that need escaping).
std::optional<std::string_view> TokenOf(std::string_view literal) {
  if (literal.size() >= 2 && literal.front() == '"' && literal.back() == '"') {
    literal = literal.substr(1, literal.size() - 2);
  }
  if (!LooksLikeToken(literal)) return std::nullopt;
  return literal;
}

// Collects a 32-byte secret written by age::Decrypt.
class SecretSink : public age::Sink {
 public:
  Result<void> Write(std::span<const uint8_t> data) override {
    if (size_ + data.size() > bytes_.size()) {
      return MakeError(ErrorCode::kIntegrity, "the wrapped data key has the wrong size");
    }
    std::copy(data.begin(), data.end(), bytes_.Mutable().begin() + static_cast<ptrdiff_t>(size_));
    size_ += data.size();
    return {};
  }
  Result<crypto::SecretBytes> Take() {
    if (size_ != kDataKeySize) {
      return MakeError(ErrorCode::kIntegrity, "the wrapped data key has the wrong size");
    }
    return std::move(bytes_);
  }

 private:
  crypto::SecretBytes bytes_{kDataKeySize};
  size_t size_ = 0;
};

crypto::Digest ComputeMac(const crypto::SecretBytes& mac_key, const Header& header,
                          const std::string& text, const formats::Document& doc) {
  std::vector<std::pair<std::string_view, std::string_view>> sealed;
  sealed.reserve(doc.values.size());
  for (const Value& v : doc.values) {
    if (auto token = TokenOf(Text(text, v.literal))) sealed.emplace_back(v.path, *token);
  }
  std::sort(sealed.begin(), sealed.end());
  crypto::Blake2bMac mac(mac_key.Reveal());
  static const uint8_t kZero = 0;
  auto field = [&](std::string_view bytes) {
    mac.Update(crypto::AsBytes(bytes));
    mac.Update({&kZero, 1});
  };
  field("tresor v1 mac");
  field(HeaderMacInput(header));
  for (const auto& [path, token] : sealed) {
    field(path);
    field(token);
  }
  return mac.Finish();
}

}  // namespace

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
    file.header_ = std::move(*decoded);
  }
  return file;
}

Result<void> SealedFile::Unlock(std::span<const age::Identity* const> identities) {
  if (!header_) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the file is not sealed (it has no tresor header)");
  }
  const HeaderGroup& group = header_->groups.front();
  age::SpanSource source(group.age_file);
  SecretSink sink;
  auto opened = age::Decrypt(identities, source, sink);
  if (!opened) {
    Error e = std::move(opened).error();
    if (e.code == ErrorCode::kNoMatch) {
      e.message = "no identity opens the data key of group " + group.name;
    } else {
      e = WithPlace("the data key of group " + group.name, std::move(e));
    }
    return e;
  }
  TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes data_key, sink.Take());
  group_ = group.name;
  value_key_ = ValueKey(data_key);
  mac_key_ = MacKey(data_key);
  data_key_ = std::move(data_key);
  wrapped_key_ = group.age_file;
  return {};
}

Result<void> SealedFile::CreateKey(std::span<const age::Recipient* const> recipients) {
  TRESOR_CHECK(!header_, "CreateKey on a sealed file");
  return SetDataKey(crypto::RandomSecret(kDataKeySize), recipients);
}

Result<void> SealedFile::SetDataKey(crypto::SecretBytes data_key,
                                    std::span<const age::Recipient* const> recipients) {
  age::SpanSource source(data_key.Reveal());
  age::VectorSink sink;
  TRESOR_RETURN_IF_ERROR(age::Encrypt(recipients, source, sink));
  wrapped_key_ = std::move(sink.data());
  value_key_ = ValueKey(data_key);
  mac_key_ = MacKey(data_key);
  data_key_ = std::move(data_key);
  return {};
}

void SealedFile::ShareKeys(SealedFile& other) const {
  other.group_ = group_;
  other.data_key_ = crypto::SecretBytes::CopyOf(data_key_.Reveal());
  other.value_key_ = crypto::SecretBytes::CopyOf(value_key_.Reveal());
  other.mac_key_ = crypto::SecretBytes::CopyOf(mac_key_.Reveal());
  other.wrapped_key_ = wrapped_key_;
}

Result<std::string> SealedFile::Rotate(std::span<const age::Recipient* const> recipients) const {
  TRESOR_ASSIGN_OR_RETURN(std::string plain, Unseal());
  auto fresh = Load(plain, *format_);
  crypto::Wipe({reinterpret_cast<uint8_t*>(plain.data()), plain.size()});
  if (!fresh) return std::move(fresh).error();
  TRESOR_RETURN_IF_ERROR(fresh->CreateKey(recipients));
  return fresh->Seal();
}

Result<std::string> SealedFile::UpdateKeys(
    std::span<const age::Recipient* const> recipients) const {
  TRESOR_CHECK(header_ && !data_key_.empty(), "UpdateKeys before Unlock");
  TRESOR_ASSIGN_OR_RETURN(SealedFile same, Load(text_, *format_));
  ShareKeys(same);
  TRESOR_RETURN_IF_ERROR(
      same.SetDataKey(crypto::SecretBytes::CopyOf(data_key_.Reveal()), recipients));
  return same.Seal();
}

Result<void> SealedFile::VerifyMac() const {
  TRESOR_CHECK(header_ && !mac_key_.empty(), "VerifyMac before Unlock");
  const crypto::Digest mac = ComputeMac(mac_key_, *header_, text_, doc_);
  if (!crypto::ConstantTimeEqual(mac, header_->mac)) {
    return MakeError(ErrorCode::kIntegrity,
                     std::to_string(formats::LocationOf(text_, doc_.header->literal.begin).line) +
                         ": file MAC does not verify: sealed values were added, removed or "
                         "replaced outside tresor, or the header comes from another file "
                         "(--ignore-mac skips this check)");
  }
  return {};
}

Error SealedFile::ValueError(const Value& value, const std::string& what) const {
  std::string message = formats::Position(text_, value.literal.begin);
  message.append(": ").append(value.path).append(": ").append(what);
  return MakeError(ErrorCode::kIntegrity, std::move(message));
}

std::string SealedFile::SealLiteral(std::string_view path, std::string_view literal, ValueType type,
                                    size_t end) const {
  const auto aad = ValueAad(group_, path, formats::ValueTypeName(type));
  Token token{group_, type, crypto::SealValue(value_key_.Reveal(), aad, crypto::AsBytes(literal))};
  return format_->TokenLiteral(EncodeToken(token), end < text_.size() ? text_[end] : '\n');
}

Result<crypto::SecretBytes> SealedFile::OpenLiteral(const Value& value) const {
  const auto content = TokenOf(Text(text_, value.literal));
  TRESOR_CHECK(content.has_value(), "OpenLiteral of a plaintext value");
  auto token = DecodeToken(*content);
  if (!token) return ValueError(value, token.error().message);
  if (token->group != group_) return ValueError(value, "sealed for group " + token->group);
  const auto aad = ValueAad(token->group, value.path, formats::ValueTypeName(token->type));
  auto opened = crypto::OpenValue(value_key_.Reveal(), aad, token->sealed);
  if (!opened) {
    return ValueError(value,
                      "sealed value does not authenticate (moved from another key, modified, or "
                      "sealed in another file)");
  }
  return std::move(*opened);
}

Result<std::string> SealedFile::Seal() const {
  TRESOR_CHECK(!value_key_.empty(), "Seal without a key");
  std::vector<Edit> edits;
  for (const Value& v : doc_.values) {
    const std::string_view literal = Text(text_, v.literal);
    if (TokenOf(literal)) {
      // Kept as it is (no diff), once it is known to open under this key.
      TRESOR_RETURN_IF_ERROR(OpenLiteral(v));
      continue;
    }
    if (auto kept = kept_.find(v.path);
        kept != kept_.end() && kept->second.literal == literal && kept->second.type == v.type) {
      const size_t end = v.literal.end;
      edits.push_back({v.literal, format_->TokenLiteral(kept->second.token,
                                                        end < text_.size() ? text_[end] : '\n')});
      continue;
    }
    edits.push_back({v.literal, SealLiteral(v.path, literal, v.type, v.literal.end)});
  }
  std::string sealed = Splice(text_, std::move(edits));
  TRESOR_ASSIGN_OR_RETURN(formats::Document doc, format_->Parse(sealed));
  Header header;
  header.groups.push_back({group_, wrapped_key_});
  bool added_newline = false;
  if (header_) {
    header.flags = header_->flags;
  } else {
    TRESOR_RETURN_IF_ERROR(format_->HeaderInsertion(sealed, doc, "", &added_newline));
    if (added_newline) header.flags.push_back('n');
  }
  header.mac = ComputeMac(mac_key_, header, sealed, doc);
  const std::string encoded = EncodeHeader(header);
  std::string out;
  if (doc.header) {
    out = Splice(sealed, {{doc.header->literal, format_->TokenLiteral(encoded)}});
  } else {
    TRESOR_ASSIGN_OR_RETURN(formats::Insertion at,
                            format_->HeaderInsertion(sealed, doc, encoded, &added_newline));
    out = Splice(sealed, {{{at.offset, at.offset}, at.text}});
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

Result<std::string> SealedFile::Unseal() const {
  TRESOR_CHECK(header_ && !value_key_.empty(), "Unseal before Unlock");
  std::vector<Edit> edits;
  for (const Value& v : doc_.values) {
    if (!TokenOf(Text(text_, v.literal))) continue;
    TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes literal, OpenLiteral(v));
    const auto bytes = literal.Reveal();
    edits.push_back({v.literal, std::string(bytes.begin(), bytes.end())});
  }
  Span header = doc_.header->entry;
  if (header_->flags.find('n') != std::string::npos) {
    // Take back the newline sealing put before the header entry.
    if (std::string_view(text_).substr(0, header.begin).ends_with(doc_.eol)) {
      header.begin -= doc_.eol.size();
    }
  }
  edits.push_back({header, ""});
  return Splice(text_, std::move(edits));
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
    TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes literal, OpenLiteral(*value));
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

Result<std::string> SealedFile::Set(std::string_view path, const crypto::SecretBytes& value) const {
  TRESOR_CHECK(header_ && !value_key_.empty(), "Set before Unlock");
  const auto bytes = value.Reveal();
  std::string literal =
      format_->Encode({reinterpret_cast<const char*>(bytes.data()), bytes.size()});
  const Value* existing = Find(path);
  const std::string token = SealLiteral(path, literal, ValueType::kString,
                                        existing ? existing->literal.end : text_.size());
  crypto::Wipe({reinterpret_cast<uint8_t*>(literal.data()), literal.size()});
  std::string edited;
  if (existing != nullptr) {
    edited = Splice(text_, {{existing->literal, token}});
  } else {
    TRESOR_ASSIGN_OR_RETURN(formats::Insertion at, format_->NewEntry(text_, doc_, path, token));
    edited = Splice(text_, {{{at.offset, at.offset}, at.text}});
  }
  return Resealed(std::move(edited));
}

Result<std::string> SealedFile::Unset(std::string_view path) const {
  TRESOR_CHECK(header_ && !value_key_.empty(), "Unset before Unlock");
  const Value* existing = Find(path);
  if (existing == nullptr) {
    return MakeError(ErrorCode::kNotFound, std::string(path) + ": no such value");
  }
  if (existing->entry.end == existing->entry.begin) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(path) + ": only a key on its own line can be removed");
  }
  return Resealed(Splice(text_, {{existing->entry, ""}}));
}

Result<std::string> SealedFile::SealEdit(std::string edited) const {
  TRESOR_ASSIGN_OR_RETURN(std::string original, Unseal());
  TRESOR_ASSIGN_OR_RETURN(formats::Document original_doc, format_->Parse(original));
  TRESOR_ASSIGN_OR_RETURN(SealedFile edit, Load(std::move(edited), *format_));
  if (edit.header_) {
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
  ShareKeys(edit);
  return edit.Seal();
}

Result<std::string> SealedFile::Resealed(std::string text) const {
  TRESOR_ASSIGN_OR_RETURN(SealedFile edited, Load(std::move(text), *format_));
  ShareKeys(edited);
  return edited.Seal();
}

}  // namespace tresor::sealed
