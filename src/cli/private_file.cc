#include "cli/private_file.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "age/io.h"
#include "crypto/kdf.h"

namespace tresor::cli {
namespace {

bool IsTmpfs(const char* dir) {
  struct statfs fs {};
  return dir != nullptr && ::statfs(dir, &fs) == 0 &&
         static_cast<unsigned long>(fs.f_type) == TMPFS_MAGIC;
}

}  // namespace

Result<PrivateFile> PrivateFile::Create(const std::string& name, std::string_view content) {
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  const char* base = IsTmpfs("/dev/shm") ? "/dev/shm" : IsTmpfs(runtime) ? runtime : nullptr;
  if (base == nullptr) {
    return MakeError(ErrorCode::kRefused,
                     "no tmpfs for the plaintext (/dev/shm or $XDG_RUNTIME_DIR); refusing to "
                     "put it on a persistent disk");
  }
  std::string dir = std::string(base) + "/tresor-edit-XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) {
    return MakeError(ErrorCode::kIo, std::string(base) + ": cannot create a private directory: " +
                                         std::strerror(errno));
  }
  PrivateFile file(dir, dir + "/" + name);
  const int fd = ::open(file.path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return MakeError(ErrorCode::kIo, file.path_ + ": " + std::strerror(errno));
  age::FdSink sink(fd, file.path_);
  auto written = sink.Write(crypto::AsBytes(content));
  ::close(fd);
  if (!written) return std::move(written).error();
  return file;
}

PrivateFile::PrivateFile(PrivateFile&& other) noexcept
    : dir_(std::move(other.dir_)), path_(std::move(other.path_)) {
  other.dir_.clear();
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
}

}  // namespace tresor::cli
