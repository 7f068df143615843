#include "age/stream.h"

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

#include "age/chunk_workers.h"
#include "age/encrypt.h"
#include "crypto/aead.h"
#include "crypto/kdf.h"

namespace tresor::age {
namespace {

using crypto::ChaCha20Poly1305;
using Task = ChunkWorkers::Task;

// Chunks are read, sealed or opened, and written in blocks of this many: one
// write(2) per megabyte, and a block's chunks spread over the cores while the
// caller reads the next block and writes the previous one. Two blocks of
// plaintext and two of ciphertext are what a large stream holds in memory.
constexpr size_t kBlockChunks = 16;
constexpr size_t kPlainBlock = kBlockChunks * kChunkSize;
constexpr size_t kSealedBlock = kBlockChunks * kEncryptedChunkSize;
static_assert(kReaderCapacity > kSealedBlock, "a block plus one byte of lookahead must fit");

using ChunkNonce = std::array<uint8_t, ChaCha20Poly1305::kNonceSize>;

ChunkNonce MakeNonce(uint64_t counter, bool last) {
  ChunkNonce nonce{};
  for (int i = 0; i < 8; ++i) nonce[10 - i] = static_cast<uint8_t>(counter >> (8 * i));
  nonce[11] = last ? 1 : 0;
  return nonce;
}

Error PayloadError(uint64_t chunk, const std::string& what) {
  return MakeError(ErrorCode::kPayload, "chunk " + std::to_string(chunk) + ": " + what);
}

size_t CeilDiv(size_t a, size_t b) { return (a + b - 1) / b; }

// Runs a block's chunk tasks on the helper threads once a stream is known to
// be large, and inline on one AEAD before that, so small files never start
// a thread or load OpenSSL.
class BlockRunner {
 public:
  BlockRunner(const crypto::SecretBytes& key, ChaCha20Poly1305& inline_aead)
      : key_(key), inline_aead_(inline_aead) {}

  void UseWorkers() {
    if (!workers_) workers_.emplace(key_);
  }
  void Start(size_t count, const Task& task) {
    if (workers_) {
      workers_->Start(count, task);
    } else {
      task_ = &task;
      count_ = count;
    }
  }
  void Finish() {
    if (workers_) return workers_->Finish();
    for (size_t i = 0; i < count_; ++i) (*task_)(inline_aead_, i);
    count_ = 0;
  }
  // For the caller's own chunk between Start and Finish.
  ChaCha20Poly1305& caller_aead() { return workers_ ? workers_->caller_aead() : inline_aead_; }

 private:
  const crypto::SecretBytes& key_;
  ChaCha20Poly1305& inline_aead_;
  std::optional<ChunkWorkers> workers_;
  const Task* task_ = nullptr;
  size_t count_ = 0;
};

// Seals one block of plaintext. Every chunk but the last is known to be an
// inner chunk at once; the last one waits for End(), when the caller knows
// whether more input follows.
class BlockSealer {
 public:
  explicit BlockSealer(BlockRunner& runner) : runner_(runner) {}

  // `sealed` must hold SealedSize(plain.size()) bytes.
  void Begin(uint64_t counter, std::span<const uint8_t> plain, std::span<uint8_t> sealed) {
    counter_ = counter;
    plain_ = plain;
    sealed_ = sealed;
    chunks_ = std::max<size_t>(1, CeilDiv(plain.size(), kChunkSize));
    runner_.Start(chunks_ - 1, task_);
  }
  // Seals the last chunk, final or not, and waits for the rest.
  void End(bool final) {
    Seal(runner_.caller_aead(), chunks_ - 1, final);
    runner_.Finish();
  }
  size_t chunks() const { return chunks_; }
  static size_t SealedSize(size_t plain) {
    return plain + std::max<size_t>(1, CeilDiv(plain, kChunkSize)) * kTagSize;
  }

 private:
  void Seal(ChaCha20Poly1305& aead, size_t i, bool final) {
    const size_t begin = i * kChunkSize;
    const size_t n = std::min(kChunkSize, plain_.size() - begin);
    aead.Seal(MakeNonce(counter_ + i, final), plain_.subspan(begin, n),
              sealed_.subspan(begin + i * kTagSize, n + kTagSize));
  }

  BlockRunner& runner_;
  const Task task_ = [this](ChaCha20Poly1305& aead, size_t i) { Seal(aead, i, false); };
  uint64_t counter_ = 0;
  std::span<const uint8_t> plain_;
  std::span<uint8_t> sealed_;
  size_t chunks_ = 0;
};

// What opening a block released: the authenticated plaintext at the start of
// the block's output, and the error that stopped the stream, if any.
struct Opened {
  size_t plaintext = 0;
  std::optional<Error> error;
};

// Opens one block of ciphertext. Full chunks followed by more ciphertext are
// inner chunks and open in parallel; the last chunk waits for End(), when the
// caller knows whether more ciphertext follows.
class BlockOpener {
 public:
  explicit BlockOpener(BlockRunner& runner) : runner_(runner) {}

