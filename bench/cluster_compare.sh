#!/usr/bin/env bash
# tresor as a cluster next to etcd, same machine, same wrk load, one run:
# a 3-member etcd cluster (fsync on every commit) and 3 tresor nodes on it.
#   - durable KV v2 writes of a 200-byte secret to new keys through 1 node
#     and spread over 3 nodes, next to etcd puts of the same bytes through
#     its JSON gateway
#   - KV v2 reads of one key spread over 3 nodes, next to etcd linearizable
#     ranges of one key of the same size
#   - read-after-write across nodes: a write on node A, then the read of it
#     on node B with the write's X-Vault-Index: p50 and p99 of the pair
# 32 keep-alive connections in all. Prints requests/s, p99 and the ratios.
# On a small machine every process shares the same cores: compare ratios.
# Usage: bench/cluster_compare.sh [BUILD_DIR]   (default build/)
source "$(dirname "$0")/lib.sh"
need wrk etcd curl /usr/bin/python3
scratch
duration=${DURATION:-10}
value=$(printf 'x%.0s' $(seq 170))

cluster="m0=http://127.0.0.1:18302,m1=http://127.0.0.1:18304,m2=http://127.0.0.1:18306"
for i in 0 1 2; do
  client=$((18301 + 2 * i)) peer=$((18302 + 2 * i))
  etcd --name "m$i" --data-dir "$work/etcd$i" \
    --listen-client-urls "http://127.0.0.1:$client" --advertise-client-urls "http://127.0.0.1:$client" \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token "$work" \
    --max-txn-ops 10000 --log-level error >/dev/null 2>&1 & pids+=($!)
done
for i in 0 1 2; do
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$((18301 + 2 * i))/health" >/dev/null && break
    sleep 0.1
  done
done
for i in 0 1 2; do
  cat > "$work/node$i.toml" <<CONF
listen = "127.0.0.1:$((18311 + i))"
[storage]
type = "etcd"
endpoints = ["127.0.0.1:18301", "127.0.0.1:18303", "127.0.0.1:18305"]
prefix = "bench/"
CONF
  "$tresor" server --config "$work/node$i.toml" >/dev/null 2>&1 & pids+=($!)
done
for i in 0 1 2; do
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$((18311 + i))/v1/sys/seal-status" >/dev/null && break
    sleep 0.1
  done
done
TRESOR_ADDR=http://127.0.0.1:18311 "$tresor" operator init --shares 1 --threshold 1 >"$work/init"
for i in 0 1 2; do
  awk '/^unseal key/ {print $4}' "$work/init" |
    TRESOR_ADDR="http://127.0.0.1:$((18311 + i))" "$tresor" operator unseal >/dev/null
done
token=$(awk '/^root token/ {print $3}' "$work/init")

# New keys in every run: a script per node, each its own keys.
for script in put put0 put1 put2; do
  tresor_put_lua "$work/$script.lua" "$token" "$value" "$script"
done
etcd_put_lua "$work/etcd_put.lua" "$value"
cat > "$work/get.lua" <<LUA
wrk.headers["X-Vault-Token"] = "$token"
LUA
curl -sf -H "X-Vault-Token: $token" -d "{\"data\":{\"value\":\"$value\"}}" \
  http://127.0.0.1:18311/v1/secret/data/read >/dev/null
read_key=$(printf 'bench-read' | base64)
read_value=$(printf '{"data":{"value":"%s"}}' "$value" | base64 -w0)
curl -sf -X POST -d "{\"key\":\"$read_key\",\"value\":\"$read_value\"}" \
  http://127.0.0.1:18301/v3/kv/put >/dev/null
cat > "$work/range.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"key":"$read_key"}'
LUA

run() {  # url script threads conns
  local out
  out=$(wrk -t"$3" -c"$4" -d"${duration}s" --latency -s "$2" "$1")
  grep -q "Non-2xx" <<<"$out" && { echo "errors in the run: $out" >&2; exit 1; }
  wrk_figures <<<"$out"
}
spread() {  # path script: 3 wrk at once, one per node (%i in script: its number); the sum and the worst p99
  local i
  for i in 0 1 2; do
    run "http://127.0.0.1:$((18311 + i))$1" "${2//%i/$i}" 1 11 >"$work/spread$i" &
  done
  wait "${!}" 2>/dev/null || true
  sleep 0.1
  while [ "$(cat "$work"/spread? 2>/dev/null | wc -l)" -lt 3 ]; do sleep 0.1; done
  cat "$work"/spread? | awk '{rps += $1; if ($2 > p) p = $2} END {print rps, p}'
  rm -f "$work"/spread?
}
ratio() { /usr/bin/python3 -c "print(f'{$1/$2:.2f}')"; }

read -r e_rps e_p99 < <(run http://127.0.0.1:18301/v3/kv/put "$work/etcd_put.lua" 2 32)
read -r t1_rps t1_p99 < <(run http://127.0.0.1:18311/v1/secret/data/ "$work/put.lua" 2 32)
read -r t3_rps t3_p99 < <(spread /v1/secret/data/ "$work/put%i.lua")
read -r r_rps r_p99 < <(run http://127.0.0.1:18301/v3/kv/range "$work/range.lua" 2 32)
read -r g_rps g_p99 < <(spread /v1/secret/data/read "$work/get.lua")

printf '%-50s %10s %9s %9s\n' "3-member etcd, 32 conns" "req/s" "p99 ms" "vs etcd"
printf '%-50s %10.0f %9.2f %9s\n' "etcd put (JSON gateway)" "$e_rps" "$e_p99" "1.00"
printf '%-50s %10.0f %9.2f %9s\n' "tresor KV v2 write, through 1 node" "$t1_rps" "$t1_p99" \
  "$(ratio "$t1_rps" "$e_rps")"
printf '%-50s %10.0f %9.2f %9s\n' "tresor KV v2 write, spread over 3 nodes" "$t3_rps" "$t3_p99" \
  "$(ratio "$t3_rps" "$e_rps")"
printf '%-50s %10.0f %9.2f %9s\n' "etcd linearizable range of one key" "$r_rps" "$r_p99" "1.00"
printf '%-50s %10.0f %9.2f %9s\n' "tresor KV v2 read, spread over 3 nodes" "$g_rps" "$g_p99" \
  "$(ratio "$g_rps" "$r_rps")"

/usr/bin/python3 - "$token" "$value" <<'PY'
import http.client, json, sys, time
token, value = sys.argv[1], sys.argv[2]
a = http.client.HTTPConnection("127.0.0.1", 18311)
b = http.client.HTTPConnection("127.0.0.1", 18312)
took = []
for i in range(500):
    start = time.perf_counter()
    a.request("POST", f"/v1/secret/data/raw/{i}", json.dumps({"data": {"value": value}}),
              {"X-Vault-Token": token})
    w = a.getresponse(); w.read()
    b.request("GET", f"/v1/secret/data/raw/{i}", headers={
        "X-Vault-Token": token, "X-Vault-Index": w.getheader("X-Vault-Index")})
    r = b.getresponse(); body = r.read()
    took.append((time.perf_counter() - start) * 1000)
    assert w.status == 200 and r.status == 200, (w.status, r.status, body)
    assert json.loads(body)["data"]["data"]["value"] == value
took.sort()
print(f"read-after-write, write on node A then read on node B with its index: "
      f"p50 {took[len(took) // 2]:.2f} ms, p99 {took[int(len(took) * 0.99)]:.2f} ms (500 pairs)")
PY
echo
echo "targets: writes >= 0.8x etcd; reads spread over 3 nodes >= 10x etcd's linearizable ranges"
