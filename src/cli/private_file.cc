#include "cli/private_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>

#include "age/io.h"
#include "crypto/kdf.h"

namespace tresor::cli {
namespace {

bool IsTmpfs(const char* dir) {
  struct statfs fs {};
  return dir != nullptr && ::statfs(dir, &fs) == 0 &&
         static_cast<unsigned long>(fs.f_type) == TMPFS_MAGIC;
}

constexpr int kCaughtSignals[] = {SIGHUP,  SIGINT,  SIGQUIT, SIGTERM, SIGPIPE,   SIGALRM,
                                  SIGUSR1, SIGUSR2, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF};

// The scratch files to remove if a signal ends the process (the merge
// driver holds three at once), as fixed buffers the handler can read
// without allocating.
struct ScratchSlot {
  char dir[4096];
  char file[4096];
  volatile std::sig_atomic_t used;
};
ScratchSlot g_slots[4];
int g_slots_used = 0;  // changed with the signals' handlers, outside them
struct sigaction g_previous[std::size(kCaughtSignals)];

// Only async-signal-safe calls: on a tmpfs, truncating frees the pages that
// held the plaintext.
extern "C" void RemoveScratchOnSignal(int sig) {
  for (ScratchSlot& slot : g_slots) {
    if (!slot.used) continue;
    const int fd = ::open(slot.file, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
      (void)!::ftruncate(fd, 0);
      ::close(fd);
    }
    ::unlink(slot.file);
    ::rmdir(slot.dir);
    slot.used = 0;
  }
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

// The slot that now guards `file`, or -1 (then only the next Create's
// sweep of leftovers removes it after a signal).
int GuardScratch(const std::string& dir, const std::string& file) {
  if (dir.size() >= sizeof g_slots[0].dir || file.size() >= sizeof g_slots[0].file) return -1;
  for (int i = 0; i < static_cast<int>(std::size(g_slots)); ++i) {
    ScratchSlot& slot = g_slots[i];
    if (slot.used) continue;
    std::memcpy(slot.dir, dir.c_str(), dir.size() + 1);
    std::memcpy(slot.file, file.c_str(), file.size() + 1);
    slot.used = 1;
    if (g_slots_used++ == 0) {
      struct sigaction action {};
      action.sa_handler = RemoveScratchOnSignal;
      sigemptyset(&action.sa_mask);
      for (size_t k = 0; k < std::size(kCaughtSignals); ++k) {
        ::sigaction(kCaughtSignals[k], &action, &g_previous[k]);
      }
    }
    return i;
  }
  return -1;
}

void UnguardScratch(int index) {
  if (index < 0) return;
  g_slots[index].used = 0;
  if (--g_slots_used == 0) {
    for (size_t k = 0; k < std::size(kCaughtSignals); ++k) {
      ::sigaction(kCaughtSignals[k], &g_previous[k], nullptr);
    }
  }
}

// Overwrites and removes every file in `dir`, then `dir`.
void Wipe(const std::string& dir) {
  if (DIR* d = ::opendir(dir.c_str())) {
    while (const dirent* entry = ::readdir(d)) {
      const std::string name = entry->d_name;
      if (name == "." || name == "..") continue;
      const int fd = ::openat(::dirfd(d), name.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
      struct stat st {};
      if (fd >= 0 && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        const std::string zeros(static_cast<size_t>(st.st_size), '\0');
        (void)!::write(fd, zeros.data(), zeros.size());
      }
      if (fd >= 0) ::close(fd);
      ::unlinkat(::dirfd(d), name.c_str(), 0);
    }
    ::closedir(d);
  }
  ::rmdir(dir.c_str());
}

constexpr std::string_view kScratchPrefix = "tresor-edit-";

}  // namespace

std::vector<std::string> PrivateFile::RemoveLeftovers(const std::string& base) {
  std::vector<std::string> removed;
  DIR* d = ::opendir(base.c_str());
  if (d == nullptr) return removed;
  while (const dirent* entry = ::readdir(d)) {
    const std::string_view name = entry->d_name;
    if (!name.starts_with(kScratchPrefix)) continue;
    // tresor-edit-PID-XXXXXX: older names without a pid are left alone.
    const std::string_view rest = name.substr(kScratchPrefix.size());
    const size_t dash = rest.find('-');
    if (dash == std::string_view::npos || dash == 0 || dash > 10) continue;
    long pid = 0;
    bool digits = true;
    for (char c : rest.substr(0, dash)) {
      digits = digits && c >= '0' && c <= '9';
      pid = pid * 10 + (c - '0');
    }
    if (!digits || pid <= 0) continue;
    struct stat st {};
    if (::fstatat(::dirfd(d), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
        !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid()) {
      continue;
    }
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // still running
    const std::string dir = base + "/" + std::string(name);
    Wipe(dir);
    removed.push_back(dir);
  }
  ::closedir(d);
  return removed;
}

Result<PrivateFile> PrivateFile::Create(const std::string& name, std::string_view content) {
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  const char* base = IsTmpfs("/dev/shm") ? "/dev/shm" : IsTmpfs(runtime) ? runtime : nullptr;
  if (base == nullptr) {
    return MakeError(ErrorCode::kRefused,
                     "no tmpfs for the plaintext (/dev/shm or $XDG_RUNTIME_DIR); refusing to "
                     "put it on a persistent disk");
  }
  for (const std::string& left : RemoveLeftovers(base)) {
    std::fprintf(stderr, "tresor: wiped %s, left by an editor session that was killed\n",
                 left.c_str());
  }
  std::string dir = std::string(base) + "/" + std::string(kScratchPrefix) +
                    std::to_string(::getpid()) + "-XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) {
    return MakeError(ErrorCode::kIo, std::string(base) + ": cannot create a private directory: " +
                                         std::strerror(errno));
  }
  PrivateFile file(dir, dir + "/" + name);
  file.slot_ = GuardScratch(file.dir_, file.path_);
  const int fd = ::open(file.path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return MakeError(ErrorCode::kIo, file.path_ + ": " + std::strerror(errno));
  age::FdSink sink(fd, file.path_);
  auto written = sink.Write(crypto::AsBytes(content));
  ::close(fd);
  if (!written) return std::move(written).error();
  return file;
}

PrivateFile::PrivateFile(PrivateFile&& other) noexcept
    : dir_(std::move(other.dir_)), path_(std::move(other.path_)), slot_(other.slot_) {
  other.dir_.clear();
  other.slot_ = -1;
}

PrivateFile::~PrivateFile() {
  if (dir_.empty()) return;
  // Overwrite before unlinking: an editor or a reader may still hold it open.
  struct stat st {};
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd >= 0 && ::fstat(fd, &st) == 0) {
    const std::string zeros(static_cast<size_t>(st.st_size), '\0');
    (void)!::write(fd, zeros.data(), zeros.size());
  }
  if (fd >= 0) ::close(fd);
  ::unlink(path_.c_str());
  ::rmdir(dir_.c_str());
  UnguardScratch(slot_);
}

}  // namespace tresor::cli
