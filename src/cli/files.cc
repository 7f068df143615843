#include "cli/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <span>

#include "crypto/random.h"

namespace tresor::cli {
namespace {

Error IoError(const std::string& path, const std::string& what) {
  return MakeError(ErrorCode::kIo, path + ": " + what + ": " + std::strerror(errno));
}

// The temporary file to remove if a signal ends the process. The CLI writes
// one output at a time, so one slot is enough.
char g_pending_temp[4096];
std::atomic<bool> g_pending_set{false};

extern "C" void RemovePendingTemp(int sig) {
  if (g_pending_set.load()) ::unlink(g_pending_temp);  // async-signal-safe
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void SetPendingTemp(const std::string& path) {
  if (path.size() >= sizeof g_pending_temp) return;
  std::memcpy(g_pending_temp, path.c_str(), path.size() + 1);
  g_pending_set.store(true);
  static const bool installed = [] {
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::signal(sig, RemovePendingTemp);
    return true;
  }();
  (void)installed;
}

void ClearPendingTemp() { g_pending_set.store(false); }

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Reads `path` to its end, at most `max_size` bytes, into a buffer that
// `resize(size, kept)` grows (keeping its first `kept` bytes) and returns.
// Regular files are sized once from fstat (one byte more, to see the end);
// anything else starts at 4 KiB and doubles. Returns the byte count.
Result<size_t> ReadToEnd(const std::string& path, size_t max_size,
                         const std::function<std::span<uint8_t>(size_t, size_t)>& resize) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError(path, "cannot open");
  struct stat st {};
  size_t initial = 4096;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) initial = static_cast<size_t>(st.st_size) + 1;
  std::span<uint8_t> buf = resize(std::min(max_size + 1, initial), 0);
  size_t n = 0;
  while (true) {
    if (n == buf.size()) {
      if (n > max_size) break;
      buf = resize(std::min(2 * buf.size(), max_size + 1), n);
    }
    const ssize_t got = ::read(fd, buf.data() + n, buf.size() - n);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      auto error = IoError(path, "read failed");
      ::close(fd);
      return error;
    }
    if (got == 0) break;
    n += static_cast<size_t>(got);
  }
  ::close(fd);
  if (n > max_size) {
    return MakeError(ErrorCode::kInvalidArgument,
                     path + ": file is larger than " + std::to_string(max_size) + " bytes");
  }
  return n;
}

}  // namespace

Result<std::string> ReadTextFile(const std::string& path, size_t max_size) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return MakeError(ErrorCode::kIo, path + ": is a directory");
  }
  std::string text;
  TRESOR_ASSIGN_OR_RETURN(size_t n, ReadToEnd(path, max_size, [&](size_t size, size_t) {
                            text.resize(size);
                            return std::span(reinterpret_cast<uint8_t*>(text.data()), size);
                          }));
  text.resize(n);
  return text;
}

Input::Input(int fd, bool owned, std::string name)
    : fd_(fd),
      owned_(owned),
      name_(std::move(name)),
      source_(std::make_unique<age::FdSource>(fd, name_)) {}

Input::Input(Input&& other) noexcept
    : fd_(other.fd_),
      owned_(other.owned_),
      name_(std::move(other.name_)),
      source_(std::move(other.source_)) {
  other.owned_ = false;
}

Input::~Input() {
  if (owned_) ::close(fd_);
}

Result<Input> Input::Open(const std::string& path) {
  if (path.empty() || path == "-") return Input(STDIN_FILENO, false, "stdin");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError(path, "cannot open");
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return MakeError(ErrorCode::kIo, path + ": is a directory");
  }
  return Input(fd, true, path);
}

AtomicOutput::AtomicOutput(std::string path, std::string temp_path, int fd, bool no_clobber)
    : path_(std::move(path)), temp_path_(std::move(temp_path)), fd_(fd), no_clobber_(no_clobber) {}

Result<std::unique_ptr<AtomicOutput>> AtomicOutput::Create(const std::string& requested,
                                                           unsigned mode, bool no_clobber) {
  std::string path = requested;
  struct stat existing {};
  const bool exists = ::stat(path.c_str(), &existing) == 0;
  if (exists) {
    if (no_clobber)
      return MakeError(ErrorCode::kRefused, path + ": already exists; not overwriting");
    if (S_ISDIR(existing.st_mode)) return MakeError(ErrorCode::kIo, path + ": is a directory");
    if (!S_ISREG(existing.st_mode)) {
      // A device, FIFO or socket (-o /dev/stdout, a named pipe) is written in
      // place: renaming a file over it would replace the device node.
      const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0) return IoError(path, "cannot open");
      return std::unique_ptr<AtomicOutput>(new AtomicOutput(path, "", fd, false));
    }
    // Through a symlink, the file it points to is replaced, not the link.
    char* resolved = ::realpath(path.c_str(), nullptr);
    if (resolved != nullptr) {
      path = resolved;
      std::free(resolved);
    }
    mode = existing.st_mode & 07777;  // keep the target's permissions
  }
  std::array<uint8_t, 6> rnd{};
  crypto::FillRandom(rnd);
  std::string suffix;
  for (uint8_t b : rnd) suffix += "0123456789abcdef"[b & 15];
  const std::string base =
      path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  const std::string temp = DirectoryOf(path) + "/." + base + ".tresor-" + suffix + ".tmp";
  // Created 0600 and only widened at commit, so nothing is readable early.
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return IoError(DirectoryOf(path), "cannot create a file");
  SetPendingTemp(temp);
  auto out = std::unique_ptr<AtomicOutput>(new AtomicOutput(path, temp, fd, no_clobber));
  if (exists && (existing.st_uid != ::geteuid() || existing.st_gid != ::getegid())) {
    // Keep the owner when root rewrites someone else's file; a plain user
    // cannot give files away, and then the new file is theirs.
    (void)!::fchown(fd, existing.st_uid, existing.st_gid);
  }
  if (::fchmod(fd, mode) != 0) return IoError(path, "cannot set permissions");
  return out;
}

AtomicOutput::~AtomicOutput() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_ && !temp_path_.empty()) {
    ::unlink(temp_path_.c_str());
    ClearPendingTemp();
  }
}

Result<void> AtomicOutput::Write(std::span<const uint8_t> data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError(path_, "write failed");
    }
    data = data.subspan(static_cast<size_t>(n));
  }
  return {};
}

Result<void> AtomicOutput::Commit() {
  if (temp_path_.empty()) {  // written in place
    const int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) return IoError(path_, "close failed");
    committed_ = true;
    return {};
  }
  if (::fsync(fd_) != 0) return IoError(path_, "fsync failed");
  if (::close(fd_) != 0) {
    fd_ = -1;
    return IoError(path_, "close failed");
  }
  fd_ = -1;
  if (no_clobber_) {
    // link(2) fails if the target exists, so a racing file is never replaced.
    if (::link(temp_path_.c_str(), path_.c_str()) != 0) {
      if (errno == EEXIST)
        return MakeError(ErrorCode::kRefused, path_ + ": already exists; not overwriting");
      return IoError(path_, "cannot create");
    }
    ::unlink(temp_path_.c_str());
  } else if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    return IoError(path_, "cannot replace");
  }
  committed_ = true;
  ClearPendingTemp();
  return {};
}

}  // namespace tresor::cli
