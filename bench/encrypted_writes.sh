#!/usr/bin/env bash
# Values encrypted for the server (docs/workloads.md) next to plain writes,
# same server, same wrk load, one run:
#   - tresor server --dev: KV v2 writes of a 170-byte value to new keys,
#     plain, and as an age ciphertext the server opens (X-Tresor-Encrypted)
#   - the peer flow without it: `age -d` of the same-size ciphertext, one
#     process per value, as a script decrypting before a plain write would
# 32 keep-alive connections, wrk -t2. Prints writes/s, p99 and the ratio of
# encrypted to plain writes; the age figure is decryptions/s.
# Usage: bench/encrypted_writes.sh [BUILD_DIR]   (default build/)
source "$(dirname "$0")/lib.sh"
need wrk age age-keygen curl /usr/bin/python3
scratch
duration=${DURATION:-10}
conns=${CONNS:-32}

value=$(printf 'x%.0s' $(seq 170))
"$tresor" server --dev --listen 127.0.0.1:18295 --dev-root-token bench-root >/dev/null 2>&1 &
pids+=($!)
export TRESOR_ADDR=http://127.0.0.1:18295 TRESOR_TOKEN=bench-root
for _ in $(seq 50); do "$tresor" status >/dev/null 2>&1 && break; sleep 0.1; done
ciphertext=$(printf %s "$value" | "$tresor" kv encrypt-value)

tresor_put_lua "$work/plain.lua" bench-root "$value" plain
TRESOR_PUT_HEADER="X-Tresor-Encrypted: true" tresor_put_lua "$work/encrypted.lua" bench-root \
  "$ciphertext" enc
curl -sf -H "X-Vault-Token: bench-root" -H "X-Tresor-Encrypted: true" -X POST \
  -d "{\"data\":{\"value\":\"$ciphertext\"}}" "$TRESOR_ADDR/v1/secret/data/probe" >/dev/null ||
  { echo "the encrypted write was refused" >&2; exit 1; }

measure() {  # script
  local out
  out=$(wrk -t2 -c"$conns" -d"${duration}s" --latency -s "$1" "$TRESOR_ADDR")
  grep -q "Non-2xx" <<<"$out" && { echo "errors in the run: $out" >&2; exit 1; }
  wrk_figures <<<"$out"
}
read -r p_rps p_p99 < <(measure "$work/plain.lua")
read -r e_rps e_p99 < <(measure "$work/encrypted.lua")

# The peer: age decrypting a ciphertext of the same size, a process each.
age-keygen -o "$work/key.txt" 2>/dev/null
printf %s "$value" | age -r "$(age-keygen -y "$work/key.txt")" -o "$work/value.age"
runs=${AGE_RUNS:-200}
start=$(date +%s.%N)
for _ in $(seq "$runs"); do age -d -i "$work/key.txt" "$work/value.age" >/dev/null; done
end=$(date +%s.%N)
age_rate=$(/usr/bin/python3 -c "print(f'{$runs / ($end - $start):.0f}')")

printf '%-46s %10s %9s %9s\n' "writes of a 170-byte value, $conns conns" "per s" "p99 ms" "ratio"
printf '%-46s %10.0f %9.2f %9s\n' "tresor KV v2 write, plain" "$p_rps" "$p_p99" "1.00"
printf '%-46s %10.0f %9.2f %9s\n' "tresor KV v2 write, encrypted for the server" "$e_rps" \
  "$e_p99" "$(/usr/bin/python3 -c "print(f'{$e_rps/$p_rps:.2f}')")"
printf '%-46s %10s %9s %9s\n' "age -d of the same size, a process each" "$age_rate" "-" \
  "$(/usr/bin/python3 -c "print(f'{$age_rate/$p_rps:.2f}')")"
