#include "cli/migrate_command.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/progress.h"
#include "cli/store_specs.h"
#include "crypto/kdf.h"

namespace tresor::cli {
namespace {

Result<store::SnapshotSummary> Copy(OpenedStore& from, OpenedStore& to, uint64_t total) {
  store::RecordDigest digest;
  Progress progress("copying", total);
  BatchedWrites writes(*to.storage, to.name);
  std::optional<Error> failed;
  TRESOR_RETURN_IF_ERROR(
      from.storage->Scan("", [&](const std::string& key, const store::Record& record) {
        if (key.starts_with(store::kMembershipPrefix)) return true;
        digest.Add(key, record.value);
        if (auto added = writes.Add(key, record.value); !added) {
          failed = std::move(added).error();
          return false;
        }
        progress.Update(digest.records());
        return true;
      }));
  if (failed) return *failed;
  TRESOR_RETURN_IF_ERROR(writes.Flush());
  progress.Update(digest.records(), true);
  store::SnapshotSummary summary{digest.records(), digest.bytes(), ""};
  summary.sha256 = crypto::HexEncode(digest.Finish());
  return summary;
}

}  // namespace

Result<void> RunMigrate(const MigrateOptions& o) {
  TRESOR_ASSIGN_OR_RETURN(OpenedStore from, OpenStoreSpec(o.from, o.prefix, StoreUse::kSource));
  TRESOR_ASSIGN_OR_RETURN(auto live,
                          from.storage->Keys(std::string(store::kMembershipPrefix) + "nodes/"));
  if (!live.empty()) {
    return MakeError(ErrorCode::kRefused, o.from + ": " + std::to_string(live.size()) +
                                              " node(s) are running on it; stop them first");
  }
  TRESOR_ASSIGN_OR_RETURN(OpenedStore to, OpenStoreSpec(o.to, o.prefix, StoreUse::kTarget));
  TRESOR_ASSIGN_OR_RETURN(auto present, to.storage->List("", "", 1));
  if (!present.empty()) {
    return MakeError(ErrorCode::kRefused, o.to + ": not empty (it holds " + present.front() +
                                              "); migrate copies into an empty store only");
  }
  TRESOR_ASSIGN_OR_RETURN(const uint64_t total, CountRecords(*from.storage));
  TRESOR_ASSIGN_OR_RETURN(const store::SnapshotSummary copied, Copy(from, to, total));
  TRESOR_ASSIGN_OR_RETURN(const store::SnapshotSummary check,
                          DigestOf(*to.storage, "checking", copied.records));
  const std::string& want = copied.sha256;
  const std::string& got = check.sha256;
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
