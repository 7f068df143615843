// The payload codec on multi-block streams, where chunks are sealed and
// opened in parallel: failures must still release exactly the authenticated
// prefix and name the first bad chunk.
#include "age/stream.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "age/encrypt.h"
#include "crypto/random.h"

namespace tresor::age {
namespace {

class StreamTest : public ::testing::Test {
 protected:
  std::vector<uint8_t> Seal(const std::vector<uint8_t>& plain) {
    SpanSource source(plain);
    Reader reader(source, kReaderCapacity);
    VectorSink sink;
    EXPECT_TRUE(EncryptPayload(key_, reader, sink));
    return sink.data();
  }

  // The error message (empty on success) and the plaintext released.
  std::pair<std::string, std::vector<uint8_t>> Open(const std::vector<uint8_t>& sealed) {
    SpanSource source(sealed);
    Reader reader(source, kReaderCapacity);
    VectorSink sink;
    auto result = DecryptPayload(key_, reader, sink);
    return {result ? "" : result.error().message, sink.data()};
  }

  static std::vector<uint8_t> Random(size_t size) {
    std::vector<uint8_t> bytes(size);
    crypto::FillRandom(bytes);
    return bytes;
  }

  static std::vector<uint8_t> Prefix(const std::vector<uint8_t>& bytes, size_t chunks) {
    return {bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(chunks * kChunkSize)};
  }

  crypto::SecretBytes key_ = crypto::RandomSecret(32);
};

constexpr size_t kBlockChunks = 16;  // as in stream.cc
constexpr size_t kBlock = kBlockChunks * kChunkSize;

TEST_F(StreamTest, RoundTripsAtBlockBoundaries) {
  for (size_t size :
       {kBlock - 1, kBlock, kBlock + 1, 2 * kBlock, 2 * kBlock + kChunkSize, 3 * kBlock + 12345}) {
    const auto plain = Random(size);
    const auto sealed = Seal(plain);
    const size_t chunks = std::max<size_t>(1, (size + kChunkSize - 1) / kChunkSize);
    EXPECT_EQ(sealed.size(), size + chunks * kTagSize) << size;
    auto [error, opened] = Open(sealed);
    EXPECT_EQ(error, "") << size;
    EXPECT_TRUE(opened == plain) << size;
  }
}

TEST_F(StreamTest, FlippedBitInAMiddleChunkReleasesTheChunksBeforeIt) {
  const auto plain = Random(40 * kChunkSize + 100);
  auto sealed = Seal(plain);
  sealed[20 * kEncryptedChunkSize + 7] ^= 1;
  auto [error, opened] = Open(sealed);
  EXPECT_EQ(error, "chunk 20: authentication failed (data truncated or modified)");
  EXPECT_TRUE(opened == Prefix(plain, 20)) << opened.size();
}

TEST_F(StreamTest, SwappedChunksFailAtTheFirst) {
  const auto plain = Random(40 * kChunkSize);
  auto sealed = Seal(plain);
  std::swap_ranges(sealed.begin() + 3 * kEncryptedChunkSize,
                   sealed.begin() + 4 * kEncryptedChunkSize,
                   sealed.begin() + 4 * kEncryptedChunkSize);
  auto [error, opened] = Open(sealed);
  EXPECT_EQ(error, "chunk 3: authentication failed (data truncated or modified)");
  EXPECT_TRUE(opened == Prefix(plain, 3));
}

TEST_F(StreamTest, TruncationAtAChunkBoundaryIsDetected) {
  const auto plain = Random(40 * kChunkSize + 100);
  auto sealed = Seal(plain);
  sealed.resize(20 * kEncryptedChunkSize);
  auto [error, opened] = Open(sealed);
  EXPECT_EQ(error, "chunk 20: file ends without a final chunk (truncated)");
  EXPECT_TRUE(opened == Prefix(plain, 20));
}

TEST_F(StreamTest, TrailingDataAfterAFullFinalChunkReleasesThenFails) {
  const auto plain = Random(2 * kBlock);  // 32 chunks, the last one full
  auto sealed = Seal(plain);
  sealed.insert(sealed.end(), 10, 0x00);
  auto [error, opened] = Open(sealed);
  EXPECT_EQ(error, "chunk 31: trailing data after the final chunk");
  EXPECT_TRUE(opened == plain);
}

TEST_F(StreamTest, BytesShorterThanATagAfterAFullFinalChunk) {
  for (size_t extra : {1, 15, 16}) {
    const auto plain = Random(kChunkSize);
    auto sealed = Seal(plain);
    sealed.insert(sealed.end(), extra, 0x00);
    auto [error, opened] = Open(sealed);
    EXPECT_EQ(error, "chunk 0: trailing data after the final chunk") << extra;
    EXPECT_TRUE(opened == plain) << extra;
  }
}

// A source that fails after `limit` bytes, like a disk error or a broken pipe.
class FailingSource : public Source {
 public:
  FailingSource(std::span<const uint8_t> data, size_t limit) : data_(data), limit_(limit) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    if (offset_ >= limit_) return MakeError(ErrorCode::kIo, "input: read failed: I/O error");
    const size_t n = std::min({out.size(), limit_ - offset_, data_.size() - offset_});
    std::copy_n(data_.begin() + static_cast<ptrdiff_t>(offset_), n, out.begin());
    offset_ += n;
    return n;
  }

 private:
  std::span<const uint8_t> data_;
  size_t limit_;
  size_t offset_ = 0;
};

TEST_F(StreamTest, ReadErrorReleasesTheAuthenticatedChunksBeforeIt) {
  const auto plain = Random(3 * kBlock);
  const auto sealed = Seal(plain);
  FailingSource source(sealed, 2 * kBlockChunks * kEncryptedChunkSize + 100);
  Reader reader(source, kReaderCapacity);
  VectorSink sink;
  auto result = DecryptPayload(key_, reader, sink);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "input: read failed: I/O error");
  EXPECT_EQ(result.error().code, ErrorCode::kIo);
  // Blocks 0 and 1 were read whole; the last chunk of block 1 might have been
  // the final one, so it is held back.
  EXPECT_TRUE(sink.data() == Prefix(plain, 2 * kBlockChunks - 1)) << sink.data().size();
}

TEST_F(StreamTest, WrongKeyReleasesNothing) {
  const auto sealed = Seal(Random(3 * kBlock));
  key_ = crypto::RandomSecret(32);
  auto [error, opened] = Open(sealed);
  EXPECT_EQ(error, "chunk 0: authentication failed (data truncated or modified)");
  EXPECT_TRUE(opened.empty());
}

}  // namespace
}  // namespace tresor::age
