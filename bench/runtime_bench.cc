// In-process cost of tresor::Config: open a sealed file (read, unwrap the
// file key with an identity file, verify the MAC, decrypt, resolve
// references) and read one value. The same on the plaintext file is the
// baseline: the difference is what sealing costs a program at start-up.
//
// Inputs come from the environment, written by bench/runtime_compare.sh:
//   TRESOR_BENCH_SEALED  the sealed file
//   TRESOR_BENCH_PLAIN   the same file in plain text
//   TRESOR_BENCH_KEY     the path to read (section.option)
//   TRESOR_IDENTITY_FILE the identity that opens the sealed file
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "runtime/config.h"

namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

void OpenAndGet(benchmark::State& state, const char* file_variable) {
  const std::string file = Env(file_variable);
  const std::string key = Env("TRESOR_BENCH_KEY");
  if (file.empty() || key.empty()) {
    state.SkipWithError("run through bench/runtime_compare.sh (TRESOR_BENCH_* unset)");
    return;
  }
  for (auto _ : state) {
    auto config = tresor::Config::Open(file);
    if (!config.has_value()) {
      state.SkipWithError(config.error().message.c_str());
      return;
    }
    auto value = config->Get(key);
    if (!value.has_value()) {
      state.SkipWithError(value.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(value->data());
  }
}

void BM_OpenGetSealed(benchmark::State& state) { OpenAndGet(state, "TRESOR_BENCH_SEALED"); }
void BM_OpenGetPlain(benchmark::State& state) { OpenAndGet(state, "TRESOR_BENCH_PLAIN"); }

BENCHMARK(BM_OpenGetSealed)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_OpenGetPlain)->Unit(benchmark::kMicrosecond);

}  // namespace
