#include "cli/migrate_command.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/output.h"
#include "cli/server_command.h"
#include "crypto/kdf.h"

namespace tresor::cli {
namespace {

// Keys that belong to the nodes running on a store, not to its data.
constexpr char kMembership[] = "cluster/";

// A batch is one transaction: under etcd's default limits of 128
// operations and 1.5 MiB per request.
constexpr size_t kBatchRecords = 64;
constexpr size_t kBatchBytes = 1 << 20;

struct Store {
  std::string name;  // as the user wrote it
  std::shared_ptr<store::Storage> storage;
};

Result<Store> OpenSpec(const std::string& spec, const std::string& prefix, bool source) {
  ServerOptions o;
  const size_t colon = spec.find(':');
  const std::string kind = spec.substr(0, colon);
  const std::string rest = colon == std::string::npos ? "" : spec.substr(colon + 1);
  if (kind == "sqlite" && !rest.empty()) {
    o.storage_type = "sqlite";
    o.data_dir = rest;
    if (source && !std::filesystem::exists(rest + "/tresor.db")) {
      return MakeError(ErrorCode::kNotFound, spec + ": there is no " + rest + "/tresor.db");
    }
  } else if (kind == "etcd" && !rest.empty()) {
    o.storage_type = "etcd";
    o.etcd_prefix = prefix;
    for (size_t at = 0; at <= rest.size();) {
      const size_t comma = std::min(rest.find(',', at), rest.size());
      o.etcd_endpoints.push_back(rest.substr(at, comma - at));
      at = comma + 1;
    }
  } else if (kind == "config" && !rest.empty()) {
    TRESOR_RETURN_IF_ERROR(LoadServerConfig(rest, o));
  } else {
    return MakeError(ErrorCode::kInvalidArgument,
                     "\"" + spec +
                         "\": expected sqlite:DIR, etcd:HOST:PORT[,HOST:PORT...] or "
                         "config:server.toml");
  }
  auto opened = OpenServerStorage(o);
  if (!opened) return WithPlace(spec, std::move(opened).error());
  return Store{spec, std::move(*opened)};
}

// The digest of a store's records in key order: each key, a NUL, the
// value's length (8 bytes, big-endian) and the value.
struct Digest {
  crypto::Sha256Hasher hasher;
  uint64_t records = 0;
  uint64_t bytes = 0;
  void Add(const std::string& key, const store::Bytes& value) {
    hasher.Update({reinterpret_cast<const uint8_t*>(key.data()), key.size() + 1});
    uint8_t size[8];
    for (int i = 0; i < 8; ++i) size[i] = static_cast<uint8_t>(value.size() >> (56 - 8 * i));
    hasher.Update(size);
    hasher.Update(value);
    ++records;
    bytes += value.size();
  }
};

// "records N/TOTAL" on stderr, redrawn at most ten times a second, when
// stderr is a terminal.
class Progress {
 public:
  Progress(const char* what, uint64_t total)
      : what_(what), total_(total), shown_(::isatty(STDERR_FILENO) == 1) {}
  void Update(uint64_t done, bool last = false) {
    if (!shown_) return;
    const auto now = std::chrono::steady_clock::now();
    if (!last && now - drawn_ < std::chrono::milliseconds(100)) return;
    drawn_ = now;
    std::fprintf(stderr, "\rtresor: %s: %llu/%llu records", what_,
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_));
    if (last) std::fprintf(stderr, "\n");
  }

