// The audit log: one JSON object per line, each line chained to the one
// before it by SHA-256, so that an edited, removed, reordered or cut line is
// found by Verify (and `tresor audit verify`). A line reads
//
//   {"seq":N,"prev":"<hash of line N-1>", ...entry..., "hash":"<hash>"}
//
// where hash = SHA-256(prev + "\n" + the line up to ',"hash"' + "}"), hex;
// line 1's prev is 64 zeros. Secret values and tokens never reach the log:
// callers pass entries through HmacStrings first. The chain detects changes
// by anyone who does not rewrite every later line; ship the log off the
// machine (or watch its last hash) to detect that too.
#pragma once

#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crypto/kdf.h"
#include "crypto/result.h"

namespace tresor::audit {

using Json = nlohmann::json;

class AuditLog {
 public:
  // Opens `path` for appending (created 0600), continuing the chain from
  // its last line; kIntegrity if that is not a whole audit line (Verify
  // checks the rest).
  static Result<std::unique_ptr<AuditLog>> Open(const std::string& path);
  ~AuditLog();

  // Appends `entry` (an object) as one line, written with one write(2).
  // Thread-safe.
  Result<void> Append(Json entry);

 private:
  AuditLog(int fd, uint64_t seq, std::string prev) : fd_(fd), seq_(seq), prev_(std::move(prev)) {}
  std::mutex mutex_;
  int fd_;
  uint64_t seq_;
  std::string prev_;
};

struct VerifyReport {
  uint64_t lines = 0;
  std::string last_hash;  // to compare with a copy kept elsewhere
};

// Checks every line of `text`; kIntegrity "line N: what" at the first bad one
// (not JSON, a broken or missing hash, a wrong prev, a sequence gap, a
// missing final newline).
Result<VerifyReport> Verify(std::string_view text);

// `value` with every string (and number) leaf replaced by
// "hmac-sha256:<hex>" under `key`: equal inputs give equal outputs, so a log
// can be searched for a known value without holding it.
Json HmacStrings(const Json& value, const crypto::HmacSha256Key& key);
std::string HmacString(std::string_view value, const crypto::HmacSha256Key& key);

}  // namespace tresor::audit
