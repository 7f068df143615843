// A KV version 2 secrets engine (Vault's API semantics): versioned values
// with soft delete, undelete, destroy, check-and-set and per-key metadata.
// Values are held in memory here; the storage barrier (issue 6) will hold
// them encrypted on disk. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace tresor::server {

using Json = nlohmann::json;

// What an operation answers: an HTTP status, the response's "data" (null
// for none) and, for errors, messages.
struct KvOutcome {
  int status = 200;
  Json data;
  std::vector<std::string> errors;
};

class KvV2 {
 public:
  // PUT/POST data/PATH {"data": {...}, "options": {"cas": N}}
  KvOutcome Write(const std::string& path, const Json& body);
  // GET data/PATH?version=N (0 or absent: the latest)
  KvOutcome Read(const std::string& path, int64_t version);
  // DELETE data/PATH: the latest version; POST delete/PATH {"versions": [...]}
  KvOutcome DeleteLatest(const std::string& path);
  KvOutcome DeleteVersions(const std::string& path, const Json& body);
  KvOutcome Undelete(const std::string& path, const Json& body);
  KvOutcome Destroy(const std::string& path, const Json& body);
  // GET, POST and DELETE metadata/PATH; LIST metadata/PATH
  KvOutcome ReadMetadata(const std::string& path);
  KvOutcome WriteMetadata(const std::string& path, const Json& body);
  KvOutcome DeleteMetadata(const std::string& path);
  KvOutcome List(const std::string& prefix);
  // True if `path` has any version.
  bool Exists(const std::string& path);
  // GET and POST config
  KvOutcome ReadConfig();
  KvOutcome WriteConfig(const Json& body);

 private:
  struct Version {
    std::string created_time;
    std::string deletion_time;  // "" if not deleted
    bool destroyed = false;
    Json data;  // null once destroyed
  };
  struct Key {
    std::string created_time;
    std::string updated_time;
    int64_t current_version = 0;
    int64_t oldest_version = 0;
    int64_t max_versions = 0;  // 0: the mount's
    bool cas_required = false;
    std::string delete_version_after = "0s";
    Json custom_metadata;  // null or an object of strings
    std::map<int64_t, Version> versions;
  };
  static Json VersionMetadata(const Key& key, int64_t number, const Version& v);
  KvOutcome ChangeVersions(const std::string& path, const Json& body, int action);
  int64_t MaxVersions(const Key& key) const;
  // Drops the oldest versions past the key's max_versions.
  void TrimVersions(Key& key) const;

  std::mutex mutex_;
  std::map<std::string, Key> keys_;
  int64_t max_versions_ = 0;  // mount config; 0 means 10, as Vault
  bool cas_required_ = false;
  std::string delete_version_after_ = "0s";
};

// RFC 3339 UTC with nanoseconds, as Vault prints times.
std::string NowRfc3339();

}  // namespace tresor::server
