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
