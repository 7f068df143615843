#!/usr/bin/env bash
# The server next to nginx, same machine, same wrk load, one run:
#   - nginx serving a 200-byte JSON body as a static response (the ceiling)
#   - tresor server --dev: KV v2 read of a 200-byte secret with the root
#     token, and with a token whose policy allows the path
# at 32 and 256 keep-alive connections, plain HTTP; then both again over TLS
# (a P-256 certificate, TLS 1.3, root token). Prints requests/s, p99 latency
# and the ratio to nginx. Durable writes: bench/durable_writes.sh.
#
# Two layouts, each server in both:
#   separate  the server pinned to core 0 (one nginx worker, one tresor
#             worker), wrk -t1 pinned to core 1: the load generator does not
#             take the server's CPU, so latency is the server's own
#   shared    servers and wrk -t2 on all cores, as a laptop test would run:
#             the servers' threads and wrk's are time-sliced, and p99 is
#             mostly the scheduler's
# Usage: bench/server_compare.sh [BUILD_DIR]   (default build/)
#        LAYOUTS="separate" DURATION=5 bench/server_compare.sh
source "$(dirname "$0")/lib.sh"
need wrk nginx curl openssl taskset /usr/bin/python3
scratch
duration=${DURATION:-10}

# 200 bytes of JSON, the same bytes nginx and tresor return for the secret
body=$(/usr/bin/python3 -c 'import json; print(json.dumps({"data": {"value": "x" * 170}}), end="")')
mkdir -p "$work/www"
printf '%s' "$body" > "$work/www/secret.json"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/key.pem" \
  -out "$work/cert.pem" -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
secret="{\"data\": {\"value\": \"$(printf 'x%.0s' $(seq 170))\"}}"

# Starts nginx and two tresor servers (plain, TLS) under PREFIX (a taskset
# command, or nothing) with WORKERS workers each ("auto": one per core),
# writes the secret and makes $app_token.
start_servers() {  # workers prefix...
  local workers=$1 threads=()
  shift
  [ "$workers" = auto ] || threads=(--threads "$workers")
  cat > "$work/nginx.conf" <<CONF
worker_processes $workers;
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
  "$@" nginx -c "$work/nginx.conf" & servers=($!)
  "$@" "$tresor" server --dev "${threads[@]}" --listen 127.0.0.1:18281 \
    --dev-root-token bench-root >/dev/null 2>&1 & servers+=($!)
  "$@" "$tresor" server --dev "${threads[@]}" --listen 127.0.0.1:18283 \
    --dev-root-token bench-root --tls-cert-file "$work/cert.pem" --tls-key-file "$work/key.pem" \
    >/dev/null 2>&1 & servers+=($!)
  pids+=("${servers[@]}")
  sleep 0.5
  curl -sf --cacert "$work/cert.pem" -H 'X-Vault-Token: bench-root' -X POST -d "$secret" \
    https://127.0.0.1:18283/v1/secret/data/bench/item >/dev/null
  curl -sf -H 'X-Vault-Token: bench-root' -X POST -d "$secret" \
    http://127.0.0.1:18281/v1/secret/data/bench/item >/dev/null
  curl -sf -H 'X-Vault-Token: bench-root' -X PUT \
    -d '{"policy": "path \"secret/data/bench/*\" { capabilities = [\"read\"] }"}' \
    http://127.0.0.1:18281/v1/sys/policies/acl/bench >/dev/null
  app_token=$(curl -sf -H 'X-Vault-Token: bench-root' -X POST -d '{"policies": ["bench"]}' \
    http://127.0.0.1:18281/v1/auth/token/create |
    /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["auth"]["client_token"])')
}

stop_servers() {
  kill "${servers[@]}" 2>/dev/null || true
  wait "${servers[@]}" 2>/dev/null || true
}

# requests/s and p99 (ms) of one wrk run under $wrk_prefix
measure() {  # connections url [header]
  "${wrk_prefix[@]}" wrk "${wrk_threads[@]}" -c"$1" -d"${duration}s" --latency ${3:+-H "$3"} "$2" |
    wrk_figures
}
ratio() { /usr/bin/python3 -c "print(f'{$1/$2:.2f}')"; }

report() {  # layout
  printf '\n%s\n%-44s %12s %10s %8s\n' "$1" "plain HTTP, keep-alive" "requests/s" "p99 ms" \
    "vs nginx"
  for c in 32 256; do
    read -r n_rps n_p99 < <(measure "$c" http://127.0.0.1:18280/secret.json)
    printf '%-44s %12.0f %10.2f %8s\n' "nginx static 200 B, $c conns" "$n_rps" "$n_p99" "1.00"
    for who in root app; do
      token=bench-root; [ "$who" = app ] && token=$app_token
      read -r t_rps t_p99 < <(measure "$c" http://127.0.0.1:18281/v1/secret/data/bench/item \
        "X-Vault-Token: $token")
      printf '%-44s %12.0f %10.2f %8s\n' "tresor KV v2 read ($who token), $c conns" "$t_rps" \
        "$t_p99" "$(ratio "$t_rps" "$n_rps")"
    done
  done
  for c in 32 256; do
    read -r n_rps n_p99 < <(measure "$c" https://127.0.0.1:18282/secret.json)
    printf '%-44s %12.0f %10.2f %8s\n' "nginx TLS static 200 B, $c conns" "$n_rps" "$n_p99" "1.00"
    read -r t_rps t_p99 < <(measure "$c" https://127.0.0.1:18283/v1/secret/data/bench/item \
      "X-Vault-Token: bench-root")
    printf '%-44s %12.0f %10.2f %8s\n' "tresor TLS KV v2 read, $c conns" "$t_rps" "$t_p99" \
      "$(ratio "$t_rps" "$n_rps")"
  done
}

for layout in ${LAYOUTS:-separate shared}; do
  case $layout in
    separate)
      if [ "$(nproc)" -lt 2 ]; then
        echo "separate: needs 2 cores, this machine has $(nproc)"
        continue
      fi
      start_servers 1 taskset -c 0
      wrk_prefix=(taskset -c 1) wrk_threads=(-t1)
      report "separate: each server on core 0 with one worker, wrk -t1 on core 1"
      ;;
    shared)
      start_servers auto
      wrk_prefix=() wrk_threads=(-t2)
      report "shared: servers (a worker per core) and wrk -t2 on all cores"
      ;;
    *) echo "unknown layout $layout (separate, shared)" >&2; exit 1 ;;
  esac
  stop_servers
done
echo
echo "targets: KV v2 read >= 50% of nginx's requests/s; p99 < 2 ms at 32 connections"
