#include "keys/keyring.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "crypto/kdf.h"
#include "crypto/random.h"
#include "crypto/secret_file.h"
#include "keys/identity_file.h"

namespace tresor::keys {
namespace {

Error Errno(const std::string& place, const char* what) {
  return MakeError(ErrorCode::kIo, place + ": " + what + ": " + std::strerror(errno));
}

std::string ReadSmallText(const std::string& path) {
  auto bytes = crypto::ReadSecretFile(path, 4096);
  if (!bytes) return "";
  std::string text(reinterpret_cast<const char*>(bytes->Reveal().data()), bytes->size());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

// Writes `bytes` to `path` all at once: a temporary file in the same
// directory, synced, then linked into place (failing if `path` exists, unless
// `replace`).
Result<void> WriteAtomically(const std::string& path, std::span<const uint8_t> bytes, mode_t mode,
                             bool replace) {
  uint8_t rnd[6];
  crypto::FillRandom(rnd);
  const std::string temp = path + ".tmp-" + crypto::HexEncode(rnd);
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return Errno(temp, "create");
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    done += static_cast<size_t>(n);
  }
  const bool ok = done == bytes.size() && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    auto e = Errno(temp, "write");
    ::unlink(temp.c_str());
    return e;
  }
  const int placed =
      replace ? ::rename(temp.c_str(), path.c_str()) : ::link(temp.c_str(), path.c_str());
  const int saved = errno;
  if (!replace || placed != 0) ::unlink(temp.c_str());
  if (placed != 0) {
    errno = saved;
    if (errno == EEXIST) return MakeError(ErrorCode::kRefused, path + ": already exists");
    return Errno(path, "write");
  }
  return {};
}

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

Keyring Keyring::Default() {
  if (const char* dir = std::getenv("TRESOR_KEYRING_DIR"); dir != nullptr && *dir != '\0') {
    return Keyring(dir);
  }
  std::string base;
  if (const char* config = std::getenv("XDG_CONFIG_HOME"); config != nullptr && *config == '/') {
    base = config;
  } else {
    const char* home = std::getenv("HOME");
    base = std::string(home != nullptr ? home : "") + "/.config";
  }
  return Keyring(base + "/tresor/keys");
}

Result<void> Keyring::CheckName(const std::string& name) {
  const bool ok =
      !name.empty() && name.size() <= 64 && name.front() != '.' &&
      std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
      });
  if (!ok) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "bad key name \"" + name + "\": letters, digits, '.', '_' and '-', not starting with '.'");
  }
  return {};
}

std::string Keyring::DefaultName() const { return ReadSmallText(dir_ + "/default"); }

Result<std::vector<KeyringEntry>> Keyring::Keys() const {
  std::vector<KeyringEntry> out;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir_, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return out;
    return MakeError(ErrorCode::kIo, dir_ + ": " + ec.message());
  }
  const std::string default_name = DefaultName();
  for (const auto& file : it) {
    const std::string base = file.path().filename().string();
    if (!base.ends_with(".key") || base.front() == '.') continue;
    KeyringEntry e;
    e.name = base.substr(0, base.size() - 4);
    e.path = file.path().string();
    e.is_default = e.name == default_name;
    out.push_back(std::move(e));
  }
  std::sort(out.begin(), out.end(), [](const KeyringEntry& a, const KeyringEntry& b) {
    return a.is_default != b.is_default ? a.is_default : a.name < b.name;
  });
  return out;
}

Result<std::vector<KeyringEntry>> Keyring::List() const {
  TRESOR_ASSIGN_OR_RETURN(auto out, Keys());
  for (KeyringEntry& e : out) {
    e.recipient = ReadSmallText(dir_ + "/" + e.name + ".pub");
    auto content = crypto::ReadSecretFile(e.path, kMaxIdentityFile);
    e.is_protected = content && IsProtectedIdentity(*content);
  }
  return out;
}

Result<KeyringEntry> Keyring::Find(const std::string& name) const {
  TRESOR_RETURN_IF_ERROR(CheckName(name));
  TRESOR_ASSIGN_OR_RETURN(auto all, List());
  for (auto& e : all) {
    if (e.name == name) return std::move(e);
  }
  return MakeError(ErrorCode::kNotFound, "no key named \"" + name + "\" in " + dir_);
}

Result<void> Keyring::EnsureDirectory() const {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return MakeError(ErrorCode::kIo, dir_ + ": " + ec.message());
  if (::chmod(dir_.c_str(), 0700) != 0) return Errno(dir_, "chmod");
  return {};
}

Result<void> Keyring::Store(const std::string& name, const crypto::SecretBytes& identity_file,
                            const std::string& recipient) {
  TRESOR_RETURN_IF_ERROR(CheckName(name));
  TRESOR_RETURN_IF_ERROR(EnsureDirectory());
  const bool first = DefaultName().empty();
  TRESOR_RETURN_IF_ERROR(WriteAtomically(KeyPath(name), identity_file.Reveal(), 0600, false));
  TRESOR_RETURN_IF_ERROR(
      WriteAtomically(dir_ + "/" + name + ".pub", Bytes(recipient + "\n"), 0644, true));
  if (first) return SetDefault(name);
  return {};
}

Result<void> Keyring::Delete(const std::string& name) {
  TRESOR_ASSIGN_OR_RETURN(KeyringEntry entry, Find(name));
  if (::unlink(entry.path.c_str()) != 0) return Errno(entry.path, "unlink");
  ::unlink((dir_ + "/" + name + ".pub").c_str());
  if (entry.is_default) ::unlink((dir_ + "/default").c_str());
  return {};
}

Result<void> Keyring::SetDefault(const std::string& name) {
  TRESOR_RETURN_IF_ERROR(Find(name));
  return WriteAtomically(dir_ + "/default", Bytes(name + "\n"), 0600, true);
}

}  // namespace tresor::keys
