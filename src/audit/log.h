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
//
// Rotation: when the server is told to (SIGHUP) it reopens the log at its
// path; if that is now a new, empty file, the chain goes on in it (its first
// line has the next seq and the last hash of the file before), so the files
// in order verify as one chain.
#pragma once

#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "crypto/kdf.h"
#include "crypto/result.h"

namespace tresor::audit {

using Json = nlohmann::json;

// A place in the chain: the seq and hash of a line (seq 0 and 64 zeros:
// before the first line).
struct ChainPoint {
  uint64_t seq = 0;
  std::string hash = std::string(64, '0');
};

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

  // Opens the path again (after logrotate moved the file away): an empty
  // file continues the chain, one with lines continues from its last line.
  // On an error the log stays on the file it had. Thread-safe.
  Result<void> Reopen();

  // The last line written (or found at Open). Thread-safe.
  ChainPoint Head();
  // The file's path, as given to Open.
  const std::string& path() const { return path_; }

  // Checks that the log still holds `expected`, a head the server kept
  // elsewhere (in its store): the file must reach that seq and have that
  // hash there. A file that starts after it (the older part rotated away)
  // passes. kIntegrity saying what differs: lines cut from the end, or the
  // file replaced or deleted. Thread-safe.
  Result<void> CheckHolds(const ChainPoint& expected);

  // Flushes what was appended to the disk (before its head is stored
  // elsewhere, so that a crash cannot leave the store ahead of the file).
  Result<void> Sync();

  // Appends a line of type "gap" that records `expected` and where the file
  // really ended, so that the chain goes on with the loss on record.
  Result<void> AppendGap(const ChainPoint& expected);

 private:
  AuditLog(std::string path, int fd, ChainPoint last)
      : path_(std::move(path)), fd_(fd), last_(std::move(last)) {}
  Result<void> AppendLocked(Json entry);
  const std::string path_;
  std::mutex mutex_;
  int fd_;
  ChainPoint last_;  // the last line written
};

struct VerifyReport {
  uint64_t lines = 0;
  ChainPoint before;  // what the first line follows (seq 0: the chain's start)
  ChainPoint last;    // the last line; its hash is worth keeping elsewhere
};

// Checks every line of `text` as the chain's continuation after `after`
// (by default its start); with nullopt, the first line is taken to follow
// whatever it says it follows (a file whose older part was rotated away).
// kIntegrity "line N: what" at the first bad line (N counts lines of
// `text`): not JSON, a broken or missing hash, a wrong prev, a sequence
// gap, a missing final newline.
Result<VerifyReport> Verify(std::string_view text,
                            const std::optional<ChainPoint>& after = ChainPoint{});

// `value` with every string (and number) leaf replaced by
// "hmac-sha256:<hex>" under `key`: equal inputs give equal outputs, so a log
// can be searched for a known value without holding it.
Json HmacStrings(const Json& value, const crypto::HmacSha256Key& key);
std::string HmacString(std::string_view value, const crypto::HmacSha256Key& key);

}  // namespace tresor::audit
