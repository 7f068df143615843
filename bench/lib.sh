# Sourced by the bench scripts: strict mode, the repository root as the
# working directory, the tresor binary of BUILD_DIR ($1, default build/),
# and `need TOOL...` to check for the tools a script runs.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build=${1:-build}
case $build in
  /*) tresor="$build/src/cli/tresor" ;;
  *) tresor="$root/$build/src/cli/tresor" ;;
esac
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
# `tresor_put_lua FILE TOKEN VALUE [PREFIX [KEYS]]`: a wrk script in which
# every request writes a new KV v2 key (bench/[PREFIX-]THREAD-COUNTER)
# holding VALUE; scripts run at once, or one after another on one store,
# each need a PREFIX of their own for their keys to be new. With KEYS, each
# thread writes the next version of one of its KEYS keys in turn instead.
# $TRESOR_PUT_HEADER ("Name: value") adds a header to every request.
tresor_put_lua() {
  cat > "$1" <<LUA
threads = 0
function setup(thread) threads = threads + 1; thread:set("id", threads) end
local n = 0
function request()
  n = n + 1
  return wrk.format("POST", "/v1/secret/data/bench/${4:+$4-}" .. id .. "-" .. (n ${5:+% $5}),
    {["X-Vault-Token"] = "$2"${TRESOR_PUT_HEADER:+, [\"${TRESOR_PUT_HEADER%%: *}\"] = \"${TRESOR_PUT_HEADER#*: }\"}},
    '{"data":{"value":"$3"}}')
end
LUA
}
# `etcd_put_lua FILE VALUE`: the same through etcd's JSON gateway (keys and
# values base64), the same bytes as tresor's request body.
etcd_put_lua() {
  cat > "$1" <<LUA
local b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function enc(s)
  return ((s:gsub(".", function(c)
    local r, b = "", c:byte()
    for i = 8, 1, -1 do r = r .. (b % 2 ^ i - b % 2 ^ (i - 1) > 0 and "1" or "0") end
    return r
  end) .. "0000"):gsub("%d%d%d?%d?%d?%d?", function(x)
    if #x < 6 then return "" end
    local c = 0
    for i = 1, 6 do c = c + (x:sub(i, i) == "1" and 2 ^ (6 - i) or 0) end
    return b64:sub(c + 1, c + 1)
  end) .. ({"", "==", "="})[#s % 3 + 1])
end
local value = enc('{"data":{"value":"$2"}}')
threads = 0
function setup(thread) threads = threads + 1; thread:set("id", threads) end
local n = 0
function request()
  n = n + 1
  return wrk.format("POST", "/v3/kv/put", nil,
    '{"key":"' .. enc("bench/" .. id .. "-" .. n) .. '","value":"' .. value .. '"}')
end
LUA
}
# `dev_server PORT`: a tresor development server (in memory) on PORT whose
# root token is bench-root, exported as TRESOR_ADDR and TRESOR_TOKEN, and
# stopped at exit (after `scratch`).
dev_server() {
  export TRESOR_ADDR=http://127.0.0.1:$1 TRESOR_TOKEN=bench-root
  "$tresor" server --dev --listen "127.0.0.1:$1" --dev-root-token bench-root >/dev/null 2>&1 &
  pids+=($!)
  until curl -sf "$TRESOR_ADDR/v1/sys/health" >/dev/null 2>&1; do sleep 0.1; done
}
