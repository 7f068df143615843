#!/usr/bin/env bash
# Snapshots next to their peers, same machine, one run:
#   - a tresor server on SQLite filled with N secrets (new KV v2 keys of
#     200 bytes, by wrk) and an etcd member filled with as many puts of the
#     same size (its JSON gateway, by wrk)
#   - save: `tresor operator snapshot save` (an age file) next to etcd's
#     snapshot (POST /v3/maintenance/snapshot through its JSON gateway, as
#     there is no etcdctl here) and `sqlite3 .backup` of tresor's database
#   - restore: `tresor operator snapshot restore` next to `sqlite3 .restore`
#   - reads while snapshots are saved back to back, next to reads without:
#     requests/s and p99 (wrk, 32 connections)
# Prints seconds, MB/s and records/s, and the ratios.
# Usage: N=1000000 bench/snapshot_compare.sh [BUILD_DIR]   (default N=200000)
source "$(dirname "$0")/lib.sh"
need wrk etcd curl sqlite3 age-keygen /usr/bin/python3
scratch
n=${N:-200000}
conns=32
value=$(printf 'x%.0s' $(seq 170))
mkdir -m 700 "$work/data"
printf 'listen = "127.0.0.1:18295"\ndata_dir = "%s"\n' "$work/data" > "$work/server.toml"
"$tresor" server --config "$work/server.toml" >/dev/null 2>&1 & pids+=($!)
etcd --data-dir "$work/etcd" --listen-client-urls http://127.0.0.1:18296 \
  --advertise-client-urls http://127.0.0.1:18296 --listen-peer-urls http://127.0.0.1:18297 \
  --quota-backend-bytes $((8 << 30)) --log-level error >/dev/null 2>&1 & pids+=($!)
export TRESOR_ADDR=http://127.0.0.1:18295
until curl -sf "$TRESOR_ADDR/v1/sys/health?uninitcode=200" >/dev/null 2>&1; do sleep 0.1; done
until curl -sf -X POST -d '{}' http://127.0.0.1:18296/v3/maintenance/status >/dev/null 2>&1; do
  sleep 0.1
done
"$tresor" operator init --shares 1 --threshold 1 >"$work/init" 2>/dev/null
awk '/^unseal key/ {print $4}' "$work/init" | "$tresor" operator unseal >/dev/null
token=$(awk '/^root token/ {print $3}' "$work/init")
age-keygen -o "$work/backup.key" 2>/dev/null
recipient=$(age-keygen -y "$work/backup.key")

# Fill both: wrk until each holds at least N records.
count_tresor() { sqlite3 "file:$work/data/tresor.db?mode=ro" 'SELECT count(*) FROM records'; }
count_etcd() {
  curl -sf -X POST -d "{\"key\":\"$(printf bench/ | base64)\",\"range_end\":\"$(printf bench0 | base64)\",\"count_only\":true}" \
    http://127.0.0.1:18296/v3/kv/range | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin).get("count", 0))'
}
round=0
while [ "$(count_tresor)" -lt "$n" ]; do
  round=$((round + 1))
  tresor_put_lua "$work/tresor.lua" "$token" "$value" "r$round"
  wrk -t2 -c"$conns" -d5s -s "$work/tresor.lua" "$TRESOR_ADDR" >/dev/null
done
round=0
while [ "$(count_etcd)" -lt "$n" ]; do
  round=$((round + 1))
  etcd_put_lua "$work/etcd.lua" "$value"
  sed -i "s|enc(\"bench/\" .. id|enc(\"bench/r$round-\" .. id|" "$work/etcd.lua"
  wrk -t2 -c"$conns" -d5s -s "$work/etcd.lua" http://127.0.0.1:18296 >/dev/null
done

seconds() { /usr/bin/python3 -c "import time; print(time.monotonic())"; }
timed() {  # command...: prints the seconds it took
  local t0 t1
  t0=$(seconds)
  "$@" >/dev/null
  t1=$(seconds)
  /usr/bin/python3 -c "print(f'{$t1 - $t0:.3f}')"
}
mb() { /usr/bin/python3 -c "import os; print(f'{os.path.getsize(\"$1\") / 1e6:.1f}')"; }

