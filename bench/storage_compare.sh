#!/usr/bin/env bash
# Two builds of tresor back to back, in one run, on the benchmarks that a
# storage change can move: durable KV writes (next to etcd,
# bench/durable_writes.sh) and KV reads (next to nginx,
# bench/server_compare.sh, the "separate" layout). Compare the ratios of
# one run: these machines are shared and noisy.
# Usage: bench/storage_compare.sh OLD_BUILD_DIR NEW_BUILD_DIR   (relative to the repository)
#   e.g. git worktree add /tmp/old <commit> && (cd /tmp/old && scripts/build.sh)
#        bench/storage_compare.sh ../../tmp/old/build build
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { sed -n '2,9p' "$0" >&2; exit 2; }
for build in "$1" "$2"; do
  echo "== $build"
  bench/durable_writes.sh "$build"
  LAYOUTS=${LAYOUTS:-separate} bench/server_compare.sh "$build"
done
