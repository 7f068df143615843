# Sourced by the bench scripts: strict mode, the repository root as the
# working directory, the tresor binary of BUILD_DIR ($1, default build/),
# and `need TOOL...` to check for the tools a script runs.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build=${1:-build}
tresor="$root/$build/src/cli/tresor"
[ -x "$tresor" ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
need() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "missing $tool: scripts/install-deps.sh" >&2; exit 1; }
  done
}
# `scratch`: $work, a temporary directory, and $pids, background processes
# to stop; both are cleaned up when the script exits.
scratch() {
  work=$(mktemp -d)
  pids=()
  trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null; rm -rf "$work"' EXIT
}
# The requests/s and p99 (in ms) of a `wrk --latency` report on stdin.
wrk_figures() {
  awk '/Requests\/sec/ {rps = $2}
       $1 == "99%" {v = $2; if (v ~ /us$/) {sub(/us/, "", v); v = v / 1000}
                    else if (v ~ /ms$/) {sub(/ms/, "", v)}
                    else if (v ~ /s$/) {sub(/s/, "", v); v = v * 1000}; p99 = v}
       END {print rps, p99}'
}
