#include "store/sqlite_storage.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "store/prefix_range.h"

namespace tresor::store {
namespace {

Error SqlError(sqlite3* db, const std::string& what) {
  return Error{ErrorCode::kIo, what + ": " + (db ? sqlite3_errmsg(db) : "out of memory")};
}

bool Exec(sqlite3* db, const char* sql) {
  return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
}

Result<sqlite3*> OpenConnection(const std::string& path, bool read_only = false) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db,
      (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
          SQLITE_OPEN_NOMUTEX,
      nullptr);
  if (rc != SQLITE_OK) {
    Error e = SqlError(db, path + ": cannot open database");
    sqlite3_close(db);
    return e;
  }
  sqlite3_busy_timeout(db, 5000);
  return db;
}

// Prepares a statement kept for the connection's lifetime.
bool Prepare(sqlite3* db, const char* sql, sqlite3_stmt** stmt) {
  return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, nullptr) == SQLITE_OK;
}

void BindText(sqlite3_stmt* stmt, int i, const std::string& s) {
  sqlite3_bind_text(stmt, i, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
}

std::string ColumnText(sqlite3_stmt* stmt, int i) {
  return std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, i)),
                     static_cast<size_t>(sqlite3_column_bytes(stmt, i)));
}

Bytes ColumnBlob(sqlite3_stmt* stmt, int i) {
  const auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(stmt, i));
  return Bytes(data, data + sqlite3_column_bytes(stmt, i));
}

// Runs `sql`, which yields one integer (0 for no row or NULL).
std::optional<int64_t> QueryInt(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) return std::nullopt;
  const int rc = sqlite3_step(stmt);
  std::optional<int64_t> value;
  if (rc == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
  if (rc == SQLITE_DONE) value = 0;
  sqlite3_finalize(stmt);
  return value;
}

}  // namespace

void SqliteStorage::CloseConnection(Connection& c) {
  sqlite3_finalize(c.get);
  sqlite3_finalize(c.scan);
  sqlite3_finalize(c.keys);
  sqlite3_close(c.db);
  c = Connection{};
}

