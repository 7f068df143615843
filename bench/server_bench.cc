// In-process cost of what every server request does before its handler:
// the token's HMAC (one-shot, and with the keyed state computed once, as
// the token store and the audit log now use it) and a token lookup.
// Run: build/bench/server_bench
#include <benchmark/benchmark.h>

#include <string>

#include "crypto/kdf.h"
#include "crypto/random.h"
#include "server/tokens.h"

namespace tresor::server {
namespace {

// The shape of a service token: "hvs." and 24 base62 characters.
const std::string kToken = "hvs.CAESIJlWh0mYgR1X1aQw2bXe";

void BM_TokenHmacOneShot(benchmark::State& state) {
  const auto key = crypto::RandomSecret(32);
  for (auto _ : state) {
    benchmark::DoNotOptimize(crypto::HmacSha256(key.Reveal(), crypto::AsBytes(kToken)));
  }
}
BENCHMARK(BM_TokenHmacOneShot);

void BM_TokenHmacKeyed(benchmark::State& state) {
  const crypto::HmacSha256Key key(crypto::RandomSecret(32).Reveal());
  for (auto _ : state) benchmark::DoNotOptimize(key.Mac(crypto::AsBytes(kToken)));
}
BENCHMARK(BM_TokenHmacKeyed);

void BM_TokenLookup(benchmark::State& state) {
  TokenStore store;
  std::string token;
  for (int i = 0; i < state.range(0); ++i) token = store.Create({.ttl = 3600}, "").value().first;
  for (auto _ : state) benchmark::DoNotOptimize(store.Lookup(token));
}
BENCHMARK(BM_TokenLookup)->Arg(1)->Arg(100000);

}  // namespace
}  // namespace tresor::server
