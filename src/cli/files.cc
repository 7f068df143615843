#include "cli/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <span>

#include "cli/progress.h"
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

Result<void> RefuseIfOthersCanChange(const std::string& path, const std::string& what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return MakeError(
        ErrorCode::kRefused,
        path + ": " + what + " is writable by group or others (mode " + mode + "); chmod go-w it");
  }
  if (st.st_uid != 0 && st.st_uid != ::geteuid()) {
    return MakeError(ErrorCode::kRefused, path + ": " + what + " is owned by uid " +
                                              std::to_string(st.st_uid) +
                                              ", neither root nor the user this runs as (uid " +
                                              std::to_string(::geteuid()) + "); chown it");
  }
  return {};
}

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
      source_(std::move(other.source_)),
      progress_(std::move(other.progress_)) {
  other.owned_ = false;
}

void Input::ShowProgress(const std::string& verb) {
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode) ||
      static_cast<uint64_t>(st.st_size) < kProgressMinBytes) {
    return;
  }
  progress_ = std::make_unique<ProgressSource>(*source_, verb + " " + name_,
                                               static_cast<uint64_t>(st.st_size));
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

namespace {

bool g_follow_symlinks = false;

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string OctalMode(unsigned mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", mode & 07777);
  return text;
}

}  // namespace

void SetFollowSymlinks(bool follow) { g_follow_symlinks = follow; }

namespace {

Error SymlinkRefusal(const std::string& path) {
  return MakeError(ErrorCode::kRefused,
                   path +
                       ": is a symlink; not writing through it (--follow-symlinks to replace "
                       "the file it points to)");
}

}  // namespace

Result<void> RefuseSymlinkTarget(const std::string& path) {
  struct stat st {};
  if (!g_follow_symlinks && ::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    return SymlinkRefusal(path);
  }
  return {};
}

AtomicOutput::AtomicOutput(std::string path, int dir_fd, std::string name, std::string temp_name,
                           int fd, bool no_clobber)
    : path_(std::move(path)),
      dir_fd_(dir_fd),
      name_(std::move(name)),
      temp_name_(std::move(temp_name)),
      fd_(fd),
      no_clobber_(no_clobber) {}

Result<std::unique_ptr<AtomicOutput>> AtomicOutput::Create(const std::string& requested,
                                                           const OutputPolicy& policy) {
  std::string path = requested;
  if (path.empty() || path.back() == '/')
    return MakeError(ErrorCode::kIo, path + ": is a directory");
  int dir_fd = ::open(DirectoryOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return IoError(DirectoryOf(path), "cannot open the directory");
  auto close_dir = [&dir_fd] {
    if (dir_fd >= 0) ::close(dir_fd);
    dir_fd = -1;
  };
  std::string name = BaseName(path);
  struct stat existing {};
  bool exists = ::fstatat(dir_fd, name.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0;
  if (exists && S_ISLNK(existing.st_mode)) {
    if (!g_follow_symlinks) {
      close_dir();
      return SymlinkRefusal(path);
    }
    // Resolved once; from here on only the resolved directory is used.
    char* resolved = ::realpath(path.c_str(), nullptr);
    if (resolved == nullptr) {
      close_dir();
      return IoError(path, "cannot resolve the symlink");
    }
    path = resolved;
    std::free(resolved);
    close_dir();
    dir_fd = ::open(DirectoryOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) return IoError(DirectoryOf(path), "cannot open the directory");
    name = BaseName(path);
    exists = ::fstatat(dir_fd, name.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0;
    if (exists && S_ISLNK(existing.st_mode)) {  // changed under us
      close_dir();
      return MakeError(ErrorCode::kRefused, path + ": is a symlink; not writing through it");
    }
  }
  unsigned mode = policy.mode;
  if (exists) {
    if (policy.no_clobber) {
      close_dir();
      return MakeError(ErrorCode::kRefused, path + ": already exists; not overwriting");
    }
    if (S_ISDIR(existing.st_mode)) {
      close_dir();
      return MakeError(ErrorCode::kIo, path + ": is a directory");
    }
    if (!S_ISREG(existing.st_mode)) {
      // A device, FIFO or socket (-o /dev/stdout, a named pipe) is written in
      // place: renaming a file over it would replace the device node.
      const int fd = ::openat(dir_fd, name.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
      close_dir();
      if (fd < 0) return IoError(path, "cannot open");
      return std::unique_ptr<AtomicOutput>(new AtomicOutput(path, -1, name, "", fd, false));
    }
    const unsigned had = existing.st_mode & 07777;
    if (!policy.plaintext) {
      mode = had;  // keep the target's permissions
    } else if ((had & ~mode) != 0) {
      std::fprintf(stderr,
                   "tresor: warning: %s was mode %s; the plaintext is written %s (--mode %s to "
                   "keep the old mode)\n",
                   path.c_str(), OctalMode(had).c_str(), OctalMode(mode).c_str(),
                   OctalMode(had).c_str());
    }
  }
  std::array<uint8_t, 6> rnd{};
  crypto::FillRandom(rnd);
  std::string suffix;
  for (uint8_t b : rnd) suffix += "0123456789abcdef"[b & 15];
  const std::string temp_name = "." + name + ".tresor-" + suffix + ".tmp";
  // Created 0600 and only widened at commit, so nothing is readable early.
  const int fd = ::openat(dir_fd, temp_name.c_str(),
                          O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    close_dir();
    return IoError(DirectoryOf(path), "cannot create a file");
  }
  SetPendingTemp(DirectoryOf(path) + "/" + temp_name);
  auto out = std::unique_ptr<AtomicOutput>(
      new AtomicOutput(path, dir_fd, name, temp_name, fd, policy.no_clobber));
  dir_fd = -1;  // the output owns it now
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
  if (!committed_ && !temp_name_.empty()) {
    ::unlinkat(dir_fd_, temp_name_.c_str(), 0);
    ClearPendingTemp();
  }
  if (dir_fd_ >= 0) ::close(dir_fd_);
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
  if (temp_name_.empty()) {  // written in place
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
    // linkat(2) fails if the target exists, so a racing file is never replaced.
    if (::linkat(dir_fd_, temp_name_.c_str(), dir_fd_, name_.c_str(), 0) != 0) {
      if (errno == EEXIST)
        return MakeError(ErrorCode::kRefused, path_ + ": already exists; not overwriting");
      return IoError(path_, "cannot create");
    }
    ::unlinkat(dir_fd_, temp_name_.c_str(), 0);
  } else if (::renameat(dir_fd_, temp_name_.c_str(), dir_fd_, name_.c_str()) != 0) {
    return IoError(path_, "cannot replace");
  }
  // The rename is durable once the directory is.
  (void)::fsync(dir_fd_);
  committed_ = true;
  ClearPendingTemp();
  return {};
}

}  // namespace tresor::cli
