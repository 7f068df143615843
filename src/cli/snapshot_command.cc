#include "cli/snapshot_command.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "age/encrypt.h"
#include "cli/files.h"
#include "cli/identities.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "cli/recipients.h"
#include "cli/server_command.h"
#include "cli/store_specs.h"
#include "server/snapshots.h"
#include "store/sqlite_storage.h"

namespace tresor::cli {
namespace {

namespace fs = std::filesystem;

// Feeds what age decrypted (and authenticated) to the snapshot reader.
class ReaderSink : public age::Sink {
 public:
  explicit ReaderSink(store::SnapshotReader& reader) : reader_(reader) {}
  Result<void> Write(std::span<const uint8_t> data) override { return reader_.Feed(data); }

 private:
  store::SnapshotReader& reader_;
};

// The data directory a restore makes, from sqlite:DIR or a server.toml on
// SQLite; without trailing slashes.
Result<std::string> RestoreDirectory(const std::string& spec) {
  TRESOR_ASSIGN_OR_RETURN(auto parts, SplitStoreSpec(spec));
  std::string dir;
  if (parts.first == "sqlite") {
    dir = parts.second;
  } else if (parts.first == "config") {
    ServerOptions o;
    TRESOR_RETURN_IF_ERROR(LoadServerConfig(parts.second, o));
    if (o.storage_type == "sqlite") dir = o.data_dir;
  }
  if (dir.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     spec +
                         ": a snapshot is restored into a SQLite data directory (sqlite:DIR); "
                         "for etcd, restore into one, then run tresor operator migrate --from "
                         "sqlite:DIR --to etcd:...");
  }
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

Result<void> RefuseUnlessEmpty(const std::string& dir, const std::string& spec) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return {};
  if (!fs::is_directory(dir, ec)) {
    return MakeError(ErrorCode::kRefused, spec + ": " + dir + " is not a directory");
  }
  std::string held;  // the database if it is there, else any entry
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    held = entry.path().filename().string();
    if (held == "tresor.db") break;
  }
  if (ec) return MakeError(ErrorCode::kIo, dir + ": " + ec.message());
  if (!held.empty()) {
    return MakeError(ErrorCode::kRefused,
                     spec + ": not empty (it holds " + held +
                         "); a snapshot is restored into an empty data directory only");
  }
  return {};
}

// Removes what restores killed before they finished left beside `dir`
// (DIR.restoring-PID, that process gone).
void RemoveStaleRestores(const std::string& dir) {
  const fs::path target(dir);
  const std::string stem = target.filename().string() + ".restoring-";
  std::error_code ec;
  const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  for (const auto& entry : fs::directory_iterator(parent, ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with(stem)) continue;
    const std::string pid = name.substr(stem.size());
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    if (::kill(std::stoi(pid), 0) == 0 || errno != ESRCH) continue;
    fs::remove_all(entry.path(), ec);
  }
}

Result<void> SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return MakeError(ErrorCode::kIo, dir + ": " + std::strerror(errno));
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return MakeError(ErrorCode::kIo, dir + ": " + std::strerror(errno));
  return {};
}

// Decrypts and reads the snapshot into a new store at `temp`/tresor.db.
Result<store::SnapshotSummary> Fill(const SnapshotOptions& o, const std::string& temp) {
  auto opened = store::SqliteStorage::Open(temp + "/tresor.db");
  if (!opened) return std::move(opened).error();
  std::unique_ptr<store::SqliteStorage> storage = std::move(*opened);
  // One fsync per 4,096 records.
  BatchedWrites writes(*storage, o.store, {.records = 4096, .bytes = 16 << 20});
  Progress progress("restoring", 0);
  uint64_t restored = 0;
  store::SnapshotReader reader([&](std::string key, store::Bytes value) -> Result<void> {
    if (key.starts_with(store::kMembershipPrefix)) return {};  // the nodes' own, never data
    TRESOR_RETURN_IF_ERROR(writes.Add(std::move(key), std::move(value)));
    progress.Update(++restored);
    return {};
  });
  ReaderSink sink(reader);
  TRESOR_RETURN_IF_ERROR(DecryptSnapshot(o, sink));
  auto summary = reader.Finish();
  if (!summary) return WithPlace(o.file.empty() ? "stdin" : o.file, std::move(summary).error());
  TRESOR_RETURN_IF_ERROR(writes.Flush());
  progress.Update(restored, true);
  return summary;
}

void Print(const SnapshotOptions& o, const store::SnapshotSummary& s, bool saved) {
  if (o.json) {
    std::printf("%s\n", nlohmann::json{{saved ? "from" : "to", o.store},
                                       {"file", o.file},
                                       {"records", s.records},
                                       {"bytes", s.bytes},
                                       {"sha256", s.sha256}}
                            .dump()
                            .c_str());
  } else if (saved) {
    std::printf("saved %llu records (%llu bytes) of %s to %s, sha256:%s\n",
                static_cast<unsigned long long>(s.records),
                static_cast<unsigned long long>(s.bytes), o.store.c_str(), o.file.c_str(),
                s.sha256.c_str());
  } else {
    std::printf(
        "restored %llu records (%llu bytes) from %s into %s; read back, sha256:%s matches\n",
        static_cast<unsigned long long>(s.records), static_cast<unsigned long long>(s.bytes),
        o.file.c_str(), o.store.c_str(), s.sha256.c_str());
  }
}

}  // namespace

