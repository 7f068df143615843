#!/usr/bin/env bash
# The persistent server with many secrets, next to etcd with as many keys:
#   - resident memory idle (initialised, unsealed, empty);
#   - after writing N secrets of 200 bytes (N=1,000,000 unless given);
#   - start-up with N secrets: process start to the first answered read
#     (tresor: start, unseal, read; etcd: start, read), and RSS after it.
# Writes go through bench/fill.py (4 processes x 8 threads, keep-alive),
# the same for both.
# Usage: N=1000000 bench/server_scale.sh [BUILD_DIR]   (default build/)
source "$(dirname "$0")/lib.sh"
need etcd curl /usr/bin/python3
scratch
n=${N:-1000000}
value=$(printf 'x%.0s' $(seq 170))
rss_mb() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
now_ms() { date +%s%3N; }

mkdir -m 700 "$work/data"
printf 'listen = "127.0.0.1:18301"\ndata_dir = "%s/data"\n' "$work" > "$work/server.toml"
export TRESOR_ADDR=http://127.0.0.1:18301
start_tresor() {
  "$tresor" server --config "$work/server.toml" >/dev/null 2>&1 & tresor_pid=$!
  pids+=($tresor_pid)
  until curl -s -o /dev/null "$TRESOR_ADDR/v1/sys/health"; do sleep 0.01; done
}
start_etcd() {
  etcd --data-dir "$work/etcd" --listen-client-urls http://127.0.0.1:18302 \
    --advertise-client-urls http://127.0.0.1:18302 --listen-peer-urls http://127.0.0.1:18303 \
    --quota-backend-bytes 8589934592 --log-level error >/dev/null 2>&1 & etcd_pid=$!
  pids+=($etcd_pid)
  until curl -s -o /dev/null -X POST -d '{"key":"eA=="}' http://127.0.0.1:18302/v3/kv/range; do
    sleep 0.01
  done
}

start_tresor
"$tresor" operator init --shares 1 --threshold 1 >"$work/init" 2>/dev/null
key=$(awk '/^unseal key/ {print $4}' "$work/init")
token=$(awk '/^root token/ {print $3}' "$work/init")
echo "$key" | "$tresor" operator unseal >/dev/null
start_etcd
sleep 1
tresor_idle=$(rss_mb "$tresor_pid")
etcd_idle=$(rss_mb "$etcd_pid")

t0=$(now_ms)
/usr/bin/python3 bench/fill.py tresor "$TRESOR_ADDR" "$token" "$n"
tresor_fill=$(( $(now_ms) - t0 ))
t0=$(now_ms)
/usr/bin/python3 bench/fill.py etcd http://127.0.0.1:18302 "$n"
etcd_fill=$(( $(now_ms) - t0 ))
b64() { printf '%s' "$1" | base64 -w0; }
tresor_full=$(rss_mb "$tresor_pid")
etcd_full=$(rss_mb "$etcd_pid")
stored=$(curl -sf -H "X-Vault-Token: $token" -X LIST "$TRESOR_ADDR/v1/secret/metadata/s/7" |
  /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["data"]["keys"]))')

kill "$tresor_pid" "$etcd_pid"; wait "$tresor_pid" "$etcd_pid" 2>/dev/null || true
t0=$(now_ms)
start_tresor
echo "$key" | "$tresor" operator unseal >/dev/null
curl -sf -H "X-Vault-Token: $token" "$TRESOR_ADDR/v1/secret/data/s/1/1" | grep -q xxxx
tresor_start=$(( $(now_ms) - t0 ))
tresor_after=$(rss_mb "$tresor_pid")
t0=$(now_ms)
start_etcd
curl -sf -X POST -d "{\"key\":\"$(b64 s/1/1)\"}" http://127.0.0.1:18302/v3/kv/range | grep -q kvs
etcd_start=$(( $(now_ms) - t0 ))
etcd_after=$(rss_mb "$etcd_pid")

printf '%-40s %12s %12s\n' "$n secrets of 200 bytes" "tresor" "etcd 3.4"
printf '%-40s %12s %12s\n' "RSS idle (MiB)" "$tresor_idle" "$etcd_idle"
printf '%-40s %12s %12s\n' "time to write them, 32 writers (s)" \
  "$(/usr/bin/python3 -c "print(f'{$tresor_fill/1000:.1f}')")" "$(/usr/bin/python3 -c "print(f'{$etcd_fill/1000:.1f}')")"
printf '%-40s %12s %12s\n' "RSS after writing (MiB)" "$tresor_full" "$etcd_full"
printf '%-40s %12s %12s\n' "start-up to first read (ms)" "$tresor_start" "$etcd_start"
printf '%-40s %12s %12s\n' "RSS after start-up and one read (MiB)" "$tresor_after" "$etcd_after"
printf '%-40s %12s\n' "database on disk (MiB)" "$(du -sm "$work/data" | cut -f1)"
echo "tresor keys under s/7/: $stored (of $(( (n + 999 - 7) / 1000 )) written there)"