 private:
  const char* what_;
  uint64_t total_;
  bool shown_;
  std::chrono::steady_clock::time_point drawn_{};
};

Result<uint64_t> CountRecords(store::Storage& storage) {
  TRESOR_ASSIGN_OR_RETURN(auto keys, storage.Keys(""));
  uint64_t n = 0;
  for (const std::string& key : keys) n += key.starts_with(kMembership) ? 0 : 1;
  return n;
}

Result<Digest> DigestOf(store::Storage& storage, const char* what, uint64_t total) {
  Digest digest;
  Progress progress(what, total);
  TRESOR_RETURN_IF_ERROR(storage.Scan("", [&](const std::string& key, const store::Record& record) {
    if (key.starts_with(kMembership)) return true;
    digest.Add(key, record.value);
    progress.Update(digest.records);
    return true;
  }));
  progress.Update(digest.records, true);
  return digest;
}

Result<Digest> Copy(Store& from, Store& to, uint64_t total) {
  Digest digest;
  Progress progress("copying", total);
  std::vector<store::Write> batch;
  size_t batch_bytes = 0;
  std::optional<Error> failed;
  auto flush = [&]() -> bool {
    if (batch.empty()) return true;
    auto committed = to.storage->Commit(std::move(batch));
    batch.clear();
    batch_bytes = 0;
    if (!committed) failed = WithPlace(to.name, std::move(committed).error());
    return committed.has_value();
  };
  TRESOR_RETURN_IF_ERROR(
      from.storage->Scan("", [&](const std::string& key, const store::Record& record) {
        if (key.starts_with(kMembership)) return true;
        if (batch.size() == kBatchRecords || batch_bytes + record.value.size() > kBatchBytes) {
          if (!flush()) return false;
        }
        digest.Add(key, record.value);
        batch.push_back(store::Write{key, record.value});
        batch_bytes += key.size() + record.value.size();
        progress.Update(digest.records);
        return true;
      }));
  if (!failed) flush();
  if (failed) return *failed;
  progress.Update(digest.records, true);
  return digest;
}

}  // namespace

Result<void> RunMigrate(const MigrateOptions& o) {
  TRESOR_ASSIGN_OR_RETURN(Store from, OpenSpec(o.from, o.prefix, true));
  TRESOR_ASSIGN_OR_RETURN(auto live, from.storage->Keys(std::string(kMembership) + "nodes/"));
  if (!live.empty()) {
    return MakeError(ErrorCode::kRefused, o.from + ": " + std::to_string(live.size()) +
                                              " node(s) are running on it; stop them first");
  }
  TRESOR_ASSIGN_OR_RETURN(Store to, OpenSpec(o.to, o.prefix, false));
  TRESOR_ASSIGN_OR_RETURN(auto present, to.storage->List("", "", 1));
  if (!present.empty()) {
    return MakeError(ErrorCode::kRefused, o.to + ": not empty (it holds " + present.front() +
                                              "); migrate copies into an empty store only");
  }
  TRESOR_ASSIGN_OR_RETURN(const uint64_t total, CountRecords(*from.storage));
  TRESOR_ASSIGN_OR_RETURN(Digest copied, Copy(from, to, total));
  TRESOR_ASSIGN_OR_RETURN(Digest check, DigestOf(*to.storage, "checking", copied.records));
  const std::string want = crypto::HexEncode(copied.hasher.Finish());
  const std::string got = crypto::HexEncode(check.hasher.Finish());
  if (check.records != copied.records || got != want) {
    return MakeError(ErrorCode::kIntegrity,
                     o.to + ": read back " + std::to_string(check.records) + " records, sha256:" +
                         got + "; copied " + std::to_string(copied.records) + ", sha256:" + want);
  }
  if (o.json) {
    std::printf("%s\n", nlohmann::json{{"from", o.from},
                                       {"to", o.to},
                                       {"records", copied.records},
                                       {"bytes", copied.bytes},
                                       {"sha256", want}}
                            .dump()
                            .c_str());
  } else {
    std::printf("copied %llu records (%llu bytes) from %s to %s; read back, sha256:%s matches\n",
                static_cast<unsigned long long>(copied.records),
                static_cast<unsigned long long>(copied.bytes), o.from.c_str(), o.to.c_str(),
                want.c_str());
  }
  return {};
}

}  // namespace tresor::cli
