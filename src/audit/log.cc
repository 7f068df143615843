#include "audit/log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "crypto/kdf.h"

namespace tresor::audit {
namespace {

const std::string kZeroHash(64, '0');
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

Result<VerifyReport> Verify(std::string_view text) {
  VerifyReport report;
  std::string prev = kZeroHash;
  uint64_t n = 0;
  while (!text.empty()) {
    ++n;
    const size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return Bad(n, "cut short (no line end)");
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    const size_t at = line.rfind(kHashField);
    if (at == std::string_view::npos || line.size() != at + kHashField.size() + 64 + 2 ||
        line.substr(line.size() - 2) != "\"}") {
      return Bad(n, "no hash (cut short or not an audit line)");
    }
    const std::string body = std::string(line.substr(0, at)) + "}";
    const std::string_view hash = line.substr(at + kHashField.size(), 64);
    const Json parsed = Json::parse(body, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) return Bad(n, "not JSON");
    if (!parsed.contains("seq") || !parsed["seq"].is_number_unsigned() ||
        parsed["seq"].get<uint64_t>() != n) {
      return Bad(n, "sequence number is not " + std::to_string(n) +
                        " (a line before it was removed, or lines were reordered)");
    }
    if (!parsed.contains("prev") || parsed["prev"] != prev) {
      return Bad(n, "does not follow line " + std::to_string(n - 1) +
                        " (the line before it was edited, removed or moved)");
    }
    if (ChainHash(prev, body) != hash) return Bad(n, "hash does not match (the line was edited)");
    prev = std::string(hash);
  }
  report.lines = n;
  report.last_hash = prev;
  return report;
}

Result<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return MakeError(ErrorCode::kIo, path + ": cannot open the audit log: " + std::strerror(errno));
  }
  // Continue the chain from the last line (tresor audit verify checks all).
  struct stat st {};
  ::fstat(fd, &st);
  const auto size = static_cast<size_t>(st.st_size);
  if (size == 0) return std::unique_ptr<AuditLog>(new AuditLog(fd, 0, kZeroHash));
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
    ::close(fd);
    return MakeError(ErrorCode::kIntegrity,
                     path +
                         ": the last line is not a whole audit line; check the log with "
                         "tresor audit verify and move it aside");
  }
  return std::unique_ptr<AuditLog>(
      new AuditLog(fd, parsed["seq"].get<uint64_t>(), parsed["hash"].get<std::string>()));
}

AuditLog::~AuditLog() { ::close(fd_); }

Result<void> AuditLog::Append(Json entry) {
  const std::lock_guard lock(mutex_);
  Json line = Json::object();
  line["seq"] = seq_ + 1;
  line["prev"] = prev_;
  for (auto& [k, v] : entry.items()) line[k] = std::move(v);
  // Keys sorted: "hash" is added after. Invalid UTF-8 becomes U+FFFD.
  std::string body = line.dump(-1, ' ', false, Json::error_handler_t::replace);
  const std::string hash = ChainHash(prev_, body);
  body.pop_back();
  body.append(kHashField).append(hash).append("\"}\n");
  size_t done = 0;
  while (done < body.size()) {
    const ssize_t w = ::write(fd_, body.data() + done, body.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return MakeError(ErrorCode::kIo, std::string("audit log: ") + std::strerror(errno));
    done += static_cast<size_t>(w);
  }
  ++seq_;
  prev_ = hash;
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
