#include "age/stream.h"

#include <array>
#include <vector>

#include "crypto/aead.h"
#include "crypto/kdf.h"

namespace tresor::age {
namespace {

using crypto::ChaCha20Poly1305;

// Plaintext and ciphertext are staged in blocks of this many chunks so that
// output costs one write(2) per megabyte, not per chunk.
constexpr size_t kStagedChunks = 16;

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

}  // namespace

crypto::SecretBytes PayloadKey(const crypto::SecretBytes& file_key,
                               std::span<const uint8_t> nonce) {
  return crypto::HkdfSha256(file_key.Reveal(), nonce, "payload", ChaCha20Poly1305::kKeySize);
}

Result<void> EncryptPayload(const crypto::SecretBytes& payload_key, Reader& in, Sink& out) {
  TRESOR_ASSIGN_OR_RETURN(ChaCha20Poly1305 aead, ChaCha20Poly1305::Create(payload_key.Reveal()));
  std::vector<uint8_t> staged(kEncryptedChunkSize);  // grows after the first chunk
  size_t used = 0;
  for (uint64_t counter = 0;; ++counter) {
    // One byte of lookahead tells whether this chunk is the last.
    TRESOR_ASSIGN_OR_RETURN(auto view, in.Peek(kChunkSize + 1));
    const bool last = view.size() <= kChunkSize;
    const size_t n = last ? view.size() : kChunkSize;
    aead.Seal(MakeNonce(counter, last), view.first(n), {staged.data() + used, n + kTagSize});
    used += n + kTagSize;
    in.Consume(n);
    if (last || used + kEncryptedChunkSize > staged.size()) {
      TRESOR_RETURN_IF_ERROR(out.Write({staged.data(), used}));
      used = 0;
      if (!last) staged.resize(kStagedChunks * kEncryptedChunkSize);
    }
    if (last) return {};
  }
}

Result<void> DecryptPayload(const crypto::SecretBytes& payload_key, Reader& in, Sink& out) {
  TRESOR_ASSIGN_OR_RETURN(ChaCha20Poly1305 aead, ChaCha20Poly1305::Create(payload_key.Reveal()));
  // One chunk of staging for small files; the full block once a second
  // chunk shows the file is large.
  crypto::SecretBytes staged(kChunkSize);
  size_t used = 0;
  auto flush = [&]() -> Result<void> {
    auto written = out.Write(staged.Reveal().first(used));
    crypto::Wipe(staged.Mutable().first(used));
    used = 0;
    return written;
  };
  // Releases what already authenticated, then reports `error`.
  auto fail = [&](Error error) -> Result<void> {
    TRESOR_RETURN_IF_ERROR(flush());
    return error;
  };

  for (uint64_t counter = 0;; ++counter) {
    auto peeked = in.Peek(kEncryptedChunkSize);
    if (!peeked) return fail(std::move(peeked).error());
    std::span<const uint8_t> chunk = *peeked;
    if (chunk.empty()) {
      return fail(PayloadError(counter, counter == 0
                                            ? "payload has no chunks"
                                            : "file ends without a final chunk (truncated)"));
    }
    if (chunk.size() < kTagSize)
      return fail(PayloadError(counter, "chunk is shorter than its tag"));
    const size_t n = chunk.size() - kTagSize;
    std::span<uint8_t> plain = staged.Mutable().subspan(used, n);
    bool last = chunk.size() < kEncryptedChunkSize;
    // A full chunk is normally not the last; a full final chunk is legal too,
    // so it is tried as final only when it does not open as an inner chunk.
    bool opened = aead.Open(MakeNonce(counter, last), chunk, plain);
    if (!opened && !last) {
      last = true;
      opened = aead.Open(MakeNonce(counter, true), chunk, plain);
    }
    if (!opened) {
      return fail(PayloadError(counter, "authentication failed (data truncated or modified)"));
    }
    if (last && n == 0 && counter > 0) {
      return fail(PayloadError(counter, "final chunk is empty"));
    }
    in.Consume(chunk.size());
    used += n;
    if (last) {
      auto at_end = in.AtEnd();
      if (!at_end) return fail(std::move(at_end).error());
      if (!*at_end) return fail(PayloadError(counter, "trailing data after the final chunk"));
      return flush();
    }
    if (used + kChunkSize > staged.size()) {
      TRESOR_RETURN_IF_ERROR(flush());
      if (staged.size() < kStagedChunks * kChunkSize) {
        staged = crypto::SecretBytes(kStagedChunks * kChunkSize);
      }
    }
  }
}

}  // namespace tresor::age
