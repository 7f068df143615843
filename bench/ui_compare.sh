#!/usr/bin/env bash
# The web UI served by tresor next to the same files served by nginx (the
# static-file ceiling; nginx passes /v1/ on to the same tresor server and,
# like tresor, has browsers revalidate the files at each load), one run,
# same machine:
#   - first screen interactive in headless chromium (median of LOADS loads;
#     the page's own performance mark), and
#   - requests/s for the largest file, /ui/js/views/secret.js (wrk, 32 connections).
# Usage: bench/ui_compare.sh [BUILD_DIR]; LOADS=20, DURATION=5 (seconds).
source "$(dirname "$0")/lib.sh"
need wrk nginx curl chromium chromedriver /usr/bin/python3
scratch
dev_server 18290
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
error_log $work/nginx.err;
pid $work/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  include /etc/nginx/mime.types;
  server {
    listen 127.0.0.1:18291;
    # As tresor serves them: asked again at every load (a 304 while
    # unchanged), with the same headers (COOP alone costs a new renderer
    # process at each navigation).
    location /ui/ {
      alias $root/ui/;
      index index.html;
      add_header Cache-Control no-cache;
      add_header Content-Security-Policy "$(curl -sI "$TRESOR_ADDR/ui/" | sed -n 's/^Content-Security-Policy: //p' | tr -d '\r')";
      add_header X-Content-Type-Options nosniff;
      add_header X-Frame-Options DENY;
      add_header Referrer-Policy no-referrer;
      add_header Cross-Origin-Opener-Policy same-origin;
    }
    location /v1/ { proxy_pass http://127.0.0.1:18290; }
  }
}
CONF
nginx -c "$work/nginx.conf" & pids+=($!)
until curl -sf http://127.0.0.1:18291/ui/ >/dev/null 2>&1; do sleep 0.1; done

echo "first screen interactive, headless chromium, median of ${LOADS:-20} loads (ms)"
/usr/bin/python3 bench/ui_first_screen.py "$TRESOR_ADDR/ui/#/login" \
  "http://127.0.0.1:18291/ui/#/login" > "$work/first"
read -r _ t_median t_min < <(sed -n 1p "$work/first")
read -r _ n_median n_min < <(sed -n 2p "$work/first")
printf '%-28s %10s %10s %14s\n' "" "median" "fastest" "vs nginx"
printf '%-28s %10.1f %10.1f %14.2f\n' "tresor /ui/" "$t_median" "$t_min" \
  "$(echo "$t_median / $n_median" | bc -l)"
printf '%-28s %10.1f %10.1f %14s\n' "nginx, same files" "$n_median" "$n_min" "1.00"

echo
echo "GET /ui/js/views/secret.js, wrk -t2 -c32 -d${DURATION:-5}s"
read -r t_rps t_p99 < <(wrk -t2 -c32 -d"${DURATION:-5}s" --latency \
  "$TRESOR_ADDR/ui/js/views/secret.js" | wrk_figures)
read -r n_rps n_p99 < <(wrk -t2 -c32 -d"${DURATION:-5}s" --latency \
  "http://127.0.0.1:18291/ui/js/views/secret.js" | wrk_figures)
printf '%-28s %12s %10s %10s\n' "" "requests/s" "p99 ms" "vs nginx"
printf '%-28s %12.0f %10.2f %10.2f\n' "tresor" "$t_rps" "$t_p99" "$(echo "$t_rps / $n_rps" | bc -l)"
printf '%-28s %12.0f %10.2f %10s\n' "nginx (1 worker)" "$n_rps" "$n_p99" "1.00"
gzip_bytes=$(cat $(find ui -type f | sort) | wc -c)
compressed=$(for f in $(find ui -type f); do gzip -9c "$f" | wc -c; done | awk '{s += $1} END {print s}')
echo
echo "the UI: $gzip_bytes bytes, $compressed gzip-compressed (limit 204800)"
