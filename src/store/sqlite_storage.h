// Storage in an SQLite database (the server's embedded default): one table
// of records (key, value, revision) and the store's revision, in WAL mode
// with synchronous=FULL, so a commit is on disk before its revisions are
// reported durable.
//
// Transact checks its conditions and assigns the next revision at once,
// one transaction at a time. Group commit: one thread commits. While it
// waits for one SQLite transaction's fsync, newly applied transactions
// queue up, and the next SQLite transaction takes all of them, so N
// concurrent writers share one fsync instead of paying N. Until then they
// live in an overlay that reads consult first. The watch is fed from each
// commit.
//
// Checkpoints (copying the WAL back into the database, with an fsync of its
// own) run on a third thread in PASSIVE mode, so a commit never waits for
// one: with SQLite's automatic checkpoints, every thousandth commit would.
//
// The database file and its WAL are created mode 0600; a lock file next to
// it (flock) keeps a second server off the same database.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "store/storage.h"
#include "store/watch_hub.h"

struct sqlite3;
struct sqlite3_stmt;

namespace tresor::store {

class SqliteStorage final : public Storage {
 public:
  // Opens or creates the database at `path`. kRefused if another process
  // holds its lock; kIo if SQLite cannot open or set it up.
  static Result<std::unique_ptr<SqliteStorage>> Open(const std::string& path);
  // The same database for reading only, beside the server that has it open
  // (no lock taken, nothing written: Transact is refused). Each Scan is one
  // read transaction: one consistent view of what was committed.
  static Result<std::unique_ptr<SqliteStorage>> OpenForReading(const std::string& path);
  ~SqliteStorage() override;  // commits what was submitted, then closes

  Result<std::optional<Record>> Read(const std::string& key) override;
  Result<std::vector<std::string>> List(const std::string& prefix, const std::string& start_after,
                                        size_t limit) override;
  Result<void> Scan(const std::string& prefix,
                    const std::function<bool(const std::string&, const Record&)>& visit) override;
  Result<TxnResult> Transact(Txn txn) override;
  void WhenDurable(uint64_t revision, std::function<void(bool)> done) override;
  bool IsDurable(uint64_t revision) override;
  Result<uint64_t> Revision() override;
  Result<std::unique_ptr<Watch>> WatchPrefix(const std::string& prefix, uint64_t after,
                                             std::function<void(const Change&)> on_change) override;
  Result<void> Compact(uint64_t revision) override;
  std::string type() const override { return "sqlite"; }

  uint64_t submitted() const override;
  uint64_t transactions() const override;
  std::optional<std::string> Failure() override;
  Result<void> Recover() override;
  void SetFailureHandler(std::function<void(const std::string&)> on_failure) override;

 private:
  struct Batch {
    uint64_t revision = 0;
    std::vector<Write> writes;
  };
  struct Pending {
    uint64_t revision = 0;
    std::optional<Bytes> value;
  };
  // A reader connection with its prepared statements.
  struct Connection {
    sqlite3* db = nullptr;
    sqlite3_stmt* get = nullptr;
    sqlite3_stmt* scan = nullptr;
    sqlite3_stmt* keys = nullptr;
  };
  // Takes a Connection from the pool, returns it when done.
  class Reader;

  SqliteStorage() = default;
  Result<void> SetUp();
  // Visits, in key order, the keys from `from` that start with `prefix`,
  // with their records unless `keys_only` (then the record is empty): the
  // committed ones with the overlay's changes on top.
  Result<void> Walk(const std::string& prefix, const std::string& from, bool keys_only,
                    const std::function<bool(const std::string&, const Record&)>& visit);
  void CommitLoop();
  void CheckpointLoop();
  static int OnWalCommit(void* self, sqlite3* db, const char* name, int pages);
  // Commits in one transaction; on failure, the reason.
  std::optional<std::string> CommitBatches(const std::vector<Batch>& batches);
  Connection AcquireReader();
  void ReleaseReader(Connection c);
  static void CloseConnection(Connection& c);

  std::string path_;
  bool read_only_ = false;
  int lock_fd_ = -1;
  sqlite3* writer_ = nullptr;  // the committer's; its statements:
  sqlite3_stmt* put_ = nullptr;
  sqlite3_stmt* delete_ = nullptr;
  sqlite3_stmt* put_revision_ = nullptr;

  std::mutex txn_mutex_;  // one Transact at a time, from its checks to its revision
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Batch> queue_;
  std::map<std::string, Pending> overlay_;
  std::multimap<uint64_t, std::function<void(bool)>> waiters_;
  std::vector<Connection> readers_;
  uint64_t submitted_ = 0;  // transactions applied
  uint64_t revision_ = 0;   // the latest applied
  uint64_t durable_ = 0;    // the latest committed
  uint64_t transactions_ = 0;
  bool failed_ = false;
  std::string failure_;  // why
  std::function<void(const std::string&)> on_failure_;
  bool stopping_ = false;
  std::thread committer_;

  sqlite3* checkpointer_db_ = nullptr;
  std::mutex checkpoint_mutex_;
  std::condition_variable checkpoint_wake_;
  bool checkpoint_wanted_ = false;
  bool checkpoint_stopping_ = false;
  std::thread checkpointer_;

  WatchHub hub_;
};

}  // namespace tresor::store
