#include "server/snapshots.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "age/encrypt.h"
#include "age/x25519.h"
#include "audit/log.h"
#include "server/times.h"

namespace tresor::server {
namespace {

// Writes all of `data` to a socket, without SIGPIPE if the reader is gone.
Result<void> SendAll(int fd, std::span<const uint8_t> data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return MakeError(ErrorCode::kIo, std::string("snapshot stream: ") + std::strerror(errno));
    }
    data = data.subspan(static_cast<size_t>(n));
  }
  return {};
}

constexpr char kPrefix[] = "tresor-";
constexpr char kSuffix[] = ".age";
constexpr size_t kStampSize = 16;  // YYYYMMDDTHHMMSSZ

std::string Stamp(std::chrono::system_clock::time_point at) {
  const std::time_t t = std::chrono::system_clock::to_time_t(at);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char out[kStampSize + 1];
  std::strftime(out, sizeof out, "%Y%m%dT%H%M%SZ", &tm);
  return out;
}

// The time in a snapshot's name; nullopt if the name is not one.
std::optional<std::chrono::system_clock::time_point> StampOf(const std::string& name) {
  const size_t prefix = sizeof kPrefix - 1, suffix = sizeof kSuffix - 1;
  if (name.size() != prefix + kStampSize + suffix || !name.starts_with(kPrefix) ||
      !name.ends_with(kSuffix)) {
    return std::nullopt;
  }
  std::tm tm{};
  const std::string stamp = name.substr(prefix, kStampSize);
  const char* end = ::strptime(stamp.c_str(), "%Y%m%dT%H%M%SZ", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return std::chrono::system_clock::from_time_t(::timegm(&tm));
}

// The snapshots in `dir`, oldest first.
std::vector<std::string> Snapshots(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return names;
  while (const dirent* e = ::readdir(d)) {
    if (StampOf(e->d_name)) names.emplace_back(e->d_name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

Result<store::SnapshotSummary> WriteEncryptedSnapshot(
    store::Storage& storage, std::span<const age::Recipient* const> recipients, age::Sink& out,
    const std::function<void(uint64_t)>& progress) {
  int ends[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) {
    return MakeError(ErrorCode::kIo, std::string("socketpair: ") + std::strerror(errno));
  }
  Result<store::SnapshotSummary> written = MakeError(ErrorCode::kIo, "not read");
  std::thread reader([&] {
    written = store::WriteSnapshot(
        storage, [&](std::span<const uint8_t> data) { return SendAll(ends[0], data); }, progress);
    ::close(ends[0]);  // the end of the stream
  });
  age::FdSource source(ends[1], "the store");
  auto encrypted = age::Encrypt(recipients, source, out);
  ::close(ends[1]);  // a reader still sending gets EPIPE
  reader.join();
  if (!written) return std::move(written).error();
  if (!encrypted) return std::move(encrypted).error();
  return written;
}

Result<std::unique_ptr<SnapshotScheduler>> SnapshotScheduler::Create(
    SnapshotSchedule schedule, std::shared_ptr<store::Storage> storage, Log log,
    std::shared_ptr<audit::AuditLog> audit, Clock now) {
  std::unique_ptr<SnapshotScheduler> s(new SnapshotScheduler());
  if (schedule.dir.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "snapshots.dir is required");
  }
  if (schedule.recipients.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "snapshots.recipients: at least one is needed");
  }
  for (const std::string& text : schedule.recipients) {
    auto parsed = age::X25519Recipient::Parse(text);
    if (!parsed) return WithPlace("snapshots.recipients", std::move(parsed).error());
    s->recipients_.push_back(std::make_unique<age::X25519Recipient>(std::move(*parsed)));
  }
  s->now_ = now ? std::move(now) : [] { return std::chrono::system_clock::now(); };
  // The schedule goes on from the newest snapshot there, across restarts.
  const auto existing = Snapshots(schedule.dir);
  s->due_ = existing.empty() ? s->now_() : *StampOf(existing.back()) + schedule.interval;
  // What a run killed before its rename left.
  if (DIR* d = ::opendir(schedule.dir.c_str())) {
    while (const dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name.starts_with(".tresor-") && name.ends_with(".age.tmp")) {
        ::unlink((schedule.dir + "/" + name).c_str());
      }
    }
    ::closedir(d);
  }
  s->schedule_ = std::move(schedule);
  s->storage_ = std::move(storage);
  s->log_ = std::move(log);
  s->audit_ = std::move(audit);
  return s;
}

SnapshotScheduler::~SnapshotScheduler() {
  if (worker_.joinable()) worker_.join();
}

void SnapshotScheduler::Tick(bool leading) {
  const auto now = now_();
  const std::lock_guard lock(mutex_);
  if (!leading || running_ || now < due_) return;
  if (worker_.joinable()) worker_.join();  // finished: running_ is false
  running_ = true;
  due_ = now + schedule_.interval;
  worker_ = std::thread([this, now] { Run(now); });
}

SnapshotScheduler::Stats SnapshotScheduler::stats() const {
  const std::lock_guard lock(mutex_);
  return stats_;
}

Result<store::SnapshotSummary> SnapshotScheduler::WriteFile(const std::string& name) {
  const std::string temp = schedule_.dir + "/." + name + ".tmp";
  const std::string path = schedule_.dir + "/" + name;
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return MakeError(ErrorCode::kIo, temp + ": " + std::strerror(errno));
  age::FdSink sink(fd, temp);
  std::vector<const age::Recipient*> view;
  for (const auto& r : recipients_) view.push_back(r.get());
  auto written = WriteEncryptedSnapshot(*storage_, view, sink);
  Result<void> flushed = written ? Result<void>() : Result<void>(written.error());
  if (written && ::fsync(fd) != 0) {
    flushed = MakeError(ErrorCode::kIo, temp + ": " + std::strerror(errno));
  }
  ::close(fd);
  if (flushed && ::rename(temp.c_str(), path.c_str()) != 0) {
    flushed = MakeError(ErrorCode::kIo, path + ": " + std::strerror(errno));
  }
  if (!flushed) {
    ::unlink(temp.c_str());
    return std::move(flushed).error();
  }
  const int dir = ::open(schedule_.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return written;
}

void SnapshotScheduler::Prune() {
  auto names = Snapshots(schedule_.dir);
  if (names.size() <= schedule_.keep) return;
  names.resize(names.size() - schedule_.keep);  // the oldest
  for (const std::string& name : names) ::unlink((schedule_.dir + "/" + name).c_str());
}

void SnapshotScheduler::Run(std::chrono::system_clock::time_point at) {
  const std::string name = std::string(kPrefix) + Stamp(at) + kSuffix;
  const auto written = WriteFile(name);
  Json entry{{"type", "snapshot"}, {"time", Rfc3339(at)}, {"file", schedule_.dir + "/" + name}};
  if (written) {
    Prune();
    entry["records"] = written->records;
    entry["bytes"] = written->bytes;
    entry["sha256"] = written->sha256;
    if (log_) log_("info", "snapshot written", entry);
  } else {
    entry["error"] = written.error().message;
    if (log_) log_("error", "snapshot failed", entry);
  }
  if (audit_) (void)audit_->Append(entry);
  const std::lock_guard lock(mutex_);
  ++stats_.runs;
  if (written) {
    stats_.last_success = std::chrono::duration<double>(now_().time_since_epoch()).count();
  } else {
    ++stats_.failures;
  }
  running_ = false;
}

}  // namespace tresor::server
