#include "audit/log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "crypto/kdf.h"

namespace tresor::audit {
namespace {

constexpr std::string_view kHashField = ",\"hash\":\"";

std::string ChainHash(std::string_view prev, std::string_view body) {
  std::string input;
  input.reserve(prev.size() + 1 + body.size());
  input.append(prev).append("\n").append(body);
  return crypto::HexEncode(crypto::Sha256(crypto::AsBytes(input)));
}

Error Bad(uint64_t line, const std::string& what) {
  return MakeError(ErrorCode::kIntegrity, "line " + std::to_string(line) + ": " + what);
}

}  // namespace

Result<VerifyReport> Verify(std::string_view text, const std::optional<ChainPoint>& after) {
  VerifyReport report;
  std::optional<ChainPoint> at = after;  // the line the next one must follow
  if (at) report.before = *at;
  uint64_t n = 0;
  while (!text.empty()) {
    ++n;
    const size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return Bad(n, "cut short (no line end)");
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    const size_t hash_at = line.rfind(kHashField);
    if (hash_at == std::string_view::npos || line.size() != hash_at + kHashField.size() + 64 + 2 ||
        line.substr(line.size() - 2) != "\"}") {
      return Bad(n, "no hash (cut short or not an audit line)");
    }
    const std::string body = std::string(line.substr(0, hash_at)) + "}";
    const std::string_view hash = line.substr(hash_at + kHashField.size(), 64);
    const Json parsed = Json::parse(body, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) return Bad(n, "not JSON");
    const bool has_seq = parsed.contains("seq") && parsed["seq"].is_number_unsigned();
    if (!at) {  // the first line of a file whose older part was rotated away
      if (!has_seq || parsed["seq"].get<uint64_t>() == 0 || !parsed.contains("prev") ||
          !parsed["prev"].is_string() || parsed["prev"].get<std::string>().size() != 64) {
        return Bad(n, "does not say which line it follows");
      }
      at = ChainPoint{parsed["seq"].get<uint64_t>() - 1, parsed["prev"].get<std::string>()};
      report.before = *at;
    }
    const uint64_t seq = at->seq + 1;
    if (!has_seq || parsed["seq"].get<uint64_t>() != seq) {
      return Bad(n, "sequence number is not " + std::to_string(seq) +
                        " (a line before it was removed, or lines were reordered)");
    }
    if (!parsed.contains("prev") || parsed["prev"] != at->hash) {
      return Bad(n, n == 1 && at->seq > 0
                        ? "does not follow the last line of the file before it (seq " +
                              std::to_string(at->seq) + ")"
                        : "does not follow line " + std::to_string(n - 1) +
                              " (the line before it was edited, removed or moved)");
    }
    if (ChainHash(at->hash, body) != hash) {
      return Bad(n, "hash does not match (the line was edited)");
    }
    at = ChainPoint{seq, std::string(hash)};
  }
  report.lines = n;
  report.last = at.value_or(ChainPoint{});
  return report;
}

namespace {

// The last line of the log open at `fd`, nothing if the file is empty;
// kIntegrity if it is not a whole audit line.
Result<std::optional<ChainPoint>> LastLine(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    return MakeError(ErrorCode::kIo, path + ": cannot read the audit log: " + std::strerror(errno));
  }
  const auto size = static_cast<size_t>(st.st_size);
  if (size == 0) return std::optional<ChainPoint>();
  const size_t tail = std::min<size_t>(size, 1 << 20);
  std::string text(tail, '\0');
  const ssize_t got = ::pread(fd, text.data(), tail, static_cast<off_t>(size - tail));
  const size_t end = text.size() - 1;
  const size_t start = got == static_cast<ssize_t>(tail) && text[end] == '\n'
                           ? text.rfind('\n', end - 1)
                           : std::string::npos;
  const std::string_view last =
      std::string_view(text).substr(start == std::string::npos ? 0 : start + 1,
                                    end - (start == std::string::npos ? 0 : start + 1));
  const Json parsed = Json::parse(last, nullptr, false);
  if ((start == std::string::npos && tail < size) || parsed.is_discarded() ||
      !parsed.contains("seq") || !parsed["seq"].is_number_unsigned() || !parsed.contains("hash") ||
      !parsed["hash"].is_string()) {
    return MakeError(ErrorCode::kIntegrity,
                     path +
                         ": the last line is not a whole audit line; check the log with "
                         "tresor audit verify and move it aside");
  }
  return std::optional<ChainPoint>(
      ChainPoint{parsed["seq"].get<uint64_t>(), parsed["hash"].get<std::string>()});
}

Result<int> OpenForAppend(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return MakeError(ErrorCode::kIo, path + ": cannot open the audit log: " + std::strerror(errno));
  }
  return fd;
}

}  // namespace

Result<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& path) {
  TRESOR_ASSIGN_OR_RETURN(const int fd, OpenForAppend(path));
  // Continue the chain from the last line (tresor audit verify checks all).
  auto last = LastLine(fd, path);
  if (!last) {
    ::close(fd);
    return std::move(last).error();
  }
  return std::unique_ptr<AuditLog>(new AuditLog(path, fd, last->value_or(ChainPoint{})));
}

Result<void> AuditLog::Reopen() {
  // Under the lock: no line is appended between reading the file's last
  // line and switching to it (the path may still be the same file).
  const std::lock_guard lock(mutex_);
  TRESOR_ASSIGN_OR_RETURN(const int fd, OpenForAppend(path_));
  auto last = LastLine(fd, path_);
  if (!last) {
    ::close(fd);
    return std::move(last).error();
  }
  ::close(fd_);
  fd_ = fd;
  if (*last) last_ = std::move(**last);  // else: the chain goes on in the new file
  return {};
}

