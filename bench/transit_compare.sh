#!/usr/bin/env bash
# Transit next to its ceiling, same machine, one run: a tresor development
# server (in memory) with an aes256-gcm96 transit key, driven by wrk (32
# keep-alive connections, 2 threads) with POST transit/encrypt/KEY and
# transit/decrypt/KEY of 100-byte and 4 KiB payloads; next to `openssl speed
# -evp aes-256-gcm` on the same payload sizes (one process, one core, no
# HTTP, no JSON, no base64: what the AEAD alone costs). Then signing 100
# bytes with ecdsa-p256 and ed25519 keys (transit/sign/KEY) next to
# `openssl speed ecdsap256` and `openssl speed ed25519` (sign/s, one
# process). Prints operations/s, p99 and the ratio tresor/openssl.
# Usage: bench/transit_compare.sh [BUILD_DIR]   (DURATION=10 seconds per run)
source "$(dirname "$0")/lib.sh"
need wrk curl openssl /usr/bin/python3
scratch
duration=${DURATION:-10}
dev_server 18293
"$tresor" secrets enable transit >/dev/null
"$tresor" transit create bench >/dev/null
"$tresor" transit create --type ecdsa-p256 bench-p256 >/dev/null
"$tresor" transit create --type ed25519 bench-ed25519 >/dev/null

# `post_lua FILE PATH BODY`: every request posts BODY to PATH.
post_lua() {
  cat > "$1" <<LUA
wrk.method = "POST"
wrk.path = "$2"
wrk.headers["X-Vault-Token"] = "bench-root"
wrk.body = '$3'
LUA
}

openssl_ops() {  # SIZE: AES-256-GCM operations per second in one process
  openssl speed -evp aes-256-gcm -bytes "$1" -seconds "$duration" 2>&1 |
    awk '/^Doing/ {n = $(NF - 3); s = $NF; sub(/s$/, "", s); printf "%.0f\n", n / s}'
}

# `row LABEL LUA CEILING`: wrk with LUA's request, one line of the table.
row() {
  read -r rps p99 < <(wrk -t2 -c32 -d"${duration}s" --latency -s "$2" "$TRESOR_ADDR" |
    wrk_figures)
  ratio=$(/usr/bin/python3 -c "print(f'{$rps / $3:.3f}')")
  printf '%-22s %12.0f %9s %14s %8s\n' "$1" "$rps" "$p99" "$3" "$ratio"
}

printf '%-22s %12s %9s %14s %8s\n' operation tresor/s p99_ms openssl/s ratio
for size in 100 4096; do
  plaintext=$(head -c "$size" /dev/zero | tr '\0' 'x' | base64 -w0)
  ciphertext=$(printf 'x%.0s' $(seq "$size") | "$tresor" transit encrypt bench)
  ceiling=$(openssl_ops "$size")
  for op in encrypt decrypt; do
    if [ "$op" = encrypt ]; then
      body="{\"plaintext\":\"$plaintext\"}"
    else
      body="{\"ciphertext\":\"$ciphertext\"}"
    fi
    post_lua "$work/$op.lua" "/v1/transit/$op/bench" "$body"
    row "$op ${size} B" "$work/$op.lua" "$ceiling"
  done
done

# `openssl_signs ALGORITHM`: signatures per second in one process.
openssl_signs() {
  openssl speed -seconds "$duration" "$1" 2>/dev/null | awk '/bits/ {print int($(NF - 1))}'
}
input=$(head -c 100 /dev/zero | tr '\0' 'x' | base64 -w0)
for key in p256:ecdsap256 ed25519:ed25519; do
  name=${key%%:*}
  ceiling=$(openssl_signs "${key#*:}")
  post_lua "$work/sign.lua" "/v1/transit/sign/bench-$name" "{\"input\":\"$input\"}"
  row "sign $name 100 B" "$work/sign.lua" "$ceiling"
done