Result<void> DecryptSnapshot(const SnapshotOptions& o, age::Sink& sink) {
  const PassphraseSource passphrases(o.passphrase_file);
  TRESOR_ASSIGN_OR_RETURN(keys::KeyChain keys, DiscoverKeys(o.identity_files, "", passphrases));
  PassphrasePromptIdentity prompt(passphrases);
  std::vector<const age::Identity*> view = keys.identities();
  view.push_back(&prompt);  // asked only if the file is passphrase-encrypted
  TRESOR_ASSIGN_OR_RETURN(Input in, Input::Open(o.file));
  auto decrypted = age::Decrypt(view, in.source(), sink);
  if (!decrypted) {
    Error e = std::move(decrypted).error();
    if (!prompt.asked()) e = keys.Explain(std::move(e));
    return age::PlaceDecryptError(in.name(), std::move(e));
  }
  return {};
}

Result<void> RunSnapshotSave(const SnapshotOptions& o) {
  const PassphraseSource passphrases(o.passphrase_file);
  TRESOR_ASSIGN_OR_RETURN(auto recipients, CollectRecipients(o.to, passphrases));
  const auto view = Pointers(recipients);
  TRESOR_ASSIGN_OR_RETURN(OpenedStore from, OpenStoreSpec(o.store, o.prefix, StoreUse::kReading));
  TRESOR_ASSIGN_OR_RETURN(const uint64_t total, CountRecords(*from.storage));
  TRESOR_ASSIGN_OR_RETURN(Output out, Output::Open(o.file, OutputPolicy{.mode = 0600}));
  if (out.IsTerminal()) {
    return MakeError(ErrorCode::kRefused,
                     "refusing to write a snapshot to a terminal; give a FILE");
  }
  Progress progress("saving", total);
  auto written = server::WriteEncryptedSnapshot(*from.storage, view, out.sink(),
                                                [&](uint64_t n) { progress.Update(n); });
  if (!written) return WithPlace(o.file.empty() ? o.store : o.file, std::move(written).error());
  progress.Update(written->records, true);
  TRESOR_RETURN_IF_ERROR(out.Commit());
  Print(o, *written, true);
  return {};
}

Result<void> RunSnapshotRestore(const SnapshotOptions& o) {
  if (o.store == "server" || o.store.starts_with("server:")) return RestoreIntoServer(o);
  TRESOR_ASSIGN_OR_RETURN(const std::string dir, RestoreDirectory(o.store));
  TRESOR_RETURN_IF_ERROR(RefuseUnlessEmpty(dir, o.store));
  RemoveStaleRestores(dir);
  const std::string temp = dir + ".restoring-" + std::to_string(::getpid());
  std::error_code ec;
  fs::remove_all(temp, ec);
  if (::mkdir(temp.c_str(), 0700) != 0) {
    return MakeError(ErrorCode::kIo, temp + ": " + std::strerror(errno));
  }
  auto restored = [&]() -> Result<store::SnapshotSummary> {
    TRESOR_ASSIGN_OR_RETURN(const store::SnapshotSummary filled, Fill(o, temp));
    TRESOR_ASSIGN_OR_RETURN(auto copy, store::SqliteStorage::OpenForReading(temp + "/tresor.db"));
    TRESOR_ASSIGN_OR_RETURN(const store::SnapshotSummary check,
                            DigestOf(*copy, "checking", filled.records));
    if (check.records != filled.records || check.sha256 != filled.sha256) {
      return MakeError(ErrorCode::kIntegrity,
                       temp + ": read back " + std::to_string(check.records) +
                           " records, sha256:" + check.sha256 + "; the snapshot has " +
                           std::to_string(filled.records) + ", sha256:" + filled.sha256);
    }
    // Into place in one step: an empty directory there is replaced; one
    // that filled up meanwhile is not.
    TRESOR_RETURN_IF_ERROR(RefuseUnlessEmpty(dir, o.store));
    if (::rename(temp.c_str(), dir.c_str()) != 0) {
      return MakeError(ErrorCode::kIo, dir + ": " + std::strerror(errno));
    }
    const fs::path parent = fs::path(dir).has_parent_path() ? fs::path(dir).parent_path() : ".";
    TRESOR_RETURN_IF_ERROR(SyncDirectory(parent.string()));
    return filled;
  }();
  if (!restored) {
    fs::remove_all(temp, ec);
    return std::move(restored).error();
  }
  Print(o, *restored, false);
  return {};
}

}  // namespace tresor::cli