AuditLog::~AuditLog() { ::close(fd_); }

Result<void> AuditLog::Append(Json entry) {
  const std::lock_guard lock(mutex_);
  return AppendLocked(std::move(entry));
}

ChainPoint AuditLog::Head() {
  const std::lock_guard lock(mutex_);
  return last_;
}

namespace {

// The line at 1-based index `n` of the file open at `fd`, read in blocks.
Result<std::optional<std::string>> NthLine(int fd, uint64_t n, const std::string& path) {
  std::string line;
  std::string block(1 << 16, '\0');
  uint64_t index = 1;
  off_t offset = 0;
  while (true) {
    const ssize_t got = ::pread(fd, block.data(), block.size(), offset);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      return MakeError(ErrorCode::kIo,
                       path + ": cannot read the audit log: " + std::strerror(errno));
    }
    if (got == 0) return std::optional<std::string>();
    offset += got;
    std::string_view data(block.data(), static_cast<size_t>(got));
    while (!data.empty()) {
      const size_t nl = data.find('\n');
      if (index == n) line.append(data.substr(0, nl));
      if (nl == std::string_view::npos) break;
      if (index == n) return std::optional<std::string>(std::move(line));
      ++index;
      data.remove_prefix(nl + 1);
    }
  }
}

}  // namespace

Result<void> AuditLog::CheckHolds(const ChainPoint& expected) {
  const std::lock_guard lock(mutex_);
  if (expected.seq == 0) return {};
  const std::string logged = "the server logged up to seq " + std::to_string(expected.seq);
  if (last_.seq < expected.seq) {
    return MakeError(ErrorCode::kIntegrity,
                     path_ + ": the audit log ends at seq " + std::to_string(last_.seq) + ", but " +
                         logged + ": lines were cut from its end, or it was replaced or deleted");
  }
  if (last_.seq == expected.seq) {
    if (last_.hash == expected.hash) return {};
    return MakeError(ErrorCode::kIntegrity, path_ + ": seq " + std::to_string(expected.seq) +
                                                " is not the line the server logged there");
  }
  // Longer than the stored head (it is stored once a second): find its line
  // by its place after the file's first line.
  TRESOR_ASSIGN_OR_RETURN(auto first_text, NthLine(fd_, 1, path_));
  const Json first = first_text ? Json::parse(*first_text, nullptr, false) : Json();
  if (!first.is_object() || !first.contains("seq") || !first["seq"].is_number_unsigned()) {
    return MakeError(ErrorCode::kIntegrity, path_ + ": the first line is not an audit line");
  }
  const uint64_t first_seq = first["seq"].get<uint64_t>();
  if (first_seq > expected.seq) return {};  // the part that held it was rotated away
  TRESOR_ASSIGN_OR_RETURN(auto text, NthLine(fd_, expected.seq - first_seq + 1, path_));
  const Json line = text ? Json::parse(*text, nullptr, false) : Json();
  if (!line.is_object() || line.value("seq", uint64_t{0}) != expected.seq ||
      line.value("hash", std::string()) != expected.hash) {
    return MakeError(ErrorCode::kIntegrity, path_ + ": seq " + std::to_string(expected.seq) +
                                                " is not the line the server logged there");
  }
  return {};
}

Result<void> AuditLog::Sync() {
  const std::lock_guard lock(mutex_);
  if (::fdatasync(fd_) != 0) {
    return MakeError(ErrorCode::kIo,
                     path_ + ": cannot flush the audit log: " + std::strerror(errno));
  }
  return {};
}

Result<void> AuditLog::AppendGap(const ChainPoint& expected) {
  const std::lock_guard lock(mutex_);
  return AppendLocked(Json{{"type", "gap"},
                           {"expected", {{"seq", expected.seq}, {"hash", expected.hash}}},
                           {"found", {{"seq", last_.seq}, {"hash", last_.hash}}}});
}

Result<void> AuditLog::AppendLocked(Json entry) {
  Json line = Json::object();
  line["seq"] = last_.seq + 1;
  line["prev"] = last_.hash;
  for (auto& [k, v] : entry.items()) line[k] = std::move(v);
  // Keys sorted: "hash" is added after. Invalid UTF-8 becomes U+FFFD.
  std::string body = line.dump(-1, ' ', false, Json::error_handler_t::replace);
  std::string hash = ChainHash(last_.hash, body);
  body.pop_back();
  body.append(kHashField).append(hash).append("\"}\n");
  size_t done = 0;
  while (done < body.size()) {
    const ssize_t w = ::write(fd_, body.data() + done, body.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return MakeError(ErrorCode::kIo, std::string("audit log: ") + std::strerror(errno));
    done += static_cast<size_t>(w);
  }
  ++last_.seq;
  last_.hash = std::move(hash);
  return {};
}

std::string HmacString(std::string_view value, const crypto::HmacSha256Key& key) {
  return "hmac-sha256:" + crypto::HexEncode(key.Mac(crypto::AsBytes(value)));
}

Json HmacStrings(const Json& value, const crypto::HmacSha256Key& key) {
  if (value.is_object()) {
    Json out = Json::object();
    for (const auto& [k, v] : value.items()) out[k] = HmacStrings(v, key);
    return out;
  }
  if (value.is_array()) {
    Json out = Json::array();
    for (const Json& v : value) out.push_back(HmacStrings(v, key));
    return out;
  }
  if (value.is_string()) return HmacString(value.get<std::string>(), key);
  if (value.is_number()) return HmacString(value.dump(), key);
  return value;  // booleans and null say nothing secret
}

}  // namespace tresor::audit