class SqliteStorage::Reader {
 public:
  explicit Reader(SqliteStorage& s) : s_(s), c_(s.AcquireReader()) {}
  ~Reader() {
    if (c_.db != nullptr) {
      sqlite3_reset(c_.get);
      sqlite3_reset(c_.scan);
      sqlite3_reset(c_.keys);
      s_.ReleaseReader(c_);
    }
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  sqlite3* db() const { return c_.db; }
  sqlite3_stmt* get() const { return c_.get; }
  sqlite3_stmt* scan() const { return c_.scan; }
  sqlite3_stmt* keys() const { return c_.keys; }

 private:
  SqliteStorage& s_;
  Connection c_;
};

// WAL: readers never wait for the writer. synchronous=FULL: in WAL mode,
// the WAL is fsync'd at every commit (NORMAL would skip that). Databases of
// tresor before revisions have records without them: theirs become 1.
Result<void> SqliteStorage::SetUp() {
  const auto failed = [&] { return SqlError(writer_, path_ + ": cannot set up database"); };
  if (!Exec(writer_, "PRAGMA journal_mode=WAL") || !Exec(writer_, "PRAGMA synchronous=FULL") ||
      !Exec(writer_, "PRAGMA wal_autocheckpoint=0") ||
      !Exec(writer_,
            "CREATE TABLE IF NOT EXISTS records (key TEXT PRIMARY KEY, value BLOB NOT NULL, "
            "rev INTEGER NOT NULL DEFAULT 1) WITHOUT ROWID") ||
      !Exec(writer_,
            "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) "
            "WITHOUT ROWID")) {
    return failed();
  }
  const auto has_rev =
      QueryInt(writer_, "SELECT COUNT(*) FROM pragma_table_info('records') WHERE name = 'rev'");
  if (!has_rev) return failed();
  if (*has_rev == 0 &&
      !Exec(writer_, "ALTER TABLE records ADD COLUMN rev INTEGER NOT NULL DEFAULT 1")) {
    return failed();
  }
  const auto stored = QueryInt(writer_, "SELECT value FROM meta WHERE name = 'revision'");
  const auto newest = QueryInt(writer_, "SELECT MAX(rev) FROM records");
  if (!stored || !newest) return failed();
  revision_ = durable_ = static_cast<uint64_t>(std::max(*stored, *newest));
  hub_.Start(revision_);
  if (!Prepare(writer_, "INSERT OR REPLACE INTO records (key, value, rev) VALUES (?1, ?2, ?3)",
               &put_) ||
      !Prepare(writer_, "DELETE FROM records WHERE key = ?1", &delete_) ||
      !Prepare(writer_, "INSERT OR REPLACE INTO meta (name, value) VALUES ('revision', ?1)",
               &put_revision_)) {
    return failed();
  }
  return {};
}

Result<std::unique_ptr<SqliteStorage>> SqliteStorage::Open(const std::string& path) {
  std::unique_ptr<SqliteStorage> s(new SqliteStorage());
  s->path_ = path;
  const std::string lock_path = path + ".lock";
  s->lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (s->lock_fd_ < 0) {
    return MakeError(ErrorCode::kIo, lock_path + ": " + std::strerror(errno));
  }
  if (::flock(s->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return MakeError(ErrorCode::kRefused, path + ": in use by another tresor server");
  }
  // Created 0600 here, so SQLite (which gives the WAL the database's mode)
  // never makes a readable file.
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return MakeError(ErrorCode::kIo, path + ": " + std::strerror(errno));
  ::close(fd);
  TRESOR_ASSIGN_OR_RETURN(s->writer_, OpenConnection(path));
  TRESOR_RETURN_IF_ERROR(s->SetUp());
  TRESOR_ASSIGN_OR_RETURN(s->checkpointer_db_, OpenConnection(path));
  // A connection learns the database is in WAL mode when it first reads
  // it; until then a checkpoint does nothing.
  if (!Exec(s->checkpointer_db_, "PRAGMA journal_mode=WAL")) {
    return SqlError(s->checkpointer_db_, path + ": cannot set up database");
  }
  sqlite3_wal_hook(s->writer_, &SqliteStorage::OnWalCommit, s.get());
  s->committer_ = std::thread([p = s.get()] { p->CommitLoop(); });
  s->checkpointer_ = std::thread([p = s.get()] { p->CheckpointLoop(); });
  return s;
}

Result<std::unique_ptr<SqliteStorage>> SqliteStorage::OpenForReading(const std::string& path) {
  if (::access(path.c_str(), R_OK) != 0) {
    return MakeError(errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                     path + ": " + std::strerror(errno));
  }
  std::unique_ptr<SqliteStorage> s(new SqliteStorage());
  s->path_ = path;
  s->read_only_ = true;
  return s;
}

SqliteStorage::~SqliteStorage() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (committer_.joinable()) committer_.join();
  {
    const std::lock_guard lock(checkpoint_mutex_);
    checkpoint_stopping_ = true;
  }
  checkpoint_wake_.notify_all();
  if (checkpointer_.joinable()) checkpointer_.join();
  if (checkpointer_db_ != nullptr) sqlite3_close(checkpointer_db_);
  for (Connection& c : readers_) CloseConnection(c);
  sqlite3_finalize(put_);
  sqlite3_finalize(delete_);
  sqlite3_finalize(put_revision_);
  if (writer_ != nullptr) sqlite3_close(writer_);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

SqliteStorage::Connection SqliteStorage::AcquireReader() {
  {
    const std::lock_guard lock(mutex_);
    if (!readers_.empty()) {
      Connection c = readers_.back();
      readers_.pop_back();
      return c;
    }
  }
  auto db = OpenConnection(path_, read_only_);
  if (!db) return Connection{};
  Connection c{*db, nullptr, nullptr, nullptr};
  if (!Prepare(c.db, "SELECT value, rev FROM records WHERE key = ?1", &c.get) ||
      !Prepare(c.db, "SELECT key, value, rev FROM records WHERE key >= ?1 AND key < ?2", &c.scan) ||
      !Prepare(c.db, "SELECT key FROM records WHERE key >= ?1 AND key < ?2", &c.keys)) {
    CloseConnection(c);
    return Connection{};
  }
  return c;
}

void SqliteStorage::ReleaseReader(Connection c) {
  const std::lock_guard lock(mutex_);
  readers_.push_back(c);
}

Result<std::optional<Record>> SqliteStorage::Read(const std::string& key) {
  {
    const std::lock_guard lock(mutex_);
    auto it = overlay_.find(key);
    if (it != overlay_.end()) {
      if (!it->second.value) return std::optional<Record>();
      return std::optional<Record>(Record{*it->second.value, it->second.revision});
    }
  }
  Reader reader(*this);
  if (reader.db() == nullptr) return MakeError(ErrorCode::kIo, path_ + ": cannot open database");
  sqlite3_stmt* stmt = reader.get();
  BindText(stmt, 1, key);
  const int rc = sqlite3_step(stmt);
  if (rc == SQLITE_DONE) return std::optional<Record>();
  if (rc != SQLITE_ROW) return SqlError(reader.db(), path_ + ": read failed");
  return std::optional<Record>(
      Record{ColumnBlob(stmt, 0), static_cast<uint64_t>(sqlite3_column_int64(stmt, 1))});
}

Result<std::vector<std::string>> SqliteStorage::List(const std::string& prefix,
                                                     const std::string& start_after, size_t limit) {
  std::vector<std::string> keys;
  TRESOR_RETURN_IF_ERROR(Walk(prefix, ListStart(prefix, start_after), true,
                              [&](const std::string& key, const Record&) {
                                if (key != start_after) keys.push_back(key);
                                return limit == 0 || keys.size() < limit;
                              }));
  return keys;
}

Result<void> SqliteStorage::Scan(
    const std::string& prefix,
    const std::function<bool(const std::string&, const Record&)>& visit) {
  return Walk(prefix, prefix, false, visit);
}

Result<void> SqliteStorage::Walk(
    const std::string& prefix, const std::string& from, bool keys_only,
    const std::function<bool(const std::string&, const Record&)>& visit) {
  const std::string end = PrefixEnd(prefix);
  std::map<std::string, Pending> overlay;  // a copy of the overlay's part in range
  {
    const std::lock_guard lock(mutex_);
    for (auto it = overlay_.lower_bound(from); it != overlay_.end() && it->first < end; ++it) {
      overlay.insert(*it);
    }
  }
  Reader reader(*this);
  if (reader.db() == nullptr) return MakeError(ErrorCode::kIo, path_ + ": cannot open database");
  sqlite3_stmt* stmt = keys_only ? reader.keys() : reader.scan();
  BindText(stmt, 1, from);
  BindText(stmt, 2, end);
  auto pending = overlay.begin();
  Record record;
  // Visits the overlay's entry, unless it is a deletion.
  auto visit_pending = [&] {
    const Pending& p = pending->second;
    const bool go_on =
        !p.value || visit(pending->first, keys_only ? Record{} : Record{*p.value, p.revision});
    ++pending;
    return go_on;
  };
  while (true) {
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return SqlError(reader.db(), path_ + ": read failed");
    const std::string key = ColumnText(stmt, 0);
    while (pending != overlay.end() && pending->first < key) {
      if (!visit_pending()) return {};
    }
    if (pending != overlay.end() && pending->first == key) {
      if (!visit_pending()) return {};
      continue;
    }
    if (!keys_only) {
      record.value = ColumnBlob(stmt, 1);
      record.revision = static_cast<uint64_t>(sqlite3_column_int64(stmt, 2));
    }
    if (!visit(key, record)) return {};
  }
  while (pending != overlay.end()) {
    if (!visit_pending()) return {};
  }
  return {};
}

Result<TxnResult> SqliteStorage::Transact(Txn txn) {
  if (read_only_) return MakeError(ErrorCode::kRefused, path_ + ": opened for reading only");
  // The store changes only here, one transaction at a time, so what the
  // checks read still holds when the revision is assigned below.
  const std::lock_guard txn_lock(txn_mutex_);
  uint64_t checked_at = 0;
  {
    const std::lock_guard lock(mutex_);
    checked_at = revision_;
  }
  for (size_t i = 0; i < txn.conditions.size(); ++i) {
    TRESOR_ASSIGN_OR_RETURN(auto record, Read(txn.conditions[i].key));
    if ((record ? record->revision : 0) != txn.conditions[i].revision) {
      return TxnResult{false, checked_at, i};
    }
  }
  // Deleting what is absent changes nothing (and takes no revision).
  for (auto it = txn.writes.begin(); it != txn.writes.end();) {
    bool absent = false;
    if (!it->value) {
      TRESOR_ASSIGN_OR_RETURN(auto record, Read(it->key));
      absent = !record.has_value();
    }
    it = absent ? txn.writes.erase(it) : it + 1;
  }
  uint64_t revision = 0;
  {
    const std::lock_guard lock(mutex_);
    if (failed_) return MakeError(ErrorCode::kIo, path_ + ": an earlier write failed");
    if (txn.writes.empty()) return TxnResult{true, revision_, 0};
    revision = ++revision_;
    ++submitted_;
    for (const Write& w : txn.writes) overlay_[w.key] = Pending{revision, w.value};
    queue_.push_back(Batch{revision, std::move(txn.writes)});
  }
  wake_.notify_one();
  return TxnResult{true, revision, 0};
}

void SqliteStorage::WhenDurable(uint64_t revision, std::function<void(bool)> done) {
  std::unique_lock lock(mutex_);
  if (revision <= durable_ || failed_) {
    const bool ok = revision <= durable_;
    lock.unlock();
    done(ok);
    return;
  }
  waiters_.emplace(revision, std::move(done));
}

bool SqliteStorage::IsDurable(uint64_t revision) {
  const std::lock_guard lock(mutex_);
  return revision <= durable_;
}

Result<uint64_t> SqliteStorage::Revision() {
  const std::lock_guard lock(mutex_);
  return revision_;
}

Result<std::unique_ptr<Watch>> SqliteStorage::WatchPrefix(
    const std::string& prefix, uint64_t after, std::function<void(const Change&)> on_change) {
  return hub_.Subscribe(prefix, after, std::move(on_change));
}

Result<void> SqliteStorage::Compact(uint64_t revision) {
  {
    const std::lock_guard lock(mutex_);
    if (revision > durable_) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "cannot compact to revision " + std::to_string(revision) +
                           ", beyond the durable " + std::to_string(durable_));
    }
  }
  hub_.Compact(revision);
  return {};
}