  // `plain` must hold kChunkSize bytes per chunk of `sealed`.
  void Begin(uint64_t counter, std::span<const uint8_t> sealed, std::span<uint8_t> plain) {
    counter_ = counter;
    sealed_ = sealed;
    plain_ = plain;
    chunks_ = CeilDiv(sealed.size(), kEncryptedChunkSize);
    opened_.fill(false);
    runner_.Start(chunks_ > 0 ? chunks_ - 1 : 0, task_);
  }

  // Opens the last chunk (as the final one unless `followed`), waits for the
  // rest, and says how much plaintext authenticated.
  Opened End(bool followed) {
    std::optional<Opened> last;
    if (chunks_ > 0 && followed) {
      opened_[chunks_ - 1] = OpenInner(runner_.caller_aead(), chunks_ - 1);
    } else {
      last = OpenFinal(runner_.caller_aead());
    }
    runner_.Finish();
    // The first chunk that failed as an inner chunk ends the stream; it is
    // tried as a final chunk only to say what is wrong with it.
    const size_t inner = (chunks_ > 0 && followed) ? chunks_ : chunks_ - (chunks_ > 0);
    for (size_t i = 0; i < inner; ++i) {
      if (opened_[i]) continue;
      const uint64_t counter = counter_ + i;
      if (runner_.caller_aead().Open(MakeNonce(counter, true), Chunk(i), Plain(i))) {
        return {(i + 1) * kChunkSize, PayloadError(counter, "trailing data after the final chunk")};
      }
      return {i * kChunkSize,
              PayloadError(counter, "authentication failed (data truncated or modified)")};
    }
    if (!last) return {chunks_ * kChunkSize, std::nullopt};
    last->plaintext += inner * kChunkSize;
    return *last;
  }

 private:
  std::span<const uint8_t> Chunk(size_t i) const {
    const size_t begin = i * kEncryptedChunkSize;
    return sealed_.subspan(begin, std::min(kEncryptedChunkSize, sealed_.size() - begin));
  }
  std::span<uint8_t> Plain(size_t i) const {
    return plain_.subspan(i * kChunkSize, Chunk(i).size() - kTagSize);
  }
  bool OpenInner(ChaCha20Poly1305& aead, size_t i) {
    return Chunk(i).size() == kEncryptedChunkSize &&
           aead.Open(MakeNonce(counter_ + i, false), Chunk(i), Plain(i));
  }

  // The last chunk of the stream, relative to this block's start.
  Opened OpenFinal(ChaCha20Poly1305& aead) {
    if (chunks_ == 0) {
      return {
          0, PayloadError(counter_, counter_ == 0 ? "payload has no chunks"
                                                  : "file ends without a final chunk (truncated)")};
    }
    const size_t i = chunks_ - 1;
    const uint64_t counter = counter_ + i;
    std::span<const uint8_t> chunk = Chunk(i);
    if (chunk.size() < kTagSize) return {0, PayloadError(counter, "chunk is shorter than its tag")};
    const size_t n = chunk.size() - kTagSize;
    if (chunk.size() == kEncryptedChunkSize && OpenInner(aead, i)) {
      // An inner chunk with nothing after it: the final chunk was cut off.
      return {n, PayloadError(counter + 1, "file ends without a final chunk (truncated)")};
    }
    if (!aead.Open(MakeNonce(counter, true), chunk, Plain(i))) {
      return {0, PayloadError(counter, "authentication failed (data truncated or modified)")};
    }
    if (n == 0 && counter > 0) return {0, PayloadError(counter, "final chunk is empty")};
    return {n, std::nullopt};
  }

