#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test:
#   1. release build, warnings as errors, full ctest suite
#   2. the same suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   3. libFuzzer on every parser target in fuzz/ (age header and armor, sops files
#      and ansible vaults, dotenvx files, the file-format adapters, sealed values, rules, agent
#      protocol, policies, HTTP requests and responses, audit lines, the API,
#      request bodies, snapshot streams, JWTs and JWKS documents, a transit
#      seal keeper's answers), one per core; FUZZ_BUDGET seconds in
#      all (default 480: CI's hour has room for that much), shared out so that
#      every target gets the same time (at least 20 s); FUZZ_SECONDS sets the
#      time per target instead
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

targets=(header armor ini dotenv json toml yaml token rules agent policy http audit api response
  body snapshot sops ansible dotenvx jwt seal)
rounds=$(( (${#targets[@]} + jobs - 1) / jobs ))
FUZZ_SECONDS=${FUZZ_SECONDS:-$(( ${FUZZ_BUDGET:-480} / rounds > 20 ? ${FUZZ_BUDGET:-480} / rounds : 20 ))}
echo "== fuzzing (${FUZZ_SECONDS}s per target, $jobs at a time)"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTRESOR_WERROR=ON -DTRESOR_FUZZ=ON -DTRESOR_TESTS=OFF -DTRESOR_BENCH=OFF >/dev/null
cmake --build build-fuzz --target "${targets[@]/%/_fuzz}"
# One fuzzer per core; each one's last lines and outcome are printed in
# order once all are done, and any failure fails the run.
fuzz_one() {
  local target=$1 work="build-fuzz/corpus-$1"
  mkdir -p "$work"
  LSAN_OPTIONS="suppressions=$PWD/fuzz/lsan.supp" \
    "build-fuzz/fuzz/${target}_fuzz" -max_total_time="$FUZZ_SECONDS" -max_len=65536 \
    -timeout=10 -print_final_stats=1 -artifact_prefix="$work-" "$work" "fuzz/corpus/$target" \
    >"$work.log" 2>&1
}
export -f fuzz_one
export FUZZ_SECONDS
fuzz_failed=0
rm -f build-fuzz/corpus-*.failed build-fuzz/corpus-*-{crash,leak,oom,timeout,slow-unit}-*
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'fuzz_one {} || touch build-fuzz/corpus-{}.failed'
for target in "${targets[@]}"; do
  echo "-- $target"
  tail -n 12 "build-fuzz/corpus-$target.log"
  if [ -e "build-fuzz/corpus-$target.failed" ]; then
    # The whole report (the trace starts well before the last lines) and the
    # input that caused it, so a failure seen only in CI can be replayed.
    sed -n '/ERROR: \|runtime error/,$p' "build-fuzz/corpus-$target.log" | head -n 80
    for input in build-fuzz/corpus-"$target"-*; do
      if [ -f "$input" ]; then echo "input $input (base64): $(base64 -w0 "$input")"; fi
    done
    echo "FUZZ TARGET FAILED: $target" >&2
    rm -f "build-fuzz/corpus-$target.failed"
    fuzz_failed=1
  fi
done
[ "$fuzz_failed" = 0 ]
echo "all tests passed"