uint64_t SqliteStorage::submitted() const {
  const std::lock_guard lock(mutex_);
  return submitted_;
}

uint64_t SqliteStorage::transactions() const {
  const std::lock_guard lock(mutex_);
  return transactions_;
}

std::optional<std::string> SqliteStorage::CommitBatches(const std::vector<Batch>& batches) {
  if (!Exec(writer_, "BEGIN IMMEDIATE")) return std::string(sqlite3_errmsg(writer_));
  bool ok = true;
  for (const Batch& batch : batches) {
    for (const Write& w : batch.writes) {
      if (!ok) break;
      sqlite3_stmt* stmt = w.value ? put_ : delete_;
      sqlite3_reset(stmt);
      BindText(stmt, 1, w.key);
      if (w.value) {
        // An empty vector's data() may be null, which SQLite stores as NULL.
        static const uint8_t kEmpty = 0;
        sqlite3_bind_blob(stmt, 2, w.value->empty() ? &kEmpty : w.value->data(),
                          static_cast<int>(w.value->size()), SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 3, static_cast<int64_t>(batch.revision));
      }
      ok = sqlite3_step(stmt) == SQLITE_DONE;
    }
  }
  // The store's revision, which the last record written may not carry (a
  // deletion).
  if (ok) {
    sqlite3_reset(put_revision_);
    sqlite3_bind_int64(put_revision_, 1, static_cast<int64_t>(batches.back().revision));
    ok = sqlite3_step(put_revision_) == SQLITE_DONE;
  }
  if (ok && Exec(writer_, "COMMIT")) return std::nullopt;
  std::string reason = sqlite3_errmsg(writer_);
  Exec(writer_, "ROLLBACK");
  return reason;
}

