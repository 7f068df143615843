#include "runtime/config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>

#include "formats/ascii.h"
#include "keys/key_chain.h"
#include "runtime/references.h"
#include "runtime/server_keys.h"
#include "sealed/codec.h"
#include "sealed/text_edits.h"

namespace tresor {
namespace {

constexpr size_t kMaxFile = 256 << 20;
constexpr std::string_view kSecretsTable = "secrets";

// `text` (file `path`'s, or text a caller read) loaded and unlocked.
Result<sealed::SealedFile> UnlockText(std::string text, const std::string& path,
                                      const std::string& format_name, const keys::KeyChain& keys,
                                      const runtime::ServerOptions& server) {
  const formats::Format* format =
      format_name.empty() ? formats::FormatForFile(path) : formats::FormatByName(format_name);
  if (format == nullptr) {
    return MakeError(ErrorCode::kInvalidArgument,
                     path + ": unknown format (ini, dotenv, json, toml or yaml)");
  }
  auto file = sealed::SealedFile::Load(std::move(text), *format);
  if (!file) return WithPlace(path, std::move(file).error());
  if (file->has_header()) {
    std::vector<const age::Identity*> identities = keys.identities();
    runtime::ServerKeyIdentity server_keys(server);  // asked only for tresor: stanzas
    if (runtime::NeedsServerKeys(*file)) identities.push_back(&server_keys);
    if (auto unlocked = file->Unlock(identities); !unlocked) {
      return WithPlace(
          path, runtime::WithServerReasons(keys.Explain(std::move(unlocked).error()), server_keys));
    }
    if (auto verified = file->VerifyMac(); !verified) {
      return WithPlace(path, std::move(verified).error());
    }
  }
  return std::move(*file);
}

Result<sealed::SealedFile> LoadUnlocked(const std::string& path, const std::string& format_name,
                                        const keys::KeyChain& keys,
                                        const runtime::ServerOptions& server) {
  TRESOR_ASSIGN_OR_RETURN(std::string text, runtime::ReadFileText(path, kMaxFile));
  return UnlockText(std::move(text), path, format_name, keys, server);
}

struct Plain {
  std::string text;
  formats::Document doc;
  // Values of groups none of the reader's keys opens: still sealed in
  // `text`, by path, with the message a read of one gets.
  std::unordered_map<std::string, std::string> locked;
};

// "sealed for group G (recipients: R, S), which none of your keys opens".
std::string LockedMessage(const sealed::SealedFile& file, const std::string& group) {
  std::string recipients;
  for (const sealed::HeaderGroup& g : file.header_groups()) {
    if (g.name != group) continue;
    for (const std::string& r : g.recipients) {
      recipients.append(recipients.empty() ? "" : ", ").append(r);
    }
  }
  return "sealed for group " + group + " (recipients: " + recipients +
         "), which none of your keys opens";
}

std::string DecodedValue(const formats::Format& format, const Plain& plain,
                         const formats::Value& v) {
  return format.Decode(sealed::Text(plain.text, v.literal), v.type);
}

// The file as a program reads it. Refused: values sealed with `set
// --public` and not adopted (unless `allow_unadopted`), and tokens in a file
// without a header (a sealed file whose header was stripped: its MAC, and
// so its values, can no longer be checked).
Result<Plain> Unsealed(const sealed::SealedFile& file, const std::string& name,
                       bool allow_unadopted) {
  Plain plain;
  if (file.has_header()) {
    if (!allow_unadopted) {
      if (const auto unadopted = file.PublicPaths(); !unadopted.empty()) {
        return MakeError(ErrorCode::kRefused,
                         name + ": " + unadopted.front() +
                             ": added with set --public and not adopted yet; `tresor seal "
                             "--in-place " +
                             name + "` adopts it (or --allow-unadopted)");
      }
    }
    // A reader holding some groups' keys reads those groups; the others'
    // values are absent, and asking for one says which group holds it.
    std::vector<sealed::SealedFile::LockedValue> locked;
    auto text = file.UnsealReadable(&locked);
    if (!text) return WithPlace(name, std::move(text).error());
    plain.text = std::move(*text);
    for (auto& value : locked) {
      plain.locked.emplace(std::move(value.path), LockedMessage(file, value.group));
    }
  } else {
    plain.text = file.text();
  }
  auto doc = file.format().Parse(plain.text);
  if (!doc) return WithPlace(name, std::move(doc).error());
  plain.doc = std::move(*doc);
  if (!file.has_header()) {
    for (const formats::Value& v : plain.doc.values) {
      if (sealed::LooksLikeToken(DecodedValue(file.format(), plain, v))) {
        return MakeError(ErrorCode::kIntegrity,
                         name + ": " + v.path +
                             ": a tresor token in a file without a tresor header (was the "
                             "header removed?)");
      }
    }
  }
  return plain;
}

// The alias of a [secrets] entry ("secrets.NAME"), or nullopt. In a dotenv
// file, which has no tables, every variable is an alias.
std::optional<std::string> AliasOf(const formats::Format& format, std::string_view path) {
  if (std::string_view(format.name()) == "dotenv") {
    auto segments = formats::SplitPath(path);
    if (segments && segments->size() == 1) return segments->front();
    return std::nullopt;
  }
  if (!path.starts_with(kSecretsTable) || path.size() <= kSecretsTable.size() ||
      path[kSecretsTable.size()] != '.') {
    return std::nullopt;
  }
  auto segments = formats::SplitPath(path);
  if (!segments || segments->size() != 2) return std::nullopt;
  return (*segments)[1];
}

}  // namespace

Result<Config> Config::Open(const std::string& path, const ConfigOptions& options) {
  TRESOR_ASSIGN_OR_RETURN(std::string text, runtime::ReadFileText(path, kMaxFile));
  return OpenText(std::move(text), path, options);
}

Result<Config> Config::OpenText(std::string text, const std::string& path,
                                const ConfigOptions& options) {
  // The library never prompts: protected keyring keys are left to the agent.
  keys::KeyChainOptions key_options;
  key_options.identity_files = options.identity_files;
  key_options.key_name = options.key_name;
  TRESOR_ASSIGN_OR_RETURN(keys::KeyChain keys, keys::KeyChain::Discover(key_options));
  TRESOR_ASSIGN_OR_RETURN(sealed::SealedFile file,
                          UnlockText(std::move(text), path, options.format, keys, options.server));
  if (options.secrets_file.empty()) return FromUnlocked(file, path, nullptr, "", options);
  TRESOR_ASSIGN_OR_RETURN(sealed::SealedFile secrets,
                          LoadUnlocked(options.secrets_file, "", keys, options.server));
  return FromUnlocked(file, path, &secrets, options.secrets_file, options);
}

namespace {

using Aliases = std::unordered_map<std::string, std::string>;

// The [secrets] aliases of another sealed file (--secrets).
Result<void> AddAliases(const sealed::SealedFile& secrets, const std::string& secrets_name,
                        bool allow_unadopted, Aliases* aliases) {
  TRESOR_ASSIGN_OR_RETURN(Plain other, Unsealed(secrets, secrets_name, allow_unadopted));
  for (const formats::Value& v : other.doc.values) {
    if (other.locked.contains(v.path)) continue;
    if (auto alias = AliasOf(secrets.format(), v.path)) {
      aliases->emplace(std::move(*alias), DecodedValue(secrets.format(), other, v));
    }
  }
  return {};
}

// What references in file `name` resolve from; `aliases` and `store` must
// outlive it.
runtime::ReferenceSources SourcesFor(const std::string& name, const Aliases& aliases,
                                     runtime::StoreReader& store, const ConfigOptions& options) {
  runtime::ReferenceSources sources;
  sources.secret = [&aliases](std::string_view alias) -> std::optional<std::string> {
    const auto it = aliases.find(std::string(alias));
    if (it == aliases.end()) return std::nullopt;
    return it->second;
  };
  sources.store = [&store](std::string_view reference, std::string_view field) {
    return store.Read(reference, field);
  };
  sources.properties = options.properties;
  const std::filesystem::path directory = std::filesystem::path(name).parent_path();
  sources.base_dir = directory.empty() ? "." : directory.string();
  return sources;
}

}  // namespace

Result<Config> Config::FromUnlocked(const sealed::SealedFile& file, const std::string& name,
                                    const sealed::SealedFile* secrets,
                                    const std::string& secrets_name, const ConfigOptions& options) {
  Config config;
  config.name_ = name;
  config.format_ = &file.format();
  TRESOR_ASSIGN_OR_RETURN(Plain plain, Unsealed(file, name, options.allow_unadopted));
  Aliases aliases;  // --secrets first, then this file's
  if (secrets != nullptr) {
    TRESOR_RETURN_IF_ERROR(AddAliases(*secrets, secrets_name, options.allow_unadopted, &aliases));
  }
  std::vector<bool> is_alias;
  config.entries_.reserve(plain.doc.values.size());
  for (size_t i = 0; i < plain.doc.values.size(); ++i) {
    const formats::Value& v = plain.doc.values[i];
    if (plain.locked.contains(v.path)) continue;
    config.value_index_.push_back(i);
    config.entries_.push_back({v.path, DecodedValue(*config.format_, plain, v), v.type});
    auto alias = AliasOf(*config.format_, v.path);
    is_alias.push_back(alias.has_value() && std::string_view(config.format_->name()) != "dotenv");
    if (alias) aliases.emplace(std::move(*alias), config.entries_.back().value);
  }
  runtime::StoreReader store(options.server);
  const runtime::ReferenceSources sources = SourcesFor(name, aliases, store, options);
  config.resolved_.assign(config.entries_.size(), false);
  for (size_t i = 0; i < config.entries_.size(); ++i) {
    ConfigEntry& entry = config.entries_[i];
    if (is_alias[i] || !runtime::MayHaveReferences(entry.value)) continue;
    auto resolved = runtime::ResolveReferences(entry.value, sources);
    if (!resolved) {
      // The line in the file as it is on disk (sealed values can span lines
      // in the plaintext).
      const auto& values = file.document().values;
      const auto at = std::find_if(values.begin(), values.end(),
                                   [&](const formats::Value& v) { return v.path == entry.path; });
      const size_t offset = at != values.end() ? at->literal.begin : 0;
      Error e = std::move(resolved).error();
      e.message = name + ":" + std::to_string(formats::LocationOf(file.text(), offset).line) +
                  ": " + entry.path + ": " + e.message;
      return e;
    }
    if (*resolved != entry.value) {
      entry.value = std::move(*resolved);
      config.resolved_[i] = true;
    }
  }
  config.plain_ = std::move(plain.text);
  config.plain_doc_ = std::move(plain.doc);
  config.locked_ = std::move(plain.locked);
  for (size_t i = 0; i < config.entries_.size(); ++i) {
    config.index_.emplace(config.entries_[i].path, i);
  }
  return config;
}

const ConfigEntry* Config::Find(std::string_view path) const {
  const auto it = index_.find(path);
  return it == index_.end() ? nullptr : &entries_[it->second];
}

Error Config::ValueError(std::string_view path, const char* what) const {
  std::string message = name_;
  message.append(": ").append(path).append(": ").append(what);
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

Result<const ConfigEntry*> Config::Entry(std::string_view path) const {
  const ConfigEntry* entry = Find(path);
  if (entry == nullptr) {
    const auto locked = locked_.find(std::string(path));
    Error e = ValueError(path, locked != locked_.end() ? locked->second.c_str() : "no such value");
    e.code = locked != locked_.end() ? ErrorCode::kNoMatch : ErrorCode::kNotFound;
    return e;
  }
  return entry;
}

Result<std::string> Config::Get(std::string_view path) const {
  TRESOR_ASSIGN_OR_RETURN(const ConfigEntry* entry, Entry(path));
  return entry->value;
}

template <typename T>
Result<T> Config::Number(std::string_view path, const char* what) const {
  TRESOR_ASSIGN_OR_RETURN(const ConfigEntry* entry, Entry(path));
  std::string_view s = entry->value;
  if (s.starts_with('+')) s.remove_prefix(1);
  T out{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return ValueError(path, what);
  return out;
}

Result<int64_t> Config::GetInt(std::string_view path) const {
  return Number<int64_t>(path, "not an integer");
}

Result<double> Config::GetDouble(std::string_view path) const {
  return Number<double>(path, "not a number");
}

Result<bool> Config::GetBool(std::string_view path) const {
  TRESOR_ASSIGN_OR_RETURN(const ConfigEntry* entry, Entry(path));
  const std::string lower = formats::AsciiLower(entry->value);
  if (lower == "true" || lower == "yes" || lower == "on" || lower == "1") return true;
  if (lower == "false" || lower == "no" || lower == "off" || lower == "0") return false;
  return ValueError(path, "not a boolean (true/false, yes/no, on/off, 1/0)");
}

Result<std::string> Config::RenderText(std::string_view text, const std::string& name,
                                       const sealed::SealedFile* secrets,
                                       const std::string& secrets_name,
                                       const ConfigOptions& options) {
  Aliases aliases;
  if (secrets != nullptr) {
    TRESOR_RETURN_IF_ERROR(AddAliases(*secrets, secrets_name, options.allow_unadopted, &aliases));
  }
  runtime::StoreReader store(options.server);
  const runtime::ReferenceSources sources = SourcesFor(name, aliases, store, options);
  std::string out;
  out.reserve(text.size());
  size_t line = 0;
  while (!text.empty()) {  // line by line, so that an error names its line
    ++line;
    const size_t end = text.find('\n');
    const std::string_view piece = text.substr(0, end == std::string_view::npos ? end : end + 1);
    text.remove_prefix(piece.size());
    if (!runtime::MayHaveReferences(piece)) {
      out.append(piece);
      continue;
    }
    auto resolved = runtime::ResolveReferences(piece, sources);
    if (!resolved) {
      Error e = std::move(resolved).error();
      e.message = name + ":" + std::to_string(line) + ": " + e.message;
      return e;
    }
    out.append(*resolved);
  }
  return out;
}

std::string Config::Render() const {
  std::vector<sealed::Edit> edits;
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (!resolved_[i]) continue;
    edits.push_back(
        {plain_doc_.values[value_index_[i]].literal, format_->Encode(entries_[i].value)});
  }
  // A value this reader cannot open is left out: its line where it has one
  // of its own, else its value is empty.
  for (const formats::Value& v : plain_doc_.values) {
    if (!locked_.contains(v.path)) continue;
    if (v.entry.end > v.entry.begin) {
      edits.push_back({v.entry, ""});
    } else {
      edits.push_back({v.literal, format_->Encode("")});
    }
  }
  return sealed::Splice(plain_, edits);
}

}  // namespace tresor
