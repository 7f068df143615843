#include "store/sqlite_storage.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tresor::store {
namespace {

Error SqlError(sqlite3* db, const std::string& what) {
  return Error{ErrorCode::kIo, what + ": " + (db ? sqlite3_errmsg(db) : "out of memory")};
}

bool Exec(sqlite3* db, const char* sql) {
  return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
}

Result<sqlite3*> OpenConnection(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
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

// The first key after every key that starts with `prefix`: keys are UTF-8,
// which never contains the byte 0xff.
std::string PrefixEnd(const std::string& prefix) { return prefix + '\xff'; }

}  // namespace

void SqliteStorage::CloseConnection(Connection& c) {
  sqlite3_finalize(c.get);
  sqlite3_finalize(c.scan);
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
      s_.ReleaseReader(c_);
    }
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  sqlite3* db() const { return c_.db; }
  sqlite3_stmt* get() const { return c_.get; }
  sqlite3_stmt* scan() const { return c_.scan; }

 private:
  SqliteStorage& s_;
  Connection c_;
};

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
  // WAL: readers never wait for the writer. synchronous=FULL: in WAL mode,
  // the WAL is fsync'd at every commit (NORMAL would skip that).
  if (!Exec(s->writer_, "PRAGMA journal_mode=WAL") ||
      !Exec(s->writer_, "PRAGMA synchronous=FULL") ||
      !Exec(s->writer_, "PRAGMA wal_autocheckpoint=0") ||
      !Exec(s->writer_,
            "CREATE TABLE IF NOT EXISTS records (key TEXT PRIMARY KEY, value BLOB NOT NULL) "
            "WITHOUT ROWID")) {
    return SqlError(s->writer_, path + ": cannot set up database");
  }
  if (!Prepare(s->writer_, "INSERT OR REPLACE INTO records (key, value) VALUES (?1, ?2)",
               &s->put_) ||
      !Prepare(s->writer_, "DELETE FROM records WHERE key = ?1", &s->delete_)) {
    return SqlError(s->writer_, path + ": cannot set up database");
  }
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
  auto db = OpenConnection(path_);
  if (!db) return Connection{};
  Connection c{*db, nullptr, nullptr};
  if (!Prepare(c.db, "SELECT value FROM records WHERE key = ?1", &c.get) ||
      !Prepare(c.db, "SELECT key, value FROM records WHERE key >= ?1 AND key < ?2", &c.scan)) {
    CloseConnection(c);
    return Connection{};
  }
  return c;
}

void SqliteStorage::ReleaseReader(Connection c) {
  const std::lock_guard lock(mutex_);
  readers_.push_back(c);
}

Result<std::optional<Bytes>> SqliteStorage::Get(const std::string& key) {
  {
    const std::lock_guard lock(mutex_);
    auto it = overlay_.find(key);
    if (it != overlay_.end()) return it->second.value;
  }
  Reader reader(*this);
  if (reader.db() == nullptr) return MakeError(ErrorCode::kIo, path_ + ": cannot open database");
  sqlite3_stmt* stmt = reader.get();
  BindText(stmt, 1, key);
  const int rc = sqlite3_step(stmt);
  if (rc == SQLITE_DONE) return std::optional<Bytes>();
  if (rc != SQLITE_ROW) return SqlError(reader.db(), path_ + ": read failed");
  const auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(stmt, 0));
  const int size = sqlite3_column_bytes(stmt, 0);
  return std::optional<Bytes>(Bytes(data, data + size));
}

Result<std::vector<std::string>> SqliteStorage::Keys(const std::string& prefix) {
  std::vector<std::string> keys;
  TRESOR_RETURN_IF_ERROR(Scan(prefix, [&](const std::string& key, const Bytes&) {
    keys.push_back(key);
    return true;
  }));
  return keys;
}

Result<void> SqliteStorage::Scan(
    const std::string& prefix, const std::function<bool(const std::string&, const Bytes&)>& visit) {
  // The committed records, then the overlay's changes on top of them.
  std::map<std::string, Pending> overlay;
  {
    const std::lock_guard lock(mutex_);
    for (auto it = overlay_.lower_bound(prefix);
         it != overlay_.end() && it->first.starts_with(prefix); ++it) {
      overlay.insert(*it);
    }
  }
  Reader reader(*this);
  if (reader.db() == nullptr) return MakeError(ErrorCode::kIo, path_ + ": cannot open database");
  sqlite3_stmt* stmt = reader.scan();
  const std::string end = PrefixEnd(prefix);
  BindText(stmt, 1, prefix);
  BindText(stmt, 2, end);
  auto pending = overlay.begin();
  // Visits overlay entries before `key` ("" at the end: all of them).
  auto visit_overlay_before = [&](const std::string* key) {
    for (; pending != overlay.end() && (key == nullptr || pending->first < *key); ++pending) {
      if (pending->second.value && !visit(pending->first, *pending->second.value)) return false;
    }
    return true;
  };
  while (true) {
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return SqlError(reader.db(), path_ + ": read failed");
    const std::string key(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)),
                          static_cast<size_t>(sqlite3_column_bytes(stmt, 0)));
    if (!visit_overlay_before(&key)) return {};
    if (pending != overlay.end() && pending->first == key) {
      const bool go_on = !pending->second.value || visit(key, *pending->second.value);
      ++pending;
      if (!go_on) return {};
      continue;
    }
    const auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(stmt, 1));
    const int size = sqlite3_column_bytes(stmt, 1);
    if (!visit(key, Bytes(data, data + size))) return {};
  }
  visit_overlay_before(nullptr);
  return {};
}

Result<uint64_t> SqliteStorage::Submit(std::vector<Write> writes) {
  uint64_t seq = 0;
  {
    const std::lock_guard lock(mutex_);
    if (failed_) return MakeError(ErrorCode::kIo, path_ + ": an earlier write failed");
    seq = ++submitted_;
    for (const Write& w : writes) overlay_[w.key] = Pending{seq, w.value};
    queue_.push_back(Batch{seq, std::move(writes)});
  }
  wake_.notify_one();
  return seq;
}

void SqliteStorage::WhenDurable(uint64_t seq, std::function<void(bool)> done) {
  std::unique_lock lock(mutex_);
  if (seq <= durable_ || failed_) {
    const bool ok = seq <= durable_;
    lock.unlock();
    done(ok);
    return;
  }
  waiters_.emplace(seq, std::move(done));
}

bool SqliteStorage::IsDurable(uint64_t seq) {
  const std::lock_guard lock(mutex_);
  return seq <= durable_;
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
        sqlite3_bind_blob(stmt, 2, w.value->data(), static_cast<int>(w.value->size()),
                          SQLITE_STATIC);
      }
      ok = sqlite3_step(stmt) == SQLITE_DONE;
    }
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
    const uint64_t last = batches.back().seq;
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
            if (it != overlay_.end() && it->second.seq <= last) overlay_.erase(it);
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