// How long the WAL may grow before a checkpoint starts: SQLite's own
// default for automatic checkpoints.
constexpr int kCheckpointPages = 1000;

int SqliteStorage::OnWalCommit(void* self, sqlite3*, const char*, int pages) {
  auto* s = static_cast<SqliteStorage*>(self);
  if (pages >= kCheckpointPages) {
    {
      const std::lock_guard lock(s->checkpoint_mutex_);
      s->checkpoint_wanted_ = true;
    }
    s->checkpoint_wake_.notify_one();
  }
  return SQLITE_OK;
}

void SqliteStorage::CheckpointLoop() {
  while (true) {
    {
      std::unique_lock lock(checkpoint_mutex_);
      checkpoint_wake_.wait(lock, [&] { return checkpoint_stopping_ || checkpoint_wanted_; });
      if (checkpoint_stopping_) break;
      checkpoint_wanted_ = false;
    }
    sqlite3_wal_checkpoint_v2(checkpointer_db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                              nullptr);
  }
  // At shutdown, with the committer gone: fold the WAL in completely.
  sqlite3_wal_checkpoint_v2(checkpointer_db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr,
                            nullptr);
}

void SqliteStorage::CommitLoop() {
  while (true) {
    std::vector<Batch> batches;
    bool failed = false;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to commit
      batches.swap(queue_);
      failed = failed_;
    }
    // After a failure nothing more is written until Recover (storage.h).
    std::optional<std::string> reason =
        failed ? std::optional<std::string>("an earlier write failed") : CommitBatches(batches);
    const bool ok = !reason.has_value();
    const uint64_t last = batches.back().revision;
    if (ok) {
      for (const Batch& batch : batches) hub_.Publish(batch.revision, batch.writes);
    }
    std::vector<std::function<void(bool)>> done;
    std::function<void(const std::string&)> report;
    {
      const std::lock_guard lock(mutex_);
      ++transactions_;
      if (ok) {
        durable_ = last;
        for (const Batch& batch : batches) {
          for (const Write& w : batch.writes) {
            auto it = overlay_.find(w.key);
            if (it != overlay_.end() && it->second.revision <= last) overlay_.erase(it);
          }
        }
      } else if (!failed_) {
        // Everything not yet durable is dropped: these batches, those
        // queued behind them (built on what these wrote), and what reads
        // saw of them. Every waiter is told below.
        failed_ = true;
        failure_ = *reason;
        queue_.clear();
        overlay_.clear();
        revision_ = durable_;
        report = on_failure_;
      }
      auto end = ok ? waiters_.upper_bound(last) : waiters_.end();
      for (auto it = waiters_.begin(); it != end; ++it) done.push_back(std::move(it->second));
      waiters_.erase(waiters_.begin(), end);
    }
    for (auto& d : done) d(ok);
    if (report) report(*reason);
  }
}

std::optional<std::string> SqliteStorage::Failure() {
  const std::lock_guard lock(mutex_);
  if (!failed_) return std::nullopt;
  return failure_;
}

void SqliteStorage::SetFailureHandler(std::function<void(const std::string&)> on_failure) {
  const std::lock_guard lock(mutex_);
  on_failure_ = std::move(on_failure);
}

Result<void> SqliteStorage::Recover() {
  // A full disk is the usual cause: wait until there is room for a few
  // pages and the WAL's growth. Other faults show at the next commit.
  struct statvfs fs {};
  const size_t slash = path_.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path_.substr(0, slash + 1);
  if (::statvfs(dir.c_str(), &fs) == 0 &&
      static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize < (uint64_t{1} << 20)) {
    return MakeError(ErrorCode::kIo, path_ + ": still less than 1 MiB free");
  }
  const std::lock_guard lock(mutex_);
  failed_ = false;
  failure_.clear();
  return {};
}

}  // namespace tresor::store
