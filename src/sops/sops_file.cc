#include "sops/sops_file.h"

#include <algorithm>
#include <array>
#include <optional>

#include "crypto/kdf.h"
#include "sops/data_key.h"
#include "sops/enc_value.h"
#include "sops/literals.h"
#include "sops/metadata_region.h"

namespace tresor::sops {
namespace {

using formats::Span;
using formats::Value;
using formats::ValueType;

struct Edit {
  Span span;
  std::string text;
};

Error At(std::string_view text, size_t offset, ErrorCode code, const std::string& what) {
  return MakeError(code, formats::Position(text, offset) + ": " + what);
}

// sops's associated data for a value: its mapping keys joined by ':', with
// a trailing ':'; list indices are not part of it.
std::string AadOf(const std::vector<std::string>& segments) {
  std::string aad;
  for (const std::string& s : segments) {
    if (s.starts_with('[')) continue;
    aad += s;
    aad += ':';
  }
  return aad.empty() ? ":" : aad;
}

// What sops's MAC takes of a value that was not encrypted.
std::string MacText(const Value& v, std::string decoded) {
  if (v.type == ValueType::kBool) return decoded == "true" ? "True" : "False";
  return decoded;
}

std::string Text(const crypto::SecretBytes& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.Reveal().data()), bytes.size());
}

struct Parts {
  std::vector<const Value*> data;
  std::vector<const Value*> metadata;
  std::vector<MetadataEntry> entries;
};

// The keys below `sops` of a metadata value, or nullopt for a data value.
std::optional<std::vector<std::string>> MetadataKeys(InputType type,
                                                     const std::vector<std::string>& segments) {
  if (segments.empty()) return std::nullopt;
  if (type == InputType::kDotenv) {
    if (segments.size() != 1 || !segments[0].starts_with("sops_")) return std::nullopt;
    return UnflattenKey(std::string_view(segments[0]).substr(5));
  }
  if (segments[0] != "sops") return std::nullopt;
  if (type == InputType::kIni) {
    if (segments.size() != 2) return std::vector<std::string>{};
    return UnflattenKey(segments[1]);
  }
  return std::vector<std::string>(segments.begin() + 1, segments.end());
}

