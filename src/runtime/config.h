// tresor::Config: a configuration file as a program reads it — sealed
// values opened, references resolved ($secret, $env, $sys, $file, $store;
// see runtime/references.h) — with typed getters. Errors are the CLI's: they
// start with "FILE:LINE:" or "FILE:", and never hold a value.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crypto/result.h"
#include "formats/format.h"
#include "runtime/store_reader.h"
#include "sealed/sealed_file.h"

namespace tresor {

struct ConfigOptions {
  // Identity files; if empty, the key sources of keys/key_chain.h
  // ($TRESOR_IDENTITY, $TRESOR_IDENTITY_FILE, the agent, the keyring).
  std::vector<std::string> identity_files;
  std::string key_name;      // a keyring key: the only one used
  std::string format;        // ini, dotenv, json, toml, yaml; empty: from the file name
  std::string secrets_file;  // another sealed file whose [secrets] table $secret reads first
  std::map<std::string, std::string, std::less<>> properties;  // $sys{name}
  runtime::ServerOptions server;                               // $store{path#field}
  // Use values added with `set --public` that no key holder adopted yet.
  // Off: such a value is authentic only as far as the file is (anyone who
  // can write the file could have planted it, references and all), so the
  // file is refused until `tresor seal --in-place FILE` adopts it.
  bool allow_unadopted = false;
};

struct ConfigEntry {
  std::string path;   // canonical path (docs/format.md)
  std::string value;  // as the program reads it: decoded, references resolved
  formats::ValueType type = formats::ValueType::kString;
};

class Config {
 public:
  // Reads, unlocks, verifies and resolves `path`. Never prompts: a
  // passphrase-protected key is used through the agent (tresor agent add).
  static Result<Config> Open(const std::string& path, const ConfigOptions& options = {});
  // The same for `text` read by the caller; `name` stands for its file in
  // messages (and gives the format unless options.format does).
  static Result<Config> OpenText(std::string text, const std::string& name,
                                 const ConfigOptions& options = {});

  // The same for files the caller has loaded and unlocked (the groups its
  // keys open: values of the others are absent, and Get of one is
  // kNoMatch "FILE: PATH: sealed for group G (recipients: ...), which none
  // of your keys opens");
  // `secrets` may be null. Names are for messages and $file's base directory.
  static Result<Config> FromUnlocked(const sealed::SealedFile& file, const std::string& name,
                                     const sealed::SealedFile* secrets,
                                     const std::string& secrets_name, const ConfigOptions& options);

  // A text template (any file: XML, nginx.conf, a systemd drop-in): its
  // references resolved ($secret from `secrets`, which may be null), every
  // other byte kept. A reference does not span lines; errors start with
  // "NAME:LINE:".
  static Result<std::string> RenderText(std::string_view text, const std::string& name,
                                        const sealed::SealedFile* secrets,
                                        const std::string& secrets_name,
                                        const ConfigOptions& options);

  const std::string& name() const { return name_; }
  const formats::Format& format() const { return *format_; }
  const std::vector<ConfigEntry>& entries() const { return entries_; }
  const ConfigEntry* Find(std::string_view path) const;

  // kNotFound "FILE: PATH: no such value"; the typed getters also fail with
  // kInvalidArgument "FILE: PATH: not an integer" (and so on).
  Result<std::string> Get(std::string_view path) const;
  Result<int64_t> GetInt(std::string_view path) const;
  Result<double> GetDouble(std::string_view path) const;
  // true/false, yes/no, on/off, 1/0 in any case, as Python's configparser.
  Result<bool> GetBool(std::string_view path) const;

  // The whole file as the program should see it: unsealed, with resolved
  // references in place of the values that held them.
  std::string Render() const;

 private:
  Config() = default;
  Result<const ConfigEntry*> Entry(std::string_view path) const;
  Error ValueError(std::string_view path, const char* what) const;
  template <typename T>
  Result<T> Number(std::string_view path, const char* what) const;

  std::string name_;
  const formats::Format* format_ = nullptr;
  std::string plain_;            // the unsealed text
  formats::Document plain_doc_;  // its values, in entries_' order
  std::vector<ConfigEntry> entries_;
  std::vector<bool> resolved_;       // entries whose value references changed
  std::vector<size_t> value_index_;  // each entry's value in plain_doc_
  // Values in groups none of the reader's keys opens (absent from
  // entries_), with what reading one says.
  std::unordered_map<std::string, std::string> locked_;
  std::unordered_map<std::string_view, size_t> index_;
};

}  // namespace tresor
