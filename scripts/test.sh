#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test:
#   1. release build, warnings as errors, full ctest suite
#   2. the same suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   3. libFuzzer on every parser target in fuzz/ (age header and armor, the
#      file-format adapters, sealed values, rules, agent protocol, policies,
#      HTTP requests and responses, audit lines, the API), FUZZ_SECONDS each
#      (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
jobs=$(nproc)

echo "== release build and tests"
./scripts/build.sh
ctest --test-dir build --output-on-failure -j "$jobs"

echo "== ASan+UBSan build and tests"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTRESOR_WERROR=ON \
  -DTRESOR_SANITIZE=ON -DTRESOR_BENCH=OFF >/dev/null
cmake --build build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs"

echo "== fuzzing (${FUZZ_SECONDS:-60}s per target)"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTRESOR_WERROR=ON -DTRESOR_FUZZ=ON -DTRESOR_TESTS=OFF -DTRESOR_BENCH=OFF >/dev/null
cmake --build build-fuzz --target header_fuzz armor_fuzz ini_fuzz dotenv_fuzz json_fuzz toml_fuzz yaml_fuzz token_fuzz rules_fuzz agent_fuzz policy_fuzz http_fuzz audit_fuzz api_fuzz response_fuzz body_fuzz
for target in header armor ini dotenv json toml yaml token rules agent policy http audit api response body; do
  work="build-fuzz/corpus-$target"
  mkdir -p "$work"
  LSAN_OPTIONS="suppressions=$PWD/fuzz/lsan.supp" \
    "build-fuzz/fuzz/${target}_fuzz" -max_total_time="${FUZZ_SECONDS:-60}" -max_len=65536 -timeout=10 \
    -print_final_stats=1 "$work" "fuzz/corpus/$target" 2>&1 | tail -n 12
done
echo "all tests passed"
