#include "cli/passphrase.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "cli/files.h"

namespace tresor::cli {
namespace {

// Longest passphrase accepted from a terminal or file line.
constexpr size_t kMaxPassphrase = 4096;

// The first line of `bytes`, without "\n" or "\r\n".
crypto::SecretBytes FirstLine(const crypto::SecretBytes& bytes) {
  auto view = bytes.Reveal();
  size_t n = 0;
  while (n < view.size() && view[n] != '\n') ++n;
  if (n > 0 && view[n - 1] == '\r') --n;
  return crypto::SecretBytes::CopyOf(view.first(n));
}

}  // namespace

Result<crypto::SecretBytes> ReadPassphraseFromTerminal(const std::string& prompt) {
  const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    return MakeError(ErrorCode::kRefused,
                     "a passphrase is needed but there is no terminal to ask on; "
                     "use --passphrase-file FILE");
  }
  termios saved{};
  const bool is_tty = tcgetattr(fd, &saved) == 0;
  if (is_tty) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ICANON;
    tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  (void)!::write(fd, prompt.data(), prompt.size());
  crypto::SecretBytes buf(kMaxPassphrase);
  size_t n = 0;
  bool ended = false;
  while (n < buf.size()) {
    uint8_t c = 0;
    const ssize_t got = ::read(fd, &c, 1);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    if (c == '\n') {
      ended = true;
      break;
    }
    buf.Mutable()[n++] = c;
  }
  if (is_tty) tcsetattr(fd, TCSAFLUSH, &saved);
  (void)!::write(fd, "\n", 1);
  ::close(fd);
  if (!ended && n == 0) return MakeError(ErrorCode::kRefused, "no passphrase entered");
  if (n > 0 && buf.Reveal()[n - 1] == '\r') --n;
  buf.Truncate(n);
  return buf;
}

Result<crypto::SecretBytes> ReadPassphraseFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return MakeError(ErrorCode::kIo, path + ": " + std::strerror(errno));
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return MakeError(ErrorCode::kRefused, path +
                                              ": passphrase file is accessible by group or "
                                              "others (mode " +
                                              mode + "); chmod 600 it");
  }
  TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes content, ReadSecretFile(path, kMaxPassphrase));
  crypto::SecretBytes line = FirstLine(content);
  if (line.empty()) return MakeError(ErrorCode::kRefused, path + ": passphrase file is empty");
  return line;
}

namespace {

crypto::SecretBytes& OncePassphrase() {
  static crypto::SecretBytes passphrase;
  return passphrase;
}

}  // namespace

Result<void> ConsumePassphraseFileOnce(const std::string& path) {
  auto passphrase = ReadPassphraseFile(path);
  const bool removed = ::unlink(path.c_str()) == 0 || errno == ENOENT;
  if (!passphrase) return std::move(passphrase).error();
  if (!removed) {
    return MakeError(ErrorCode::kIo,
                     path + ": cannot delete the passphrase file: " + std::strerror(errno));
  }
  OncePassphrase() = crypto::SecretBytes::CopyOf(passphrase->Reveal(), crypto::Lifetime::kLong);
  return {};
}

Result<crypto::SecretBytes> PassphraseSource::Get(const std::string& prompt, bool confirm) const {
  if (!OncePassphrase().empty()) return crypto::SecretBytes::CopyOf(OncePassphrase().Reveal());
  if (file_) return ReadPassphraseFile(*file_);
  TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes first, ReadPassphraseFromTerminal(prompt + ": "));
  if (first.empty()) return MakeError(ErrorCode::kRefused, "empty passphrase");
  if (confirm) {
    TRESOR_ASSIGN_OR_RETURN(crypto::SecretBytes again,
                            ReadPassphraseFromTerminal("Confirm passphrase: "));
    if (!crypto::ConstantTimeEqual(first.Reveal(), again.Reveal())) {
      return MakeError(ErrorCode::kRefused, "passphrases do not match");
    }
  }
  return first;
}

}  // namespace tresor::cli