// A value as a sops reader sees it: dotenv and INI turn "\n" into newlines.
std::string Decoded(InputType type, const formats::Format& format, std::string_view text,
                    const Value& v) {
  std::string s =
      format.Decode(text.substr(v.literal.begin, v.literal.end - v.literal.begin), v.type);
  if (type != InputType::kDotenv && type != InputType::kIni) return s;
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == 'n') {
      out += '\n';
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

// `metadata_block`: `doc` is YAML's metadata block parsed alone, where a
// data value has no place (its offsets are into the block, not the file).
Result<void> SplitParts(InputType type, const formats::Format& format, std::string_view text,
                        const formats::Document& doc, Parts& parts, bool metadata_block = false) {
  for (const Value& v : doc.values) {
    auto segments = formats::SplitPath(v.path);
    if (!segments) return std::move(segments).error();
    auto keys = MetadataKeys(type, *segments);
    if (!keys && metadata_block) {
      return At(text, v.literal.begin, ErrorCode::kIntegrity,
                "a value outside sops: sits in the sops metadata block");
    }
    if (!keys) {
      parts.data.push_back(&v);
      continue;
    }
    // INI and dotenv metadata values are strings that sops's INI reader
    // unescapes (its age keys are armored files on one line).
    parts.metadata.push_back(&v);
    if (v.type != ValueType::kNull) {
      parts.entries.push_back({std::move(*keys), Decoded(type, format, text, v)});
    }
  }
  return {};
}

// The file parsed. YAML's metadata block is cut out first and parsed alone,
// so that the values, thousands perhaps, go through the fast scanner, which
// declines the block scalars of the metadata (formats/yaml_parse.h).
struct Parsed {
  std::string text;  // what `doc` indexes: the file, or YAML's without its metadata
  formats::Document doc;
  std::string meta_text;  // YAML: the metadata block, at its own lines
  formats::Document meta_doc;
  bool cut = false;
};

Result<Parsed> ParseFile(InputType type, const formats::Format& format, std::string_view text) {
  Parsed p;
  p.text = std::string(text);
  if (type == InputType::kYaml) {
    if (auto regions = YamlMetadataRegion(text)) {
      const Span r = regions->front();
      p.text = std::string(text.substr(0, r.begin)).append(text.substr(r.end));
      // Line breaks in front keep the block's errors at their lines.
      p.meta_text.assign(
          static_cast<size_t>(std::count(text.begin(), text.begin() + r.begin, '\n')), '\n');
      p.meta_text.append(text.substr(r.begin, r.end - r.begin));
      TRESOR_ASSIGN_OR_RETURN(p.meta_doc, format.Parse(p.meta_text));
      p.cut = true;
    }
  }
  TRESOR_ASSIGN_OR_RETURN(p.doc, format.Parse(p.text));
  return p;
}

Result<std::vector<Span>> MetadataRegions(InputType type, std::string_view text,
                                          const Parts& parts) {
  switch (type) {
    case InputType::kYaml:
      return YamlMetadataRegion(text);
    case InputType::kJson:
    case InputType::kBinary:
      return JsonMetadataRegion(text);
    case InputType::kIni:
      return IniMetadataRegion(text);
    case InputType::kDotenv:
      if (parts.metadata.empty()) {
        return MakeError(ErrorCode::kIntegrity, "not a sops file: no sops_* lines");
      }
      return DotenvMetadataRegion(parts.metadata);
  }
  return std::vector<Span>{};
}

bool Inside(const std::vector<Span>& spans, size_t at) {
  return std::any_of(spans.begin(), spans.end(),
                     [at](const Span& s) { return at >= s.begin && at < s.end; });
}

// YAML comments sops encrypted ("#ENC[...,type:comment]"): their associated
// data is the path of the map or list they sit in, which the text does not
// say directly; the paths around the next value are tried, innermost first,
// and the one the tag authenticates is it.
Result<std::vector<Edit>> OpenComments(std::string_view text, const Parts& parts,
                                       const std::vector<Span>& skip,
                                       const crypto::SecretBytes& key) {
  std::vector<Edit> edits;
  std::vector<Span> literals = skip;
  for (const Value* v : parts.data) literals.push_back(v->literal);
  for (size_t at = text.find("#ENC["); at != std::string_view::npos;
       at = text.find("#ENC[", at + 1)) {
    if (Inside(literals, at)) continue;
    const size_t end = text.find(']', at);
    const size_t line_end = text.find('\n', at);
    if (end == std::string_view::npos || end > line_end) {
      return At(text, at, ErrorCode::kIntegrity, "an encrypted comment does not end on its line");
    }
    const std::string_view token = text.substr(at + 1, end - at);
    TRESOR_ASSIGN_OR_RETURN(EncValue enc, ParseEnc(token));
    const Value* next = nullptr;
    for (const Value* v : parts.data) {
      next = v;
      if (v->literal.begin > at) break;
    }
    std::vector<std::string> segments;
    if (next != nullptr) {
      if (auto split = formats::SplitPath(next->path)) segments = std::move(*split);
    }
    std::optional<crypto::SecretBytes> plain;
    while (!plain) {
      auto opened = OpenEnc(enc, key, AadOf(segments));
      if (opened) {
        plain = std::move(*opened);
      } else if (segments.empty()) {
        return At(text, at, ErrorCode::kIntegrity,
                  "an encrypted comment does not open with the file's data key");
      } else {
        segments.pop_back();
      }
    }
    const std::string comment = Text(*plain);
    if (comment.find_first_of("\r\n") != std::string::npos) {
      return At(text, at, ErrorCode::kIntegrity, "an encrypted comment holds a line break");
    }
    edits.push_back({{at + 1, end + 1}, comment});
  }
  return edits;
}

std::string Apply(std::string_view text, std::vector<Edit> edits) {
  std::sort(edits.begin(), edits.end(),
            [](const Edit& a, const Edit& b) { return a.span.begin < b.span.begin; });
  std::string out;
  size_t at = 0;
  for (const Edit& e : edits) {
    if (e.span.begin < at) continue;  // inside a removed region
    out.append(text.substr(at, e.span.begin - at));
    out += e.text;
    at = e.span.end;
  }
  out.append(text.substr(at));
  return out;
}

std::string UpperHex(std::span<const uint8_t> bytes) {
  std::string hex = crypto::HexEncode(bytes);
  std::transform(hex.begin(), hex.end(), hex.begin(),
                 [](char c) { return static_cast<char>(c >= 'a' && c <= 'f' ? c - 32 : c); });
  return hex;
}

Result<void> CheckMac(const Metadata& m, const crypto::SecretBytes& key,
                      const std::array<uint8_t, 64>& digest) {
  auto enc = ParseEnc(m.mac);
  if (!enc) return MakeError(ErrorCode::kIntegrity, "sops metadata: mac: " + enc.error().message);
  auto stored = OpenEnc(*enc, key, m.lastmodified);
  if (!stored) {
    return MakeError(ErrorCode::kIntegrity,
                     "sops MAC does not open (lastmodified or mac was changed)");
  }
  if (Text(*stored) != UpperHex(digest)) {
    return MakeError(ErrorCode::kIntegrity,
                     "sops MAC mismatch: the values were changed after sops wrote the file "
                     "(--ignore-mac reads it anyway)");
  }
  return {};
}

}  // namespace

