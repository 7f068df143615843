#!/usr/bin/env bash
# Time to recover from each failure of the cluster, under continuous writes:
# runs tests/cluster/failure_test.py (a real 3-member etcd with a 500 ms
# election timeout, 3 tresor nodes with request_timeout 1s and lease_ttl 2s,
# three writers that know every node's address) and prints, per failure, the
# longest any writer waited for an acknowledged write, and how long the
# background work took to move to another node. The peer is etcd's own
# election time (one to two election timeouts): for a dead etcd leader,
# nothing on top of it can be faster.
# Usage: bench/cluster_recovery.sh [BUILD_DIR]   (default build/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
cd "$root/tests/cluster"
TRESOR_BIN="$build/src/cli/tresor" TRESOR_BUILD_DIR="$build" \
  /usr/bin/python3 -m unittest failure_test 2>&1 |
  grep -E "longest wait|background work moved|^(OK|FAILED)"
