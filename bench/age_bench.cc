// In-process throughput of the age codec and its AEAD, without file I/O.
// Run: build/bench/age_bench
#include <benchmark/benchmark.h>

#include "age/encrypt.h"
#include "age/x25519.h"
#include "crypto/aead.h"
#include "crypto/random.h"

namespace tresor::age {
namespace {

// Discards output, so only the codec is measured.
class NullSink : public Sink {
 public:
  Result<void> Write(std::span<const uint8_t>) override { return {}; }
};

void BM_ChaCha20Poly1305Seal64KiB(benchmark::State& state) {
  auto aead = crypto::ChaCha20Poly1305::Create(std::vector<uint8_t>(32, 1)).value();
  std::vector<uint8_t> in(64 * 1024), out(in.size() + 16);
  const std::array<uint8_t, 12> nonce{};
  for (auto _ : state) {
    aead.Seal(nonce, in, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
}
BENCHMARK(BM_ChaCha20Poly1305Seal64KiB);

void BM_Encrypt(benchmark::State& state) {
  const X25519Recipient r = X25519Identity::Generate().ToRecipient();
  const Recipient* rs[] = {&r};
  std::vector<uint8_t> plain(static_cast<size_t>(state.range(0)));
  crypto::FillRandom(plain);
  for (auto _ : state) {
    SpanSource in(plain);
    NullSink out;
    benchmark::DoNotOptimize(Encrypt(rs, in, out).has_value());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * plain.size()));
}
// Real time: large payloads use every core.
BENCHMARK(BM_Encrypt)->Arg(100)->Arg(16 << 20)->UseRealTime();

void BM_Decrypt(benchmark::State& state) {
  const X25519Identity id = X25519Identity::Generate();
  const X25519Recipient r = id.ToRecipient();
  const Recipient* rs[] = {&r};
  const Identity* ids[] = {&id};
  std::vector<uint8_t> plain(static_cast<size_t>(state.range(0)));
  crypto::FillRandom(plain);
  SpanSource in(plain);
  VectorSink enc;
  (void)Encrypt(rs, in, enc);
  for (auto _ : state) {
    SpanSource src(enc.data());
    NullSink out;
    benchmark::DoNotOptimize(Decrypt(ids, src, out).has_value());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * plain.size()));
}
BENCHMARK(BM_Decrypt)->Arg(100)->Arg(16 << 20)->UseRealTime();

}  // namespace
}  // namespace tresor::age