  BlockRunner& runner_;
  const Task task_ = [this](ChaCha20Poly1305& aead, size_t i) { opened_[i] = OpenInner(aead, i); };
  uint64_t counter_ = 0;
  std::span<const uint8_t> sealed_;
  std::span<uint8_t> plain_;
  size_t chunks_ = 0;
  std::array<bool, kBlockChunks> opened_{};
};

}  // namespace

crypto::SecretBytes PayloadKey(const crypto::SecretBytes& file_key,
                               std::span<const uint8_t> nonce) {
  return crypto::HkdfSha256(file_key.Reveal(), nonce, "payload", ChaCha20Poly1305::kKeySize);
}

Result<void> EncryptPayload(const crypto::SecretBytes& payload_key, Reader& in, Sink& out) {
  TRESOR_ASSIGN_OR_RETURN(ChaCha20Poly1305 aead, ChaCha20Poly1305::Create(payload_key.Reveal()));
  BlockRunner runner(payload_key, aead);
  BlockSealer sealer(runner);

  // A stream that fits in one block is sealed on this thread from the
  // Reader's buffer.
  TRESOR_ASSIGN_OR_RETURN(auto view, in.Peek(kPlainBlock + 1));
  if (view.size() <= kPlainBlock) {
    std::vector<uint8_t> sealed(BlockSealer::SealedSize(view.size()));
    sealer.Begin(0, view, sealed);
    sealer.End(/*final=*/true);
    return out.Write(sealed);
  }

  // A large stream: while the helpers seal block k, this thread writes block
  // k-1 and reads block k+1, which tells whether block k holds the last chunk.
  runner.UseWorkers();
  std::array<crypto::SecretBytes, 2> plain{crypto::SecretBytes(kPlainBlock),
                                           crypto::SecretBytes(kPlainBlock)};
  std::array<std::vector<uint8_t>, 2> sealed{std::vector<uint8_t>(kSealedBlock),
                                             std::vector<uint8_t>(kSealedBlock)};
  TRESOR_ASSIGN_OR_RETURN(size_t size, in.ReadFull(plain[0].Mutable()));
  size_t unwritten = 0;  // sealed bytes of the previous block
  for (uint64_t counter = 0, k = 0;; ++k) {
    const size_t cur = k % 2, other = 1 - cur;
    sealer.Begin(counter, plain[cur].Reveal().first(size), sealed[cur]);
    Result<void> wrote = out.Write(std::span(sealed[other]).first(unwritten));
    Result<size_t> next = wrote ? in.ReadFull(plain[other].Mutable()) : Result<size_t>(0);
    sealer.End(/*final=*/next && *next == 0);
    TRESOR_RETURN_IF_ERROR(wrote);
    if (!next) return std::move(next).error();
    unwritten = BlockSealer::SealedSize(size);
    if (*next == 0) return out.Write(std::span(sealed[cur]).first(unwritten));
    counter += sealer.chunks();
    size = *next;
  }
}

Result<void> DecryptPayload(const crypto::SecretBytes& payload_key, Reader& in, Sink& out) {
  TRESOR_ASSIGN_OR_RETURN(ChaCha20Poly1305 aead, ChaCha20Poly1305::Create(payload_key.Reveal()));
  BlockRunner runner(payload_key, aead);
  BlockOpener opener(runner);
  // Releases authenticated plaintext. The buffers are locked memory, reused
  // for the next block and wiped when freed; wiping after every block too
  // would cost a memset of the whole file.
  auto release = [&](crypto::SecretBytes& plain, size_t n) -> Result<void> {
    return out.Write(plain.Reveal().first(n));
  };
  auto finish = [&](crypto::SecretBytes& plain, Opened opened) -> Result<void> {
    TRESOR_RETURN_IF_ERROR(release(plain, opened.plaintext));
    if (opened.error) return *std::move(opened.error);
    return {};
  };

  // A payload that fits in one block is opened on this thread from the
  // Reader's buffer.
  TRESOR_ASSIGN_OR_RETURN(auto view, in.Peek(kSealedBlock + 1));
  if (view.size() <= kSealedBlock) {
    // Every chunk but the last is full; the last may be shorter than a tag.
    const size_t full = view.empty() ? 0 : (view.size() - 1) / kEncryptedChunkSize;
    const size_t rest = view.size() - full * kEncryptedChunkSize;
    crypto::SecretBytes plain(full * kChunkSize + (rest > kTagSize ? rest - kTagSize : 0));
    opener.Begin(0, view, plain.Mutable());
    return finish(plain, opener.End(/*followed=*/false));
  }

  // A large payload: while the helpers open block k, this thread releases
  // block k-1 and reads block k+1, which tells whether block k holds the last
  // chunk.
  runner.UseWorkers();
  std::array<std::vector<uint8_t>, 2> sealed{std::vector<uint8_t>(kSealedBlock),
                                             std::vector<uint8_t>(kSealedBlock)};
  std::array<crypto::SecretBytes, 2> plain{crypto::SecretBytes(kPlainBlock),
                                           crypto::SecretBytes(kPlainBlock)};
  TRESOR_ASSIGN_OR_RETURN(size_t size, in.ReadFull(sealed[0]));
  size_t unreleased = 0;  // plaintext bytes of the previous block
  for (uint64_t counter = 0, k = 0;; ++k) {
    const size_t cur = k % 2, other = 1 - cur;
    opener.Begin(counter, std::span(sealed[cur]).first(size), plain[cur].Mutable());
    Result<void> released = release(plain[other], unreleased);
    Result<size_t> next = released ? in.ReadFull(sealed[other]) : Result<size_t>(0);
    Opened opened = opener.End(/*followed=*/!next || *next > 0);
    TRESOR_RETURN_IF_ERROR(released);
    if (!next && !opened.error) {
      // The block is full (a short one would have ended the stream). Release
      // all but its last chunk, which may have been the final one.
      opened.plaintext -= kChunkSize;
      opened.error = std::move(next).error();
    }
    if (!next || *next == 0 || opened.error) return finish(plain[cur], std::move(opened));
    unreleased = opened.plaintext;
    counter += size / kEncryptedChunkSize;
    size = *next;
  }
}

}  // namespace tresor::age
