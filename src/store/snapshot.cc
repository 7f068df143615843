#include "store/snapshot.h"

#include <cstring>

namespace tresor::store {
namespace {

constexpr std::string_view kMagic = "tresor-snapshot v1\n";
// Bounds on what a stream may claim, so that a crafted one cannot make the
// reader hold more than one record of this size.
constexpr uint32_t kMaxKeyBytes = 1 << 20;
constexpr uint32_t kMaxValueBytes = 64 << 20;

void PutBigEndian(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t GetBigEndian(const char* at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(at[i]);
  return v;
}

std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

void RecordDigest::Add(std::string_view key, std::span<const uint8_t> value) {
  hasher_.Update(AsBytes(key));
  const uint8_t nul = 0;
  hasher_.Update({&nul, 1});
  uint8_t size[8];
  for (int i = 0; i < 8; ++i) size[i] = static_cast<uint8_t>(value.size() >> (56 - 8 * i));
  hasher_.Update(size);
  hasher_.Update(value);
  ++records_;
  bytes_ += value.size();
}

Result<SnapshotSummary> WriteSnapshot(
    Storage& storage, const std::function<Result<void>(std::span<const uint8_t>)>& out,
    const std::function<void(uint64_t)>& progress) {
  std::string pending(kMagic);
  RecordDigest digest;
  std::optional<Error> failed;
  // Written in pieces of about 1 MiB.
  auto flush = [&](size_t at_least) {
    if (pending.size() < at_least) return true;
    auto written = out(AsBytes(pending));
    pending.clear();
    if (!written) failed = std::move(written).error();
    return written.has_value();
  };
  TRESOR_RETURN_IF_ERROR(storage.Scan("", [&](const std::string& key, const Record& record) {
    if (key.starts_with(kMembershipPrefix)) return true;
    pending.push_back('r');
    PutBigEndian(pending, key.size(), 4);
    pending.append(key);
    PutBigEndian(pending, record.value.size(), 4);
    pending.append(reinterpret_cast<const char*>(record.value.data()), record.value.size());
    digest.Add(key, record.value);
    if (progress) progress(digest.records());
    return flush(1 << 20);
  }));
  if (failed) return *failed;
  SnapshotSummary summary{digest.records(), digest.bytes(), ""};
  const crypto::Digest sum = digest.Finish();
  summary.sha256 = crypto::HexEncode(sum);
  pending.push_back('e');
  PutBigEndian(pending, summary.records, 8);
  pending.append(reinterpret_cast<const char*>(sum.data()), sum.size());
  flush(0);
  if (failed) return *failed;
  return summary;
}

Error SnapshotReader::Malformed(const std::string& what) const {
  return MakeError(ErrorCode::kIntegrity,
                   "byte " + std::to_string(consumed_ + pos_) + " of the snapshot: " + what);
}

Result<void> SnapshotReader::Feed(std::span<const uint8_t> data) {
  if (pos_ > 0) {
    buffer_.erase(0, pos_);
    consumed_ += pos_;
    pos_ = 0;
  }
  buffer_.append(reinterpret_cast<const char*>(data.data()), data.size());
  return Parse();
}

Result<void> SnapshotReader::Parse() {
  while (pos_ < buffer_.size()) {
    const char* at = buffer_.data() + pos_;
    const size_t left = buffer_.size() - pos_;
    if (!header_) {
      const size_t n = std::min(left, kMagic.size());
      if (std::memcmp(at, kMagic.data(), n) != 0) return Malformed("not a tresor snapshot");
      if (n < kMagic.size()) return {};
      header_ = true;
      pos_ += kMagic.size();
      continue;
    }
    if (ended_) return Malformed("more after the end");
    if (at[0] == 'e') {
      if (left < 1 + 8 + 32) return {};
      const uint64_t count = GetBigEndian(at + 1, 8);
      if (count != digest_.records()) {
        return Malformed("the end says " + std::to_string(count) + " records, there were " +
                         std::to_string(digest_.records()));
      }
      const crypto::Digest sum = digest_.Finish();
      if (std::memcmp(sum.data(), at + 9, sum.size()) != 0) {
        return Malformed("the records do not match the digest at the end");
      }
      sha256_ = crypto::HexEncode(sum);
      ended_ = true;
      pos_ += 1 + 8 + 32;
      continue;
    }
    if (at[0] != 'r') return Malformed("neither a record nor the end");
    if (left < 5) return {};
    const uint64_t key_size = GetBigEndian(at + 1, 4);
    if (key_size == 0 || key_size > kMaxKeyBytes) {
      return Malformed("a key of " + std::to_string(key_size) + " bytes");
    }
    if (left < 5 + key_size + 4) return {};
    const uint64_t value_size = GetBigEndian(at + 5 + key_size, 4);
    if (value_size > kMaxValueBytes) {
      return Malformed("a value of " + std::to_string(value_size) + " bytes");
    }
    const size_t whole = 5 + key_size + 4 + value_size;
    if (left < whole) return {};
    std::string key(at + 5, key_size);
    const auto* value = reinterpret_cast<const uint8_t*>(at + 9 + key_size);
    Bytes bytes(value, value + value_size);
    digest_.Add(key, bytes);
    pos_ += whole;
    TRESOR_RETURN_IF_ERROR(record_(std::move(key), std::move(bytes)));
  }
  return {};
}

Result<SnapshotSummary> SnapshotReader::Finish() {
  if (!ended_) {
    return Malformed("cut short after " + std::to_string(digest_.records()) + " records");
  }
  return SnapshotSummary{digest_.records(), digest_.bytes(), sha256_};
}

}  // namespace tresor::store
