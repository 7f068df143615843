#include "cli/store_specs.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "cli/progress.h"
#include "cli/server_command.h"
#include "crypto/kdf.h"
#include "store/sqlite_storage.h"

namespace tresor::cli {
Result<std::pair<std::string, std::string>> SplitStoreSpec(const std::string& spec) {
  const size_t colon = spec.find(':');
  std::string kind = spec.substr(0, colon);
  std::string rest = colon == std::string::npos ? "" : spec.substr(colon + 1);
  if ((kind != "sqlite" && kind != "etcd" && kind != "config") || rest.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "\"" + spec +
                         "\": expected sqlite:DIR, etcd:HOST:PORT[,HOST:PORT...] or "
                         "config:server.toml");
  }
  return std::pair{std::move(kind), std::move(rest)};
}

Result<OpenedStore> OpenStoreSpec(const std::string& spec, const std::string& prefix,
                                  StoreUse use) {
  TRESOR_ASSIGN_OR_RETURN(auto parts, SplitStoreSpec(spec));
  const auto& [kind, rest] = parts;
  ServerOptions o;
  if (kind == "sqlite") {
    o.storage_type = "sqlite";
    o.data_dir = rest;
  } else if (kind == "etcd") {
    o.storage_type = "etcd";
    o.etcd_prefix = prefix;
    for (size_t at = 0; at <= rest.size();) {
      const size_t comma = std::min(rest.find(',', at), rest.size());
      o.etcd_endpoints.push_back(rest.substr(at, comma - at));
      at = comma + 1;
    }
  } else {
    TRESOR_RETURN_IF_ERROR(LoadServerConfig(rest, o));
  }
  const std::string db = o.data_dir + "/tresor.db";
  if (o.storage_type == "sqlite" && use != StoreUse::kTarget && !std::filesystem::exists(db)) {
    return MakeError(ErrorCode::kNotFound, spec + ": there is no " + db);
  }
  if (o.storage_type == "sqlite" && use == StoreUse::kReading) {
    auto opened = store::SqliteStorage::OpenForReading(db);
    if (!opened) return WithPlace(spec, std::move(opened).error());
    return OpenedStore{spec, std::shared_ptr<store::Storage>(std::move(*opened))};
  }
  auto opened = OpenServerStorage(o);
  if (!opened) return WithPlace(spec, std::move(opened).error());
  return OpenedStore{spec, std::move(*opened)};
}

Result<uint64_t> CountRecords(store::Storage& storage) {
  TRESOR_ASSIGN_OR_RETURN(auto keys, storage.Keys(""));
  uint64_t n = 0;
  for (const std::string& key : keys) n += key.starts_with(store::kMembershipPrefix) ? 0 : 1;
  return n;
}

Result<store::SnapshotSummary> DigestOf(store::Storage& storage, const char* what, uint64_t total) {
  store::RecordDigest digest;
  Progress progress(what, total);
  TRESOR_RETURN_IF_ERROR(storage.Scan("", [&](const std::string& key, const store::Record& record) {
    if (key.starts_with(store::kMembershipPrefix)) return true;
    digest.Add(key, record.value);
    progress.Update(digest.records());
    return true;
  }));
  progress.Update(digest.records(), true);
  store::SnapshotSummary summary{digest.records(), digest.bytes(), ""};
  summary.sha256 = crypto::HexEncode(digest.Finish());
  return summary;
}

Result<void> BatchedWrites::Add(std::string key, store::Bytes value) {
  if (batch_.size() == limits_.records || bytes_ + key.size() + value.size() > limits_.bytes) {
    TRESOR_RETURN_IF_ERROR(Flush());
  }
  bytes_ += key.size() + value.size();
  batch_.push_back(store::Write{std::move(key), std::move(value)});
  return {};
}

Result<void> BatchedWrites::Flush() {
  if (batch_.empty()) return {};
  auto committed = to_.Commit(std::move(batch_));
  batch_.clear();
  bytes_ = 0;
  if (!committed) return WithPlace(name_, std::move(committed).error());
  return {};
}

}  // namespace tresor::cli
