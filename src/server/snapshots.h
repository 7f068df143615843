// Snapshots the server writes itself: the store (store/snapshot.h) in an
// age file for given recipients; and the schedule that writes one into a
// directory every interval, on the node that runs the background work,
// keeping the newest few. The CLI's `operator snapshot save` writes its
// file with the same function.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "age/io.h"
#include "age/recipient.h"
#include "crypto/result.h"
#include "server/responses.h"
#include "store/snapshot.h"

namespace tresor::audit {
class AuditLog;
}

namespace tresor::server {

// Writes a snapshot of `storage` to `out`, encrypted to `recipients`; the
// store is read on a thread of its own while age encrypts on this one.
// `progress` gets the number of records written so far.
Result<store::SnapshotSummary> WriteEncryptedSnapshot(
    store::Storage& storage, std::span<const age::Recipient* const> recipients, age::Sink& out,
    const std::function<void(uint64_t)>& progress = nullptr);

struct SnapshotSchedule {
  std::chrono::seconds interval{0};  // 0: no scheduled snapshots
  size_t keep = 10;                  // the newest this many are kept
  std::string dir;
  std::vector<std::string> recipients;  // age1...
};

// Writes DIR/tresor-YYYYMMDDTHHMMSSZ.age when one is due (the newest
// file's time, or the start, plus the interval), each through a temporary
// file renamed into place once flushed, then removes the oldest beyond
// `keep`. Each run is logged, appended to the audit log, and counted.
class SnapshotScheduler {
 public:
  using Log =
      std::function<void(const std::string& level, const std::string& message, const Json& fields)>;
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  // kInvalidArgument for a recipient that does not parse or no directory.
  static Result<std::unique_ptr<SnapshotScheduler>> Create(SnapshotSchedule schedule,
                                                           std::shared_ptr<store::Storage> storage,
                                                           Log log,
                                                           std::shared_ptr<audit::AuditLog> audit,
                                                           Clock now = nullptr);
  ~SnapshotScheduler();  // waits for a snapshot being written

  // Called every second; starts a snapshot (on a thread of its own) if one
  // is due, none is being written and `leading`.
  void Tick(bool leading);

  struct Stats {
    uint64_t runs = 0;
    uint64_t failures = 0;
    double last_success = 0;  // seconds since the epoch; 0: none yet
  };
  Stats stats() const;

 private:
  SnapshotScheduler() = default;
  void Run(std::chrono::system_clock::time_point at);
  Result<store::SnapshotSummary> WriteFile(const std::string& name);
  void Prune();

  SnapshotSchedule schedule_;
  std::vector<std::unique_ptr<age::Recipient>> recipients_;
  std::shared_ptr<store::Storage> storage_;
  Log log_;
  std::shared_ptr<audit::AuditLog> audit_;
  Clock now_;
  mutable std::mutex mutex_;
  std::chrono::system_clock::time_point due_{};
  bool running_ = false;
  Stats stats_;
  std::thread worker_;
};

}  // namespace tresor::server