InputType InputTypeForFile(std::string_view path) {
  const size_t slash = path.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (name.ends_with(".yaml") || name.ends_with(".yml")) return InputType::kYaml;
  if (name.ends_with(".json")) return InputType::kJson;
  if (name.ends_with(".env")) return InputType::kDotenv;
  if (name.ends_with(".ini")) return InputType::kIni;
  return InputType::kBinary;
}

Result<InputType> InputTypeByName(std::string_view name) {
  if (name == "yaml") return InputType::kYaml;
  if (name == "json") return InputType::kJson;
  if (name == "dotenv") return InputType::kDotenv;
  if (name == "ini") return InputType::kIni;
  if (name == "binary") return InputType::kBinary;
  return MakeError(ErrorCode::kInvalidArgument, "unknown sops input type \"" + std::string(name) +
                                                    "\" (yaml, json, dotenv, ini or binary)");
}

const formats::Format& FormatOf(InputType type) {
  switch (type) {
    case InputType::kYaml:
      return formats::Yaml();
    case InputType::kDotenv:
      return formats::Dotenv();
    case InputType::kIni:
      return formats::Ini();
    case InputType::kJson:
    case InputType::kBinary:
      break;
  }
  return formats::Json();
}

Result<Opened> Open(InputType type, std::string_view whole, const Unwrap& unwrap,
                    const OpenOptions& options) {
  const formats::Format& format = FormatOf(type);
  TRESOR_ASSIGN_OR_RETURN(const Parsed parsed, ParseFile(type, format, whole));
  const std::string_view text = parsed.text;
  Parts parts;
  TRESOR_RETURN_IF_ERROR(SplitParts(type, format, text, parsed.doc, parts));
  TRESOR_RETURN_IF_ERROR(
      SplitParts(type, format, parsed.meta_text, parsed.meta_doc, parts, /*metadata_block=*/true));
  std::vector<Span> regions;
  if (!parsed.cut) {
    TRESOR_ASSIGN_OR_RETURN(regions, MetadataRegions(type, text, parts));
  }
  if (parts.entries.empty()) {
    return MakeError(ErrorCode::kIntegrity, "not a sops file: it has no sops metadata");
  }
  Opened out;
  TRESOR_ASSIGN_OR_RETURN(out.metadata, ParseMetadata(parts.entries));
  for (const KeyGroup& g : out.metadata.groups) {
    for (const AgeKey& k : g.age) {
      if (std::find(out.recipients.begin(), out.recipients.end(), k.recipient) ==
          out.recipients.end()) {
        out.recipients.push_back(k.recipient);
      }
    }
  }
  TRESOR_ASSIGN_OR_RETURN(const crypto::SecretBytes key, RecoverDataKey(out.metadata, unwrap));
  if (key.size() != kDataKeySize) {
    return MakeError(ErrorCode::kIntegrity, "the sops data key is not 32 bytes");
  }

  crypto::Sha512Hasher mac;
  if (out.metadata.mac_only_encrypted) mac.Update(crypto::Sha256(crypto::AsBytes("sops")));
  std::vector<Edit> edits;
  std::optional<crypto::SecretBytes> binary;
  for (const Value* v : parts.data) {
    if (v->type == ValueType::kNull) continue;
    std::string decoded = Decoded(type, format, text, *v);
    TRESOR_ASSIGN_OR_RETURN(std::vector<std::string> segments, formats::SplitPath(v->path));
    if (!LooksEncrypted(decoded)) {
      if (!out.metadata.mac_only_encrypted) mac.Update(crypto::AsBytes(MacText(*v, decoded)));
      continue;
    }
    auto enc = ParseEnc(decoded);
    if (!enc) return At(text, v->literal.begin, enc.error().code, enc.error().message);
    auto plain = OpenEnc(*enc, key, AadOf(segments));
    if (!plain) {
      return At(text, v->literal.begin, ErrorCode::kIntegrity,
                v->path + " does not open with the file's data key (moved or changed)");
    }
    mac.Update(plain->Reveal());
    out.encrypted.push_back(v->path);
    if (type == InputType::kBinary && v->path == "data") binary = std::move(*plain);
    if (type != InputType::kBinary) {
      edits.push_back({v->literal, PlainLiteral(format, enc->type, Text(*plain))});
    }
  }
  if (options.verify_mac) TRESOR_RETURN_IF_ERROR(CheckMac(out.metadata, key, mac.Finish()));
  if (type == InputType::kBinary) {
    if (!binary) return MakeError(ErrorCode::kIntegrity, "a sops binary file holds no data value");
    out.plaintext = Text(*binary);
    return out;
  }
  if (type == InputType::kYaml) {
    TRESOR_ASSIGN_OR_RETURN(std::vector<Edit> comments, OpenComments(text, parts, regions, key));
    edits.insert(edits.end(), comments.begin(), comments.end());
  }
  for (const Span& r : regions) edits.push_back({r, ""});
  out.plaintext = Apply(text, std::move(edits));
  return out;
}

}  // namespace tresor::sops