t_save=$(timed "$tresor" operator snapshot save --from "sqlite:$work/data" -r "$recipient" \
  "$work/tresor.age")
e_save=$(timed curl -sf -X POST -d '{}' -o "$work/etcd.snap" \
  http://127.0.0.1:18296/v3/maintenance/snapshot)
s_save=$(timed sqlite3 "$work/data/tresor.db" ".backup $work/sqlite.db")
t_restore=$(timed "$tresor" operator snapshot restore --to "sqlite:$work/restored" \
  -i "$work/backup.key" "$work/tresor.age")
s_restore=$(timed sqlite3 "$work/sqlite-restored.db" ".restore $work/sqlite.db")
t_records=$(count_tresor)
e_records=$(count_etcd)

# Reads with and without snapshots being saved meanwhile.
curl -sf -H "X-Vault-Token: $token" -d '{"data":{"v":"read me"}}' \
  "$TRESOR_ADDR/v1/secret/data/read" >/dev/null
read_run() {
  wrk -t2 -c"$conns" -d"${DURATION:-8}s" --latency -H "X-Vault-Token: $token" \
    "$TRESOR_ADDR/v1/secret/data/read" | wrk_figures
}
read -r quiet_rps quiet_p99 < <(read_run)
(
  while :; do
    "$tresor" operator snapshot save --from "sqlite:$work/data" -r "$recipient" \
      "$work/again.age" >/dev/null 2>&1
  done
) & saver=$!
pids+=($saver)
read -r busy_rps busy_p99 < <(read_run)
kill "$saver" 2>/dev/null || true

ratio() { /usr/bin/python3 -c "print(f'{$1 / $2:.2f}')"; }
rate() { /usr/bin/python3 -c "print(f'{$1 / $2:,.0f}')"; }
printf '%-46s %9s %9s %10s %12s\n' "snapshot of $t_records tresor records" seconds MB MB/s records/s
printf '%-46s %9s %9s %10s %12s\n' "tresor snapshot save (age file)" "$t_save" \
  "$(mb "$work/tresor.age")" "$(ratio "$(mb "$work/tresor.age")" "$t_save")" \
  "$(rate "$t_records" "$t_save")"
printf '%-46s %9s %9s %10s %12s\n' "etcd snapshot ($e_records keys, JSON gateway)" "$e_save" \
  "$(mb "$work/etcd.snap")" "$(ratio "$(mb "$work/etcd.snap")" "$e_save")" \
  "$(rate "$e_records" "$e_save")"
printf '%-46s %9s %9s %10s %12s\n' "sqlite3 .backup of tresor.db" "$s_save" \
  "$(mb "$work/sqlite.db")" "$(ratio "$(mb "$work/sqlite.db")" "$s_save")" \
  "$(rate "$t_records" "$s_save")"
printf '%-46s %9s %9s %10s %12s\n' "tresor snapshot restore (checked)" "$t_restore" \
  "$(mb "$work/tresor.age")" "$(ratio "$(mb "$work/tresor.age")" "$t_restore")" \
  "$(rate "$t_records" "$t_restore")"
printf '%-46s %9s %9s %10s %12s\n' "sqlite3 .restore" "$s_restore" \
  "$(mb "$work/sqlite.db")" "$(ratio "$(mb "$work/sqlite.db")" "$s_restore")" \
  "$(rate "$t_records" "$s_restore")"
echo "records/s, save: tresor vs etcd $(ratio "$(rate "$t_records" "$t_save" | tr -d ,)" \
  "$(rate "$e_records" "$e_save" | tr -d ,)"), tresor vs sqlite3 .backup $(ratio "$s_save" "$t_save")"
echo
printf '%-46s %10s %9s\n' "KV v2 reads, $conns conns" "req/s" "p99 ms"
printf '%-46s %10.0f %9.2f\n' "no snapshot running" "$quiet_rps" "$quiet_p99"
printf '%-46s %10.0f %9.2f\n' "snapshots saved back to back meanwhile" "$busy_rps" "$busy_p99"
echo "reads during snapshots: $(ratio "$busy_rps" "$quiet_rps")x the requests/s"
