// Snapshots of a store: every record as stored (still sealed by the
// barrier), in key order, as one stream that ends with the number of
// records and a digest of them all; and the reader that checks a stream
// back before anything is made of it. The stream itself is plaintext framing
// around ciphertexts; the CLI writes it inside an age file.
//
// The stream: the line "tresor-snapshot v1\n"; then for each record the
// byte 'r', the key's length (4 bytes, big-endian), the key, the value's
// length (4 bytes, big-endian) and the value; then the byte 'e', the
// number of records (8 bytes, big-endian) and the RecordDigest (32 bytes).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "crypto/kdf.h"
#include "crypto/result.h"
#include "store/storage.h"

namespace tresor::store {

// Keys that belong to the nodes running on a store, not to its data: never
// copied, saved or restored.
inline constexpr std::string_view kMembershipPrefix = "cluster/";

// The digest of records in key order: each key, a NUL, the value's length
// (8 bytes, big-endian) and the value.
class RecordDigest {
 public:
  void Add(std::string_view key, std::span<const uint8_t> value);
  uint64_t records() const { return records_; }
  uint64_t bytes() const { return bytes_; }
  // The SHA-256, once all are added.
  crypto::Digest Finish() { return hasher_.Finish(); }

 private:
  crypto::Sha256Hasher hasher_;
  uint64_t records_ = 0;
  uint64_t bytes_ = 0;
};

struct SnapshotSummary {
  uint64_t records = 0;
  uint64_t bytes = 0;  // of the values
  std::string sha256;  // hex, of the RecordDigest
};

// Writes every record of `storage` but the membership keys to `out`, in
// one consistent view (Storage::Scan); `progress` is called with the number
// written so far after each record.
Result<SnapshotSummary> WriteSnapshot(
    Storage& storage, const std::function<Result<void>(std::span<const uint8_t>)>& out,
    const std::function<void(uint64_t)>& progress = nullptr);

// Reads a snapshot stream as it arrives, in pieces of any size, handing
// each record to `record` (which may refuse it, ending the read). Finish()
// checks that the stream ended where it should, with the count and the
// digest of the records read. Errors are kIntegrity and say at which byte
// of the stream.
class SnapshotReader {
 public:
  using OnRecord = std::function<Result<void>(std::string key, Bytes value)>;
  explicit SnapshotReader(OnRecord record) : record_(std::move(record)) {}
  Result<void> Feed(std::span<const uint8_t> data);
  Result<SnapshotSummary> Finish();

 private:
  Result<void> Parse();
  Error Malformed(const std::string& what) const;

  OnRecord record_;
  std::string buffer_;  // what arrived and is not parsed yet, from pos_
  size_t pos_ = 0;
  uint64_t consumed_ = 0;  // bytes of the stream dropped from buffer_
  bool header_ = false;
  bool ended_ = false;
  RecordDigest digest_;
  std::string sha256_;
};

}  // namespace tresor::store
