#include "crypto/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace tresor::crypto {

Result<SecretBytes> ReadSecretFd(int fd, const std::string& name, size_t max_size) {
  // Regular files are sized once from fstat (one byte more, to see the end);
  // anything else starts at 4 KiB and doubles. Grown copies are wiped.
  struct stat st {};
  size_t size = 4096;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) size = static_cast<size_t>(st.st_size) + 1;
  SecretBytes buf(std::min(max_size + 1, size));
  size_t n = 0;
  while (true) {
    if (n == buf.size()) {
      if (n > max_size) break;
      SecretBytes bigger(std::min(2 * buf.size(), max_size + 1));
      std::copy_n(buf.Reveal().begin(), n, bigger.Mutable().begin());
      buf = std::move(bigger);
    }
    const ssize_t got = ::read(fd, buf.Mutable().data() + n, buf.size() - n);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      return MakeError(ErrorCode::kIo, name + ": read failed: " + std::strerror(errno));
    }
    if (got == 0) break;
    n += static_cast<size_t>(got);
  }
  if (n > max_size) {
    return MakeError(ErrorCode::kInvalidArgument,
                     name + ": file is larger than " + std::to_string(max_size) + " bytes");
  }
  buf.Truncate(n);
  return buf;
}

Result<SecretBytes> ReadSecretFile(const std::string& path, size_t max_size) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return MakeError(ErrorCode::kIo, path + ": cannot open: " + std::strerror(errno));
  }
  auto result = ReadSecretFd(fd, path, max_size);
  ::close(fd);
  return result;
}

namespace {

Error Errno(const std::string& place, const char* what) {
  return MakeError(ErrorCode::kIo, place + ": " + what + ": " + std::strerror(errno));
}

std::string Octal(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

}  // namespace

Result<void> PreparePrivateDirectory(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return Errno(dir, "mkdir");
  return CheckPrivateDirectory(dir);
}

Result<void> CheckPrivateDirectory(const std::string& dir) {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) return errno == ENOENT ? Result<void>{} : Errno(dir, "lstat");
  if (!S_ISDIR(st.st_mode)) {
    return MakeError(ErrorCode::kRefused, dir + ": not a directory; refusing to use it");
  }
  if (st.st_uid != ::geteuid()) {
    return MakeError(ErrorCode::kRefused, dir + ": owned by uid " + std::to_string(st.st_uid) +
                                              ", not by you (another user may have made it "
                                              "first); refusing to use it");
  }
  if ((st.st_mode & 077) != 0) {
    return MakeError(ErrorCode::kRefused, dir + ": mode " + Octal(st.st_mode) +
                                              ", must be 0700 (chmod 700 " + dir + ")");
  }
  return {};
}

}  // namespace tresor::crypto
