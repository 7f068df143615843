#!/usr/bin/env bash
# The server next to nginx, same machine, same wrk load, one run:
#   - nginx serving a 200-byte JSON body as a static response (the ceiling)
#   - tresor server --dev: KV v2 read of a 200-byte secret with the root
#     token, and with a token whose policy allows the path
# at 32 and 256 keep-alive connections, plain HTTP; then both again over TLS
# (a P-256 certificate, TLS 1.3, root token). Prints requests/s, p99 latency
# and the ratio to nginx. Durable writes: bench/durable_writes.sh.
# Usage: bench/server_compare.sh [BUILD_DIR]   (default build/)
source "$(dirname "$0")/lib.sh"
need wrk nginx curl openssl /usr/bin/python3
scratch
duration=${DURATION:-10}

# 200 bytes of JSON, the same bytes nginx and tresor return for the secret
body=$(/usr/bin/python3 -c 'import json; print(json.dumps({"data": {"value": "x" * 170}}), end="")')
mkdir -p "$work/www"
printf '%s' "$body" > "$work/www/secret.json"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/key.pem" \
  -out "$work/cert.pem" -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
cat > "$work/nginx.conf" <<CONF
worker_processes auto;
daemon off;
error_log $work/nginx.err;
pid $work/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:18280;
    location / { root $work/www; default_type application/json; }
  }
  server {
    listen 127.0.0.1:18282 ssl;
    ssl_certificate $work/cert.pem;
    ssl_certificate_key $work/key.pem;
    location / { root $work/www; default_type application/json; }
  }
}
CONF
nginx -c "$work/nginx.conf" & pids+=($!)
"$tresor" server --dev --listen 127.0.0.1:18281 --dev-root-token bench-root >/dev/null 2>&1 &
pids+=($!)
"$tresor" server --dev --listen 127.0.0.1:18283 --dev-root-token bench-root \
  --tls-cert-file "$work/cert.pem" --tls-key-file "$work/key.pem" >/dev/null 2>&1 &
pids+=($!)
sleep 0.5
curl -sf --cacert "$work/cert.pem" -H 'X-Vault-Token: bench-root' -X POST \
  -d "{\"data\": {\"value\": \"$(printf 'x%.0s' $(seq 170))\"}}" \
  https://127.0.0.1:18283/v1/secret/data/bench/item >/dev/null
curl -sf -H 'X-Vault-Token: bench-root' -X POST -d "{\"data\": {\"value\": \"$(printf 'x%.0s' $(seq 170))\"}}" \
  http://127.0.0.1:18281/v1/secret/data/bench/item >/dev/null
curl -sf -H 'X-Vault-Token: bench-root' -X PUT \
  -d '{"policy": "path \"secret/data/bench/*\" { capabilities = [\"read\"] }"}' \
  http://127.0.0.1:18281/v1/sys/policies/acl/bench >/dev/null
app_token=$(curl -sf -H 'X-Vault-Token: bench-root' -X POST -d '{"policies": ["bench"]}' \
  http://127.0.0.1:18281/v1/auth/token/create | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["auth"]["client_token"])')

# requests/s and p99 (ms) of one wrk run
measure() {  # connections url [header]
  wrk -t2 -c"$1" -d"${duration}s" --latency ${3:+-H "$3"} "$2" | wrk_figures
}
printf '%-36s %12s %10s %8s\n' "plain HTTP, keep-alive, wrk -t2" "requests/s" "p99 ms" "vs nginx"
for c in 32 256; do
  read -r n_rps n_p99 < <(measure "$c" http://127.0.0.1:18280/secret.json)
  printf '%-36s %12.0f %10.2f %8s\n' "nginx static 200 B, $c conns" "$n_rps" "$n_p99" "1.00"
  for who in root app; do
    token=bench-root; [ "$who" = app ] && token=$app_token
    read -r t_rps t_p99 < <(measure "$c" http://127.0.0.1:18281/v1/secret/data/bench/item "X-Vault-Token: $token")
    printf '%-36s %12.0f %10.2f %8s\n' "tresor KV v2 read ($who token), $c conns" "$t_rps" "$t_p99" \
      "$(/usr/bin/python3 -c "print(f'{$t_rps/$n_rps:.2f}')")"
  done
done
for c in 32 256; do
  read -r n_rps n_p99 < <(measure "$c" https://127.0.0.1:18282/secret.json)
  printf '%-36s %12.0f %10.2f %8s\n' "nginx TLS static 200 B, $c conns" "$n_rps" "$n_p99" "1.00"
  read -r t_rps t_p99 < <(measure "$c" https://127.0.0.1:18283/v1/secret/data/bench/item "X-Vault-Token: bench-root")
  printf '%-36s %12.0f %10.2f %8s\n' "tresor TLS KV v2 read, $c conns" "$t_rps" "$t_p99" \
    "$(/usr/bin/python3 -c "print(f'{$t_rps/$n_rps:.2f}')")"
done
echo
echo "targets: KV v2 read >= 50% of nginx's requests/s; p99 < 2 ms at 32 connections"
