#!/usr/bin/env bash
# Durable writes next to etcd, same machine, same wrk load, one run:
#   - tresor server --config (SQLite, WAL, synchronous=FULL): KV v2 writes
#     of a 200-byte secret to new keys, each answered after its fsync; and
#     the next version of one of 1,000 keys that keep 10 versions each
#   - etcd (a single member, fsync on every commit): puts of the same size
#     through its JSON gateway
# 32 keep-alive connections, wrk -t2. Prints writes/s, p99 and the ratio.
# Usage: bench/durable_writes.sh [BUILD_DIR]   (default build/)
source "$(dirname "$0")/lib.sh"
need wrk etcd curl /usr/bin/python3
scratch
duration=${DURATION:-10}
conns=${CONNS:-32}

value=$(printf 'x%.0s' $(seq 170))
mkdir -m 700 "$work/data"
cat > "$work/server.toml" <<CONF
listen = "127.0.0.1:18291"
data_dir = "$work/data"
CONF
"$tresor" server --config "$work/server.toml" >/dev/null 2>&1 & pids+=($!)
etcd --data-dir "$work/etcd" --listen-client-urls http://127.0.0.1:18292 \
  --advertise-client-urls http://127.0.0.1:18292 --listen-peer-urls http://127.0.0.1:18293 \
  --log-level error >/dev/null 2>&1 & pids+=($!)
sleep 1
export TRESOR_ADDR=http://127.0.0.1:18291
"$tresor" operator init --shares 1 --threshold 1 >"$work/init" 2>/dev/null
awk '/^unseal key/ {print $4}' "$work/init" | "$tresor" operator unseal >/dev/null
token=$(awk '/^root token/ {print $3}' "$work/init")

tresor_put_lua "$work/tresor.lua" "$token" "$value"
# The next version of one of 1,000 keys (500 per wrk thread), 10 kept each.
tresor_put_lua "$work/update.lua" "$token" "$value" update 500
etcd_put_lua "$work/etcd.lua" "$value"
curl -sf -X POST -d "{\"key\":\"$(printf probe | base64)\",\"value\":\"eA==\"}" \
  http://127.0.0.1:18292/v3/kv/put >/dev/null || { echo "etcd did not answer" >&2; exit 1; }

measure() {  # url script
  local out
  out=$(wrk -t2 -c"$conns" -d"${duration}s" --latency -s "$2" "$1")
  grep -q "Non-2xx" <<<"$out" && { echo "errors in the run: $out" >&2; exit 1; }
  wrk_figures <<<"$out"
}
read -r e_rps e_p99 < <(measure http://127.0.0.1:18292 "$work/etcd.lua")
read -r t_rps t_p99 < <(measure http://127.0.0.1:18291 "$work/tresor.lua")
read -r u_rps u_p99 < <(measure http://127.0.0.1:18291 "$work/update.lua")
printf '%-44s %10s %9s %9s\n' "durable writes, $conns conns, wrk -t2" "writes/s" "p99 ms" "vs etcd"
printf '%-44s %10.0f %9.2f %9s\n' "etcd 3.4 put (single member)" "$e_rps" "$e_p99" "1.00"
printf '%-44s %10.0f %9.2f %9s\n' "tresor KV v2 write (SQLite, group commit)" "$t_rps" "$t_p99" \
  "$(/usr/bin/python3 -c "print(f'{$t_rps/$e_rps:.2f}')")"
printf '%-44s %10.0f %9.2f %9s\n' "tresor: the next version of a kept key" "$u_rps" "$u_p99" \
  "$(/usr/bin/python3 -c "print(f'{$u_rps/$e_rps:.2f}')")"
# Every acknowledged write must be there: count the keys tresor listed.
listed=$(curl -sf -H "X-Vault-Token: $token" -X LIST http://127.0.0.1:18291/v1/secret/metadata/bench \
  | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["data"]["keys"]))')
echo "tresor keys stored: $listed (the new keys and the 1,000 updated ones)"
echo
echo "target: at least 10,000 durable writes/s with $conns concurrent writers"
