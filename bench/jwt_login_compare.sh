#!/usr/bin/env bash
# JWT logins next to their ceiling, same machine, one run: a tresor
# development server (in memory) with JWT auth and one role, driven by wrk
# (32 keep-alive connections, 2 threads) posting auth/jwt/login with a token
# signed by an RS256, ES256 or EdDSA key; next to `openssl speed` verifying
# the same kind of signature (one process, one core, no HTTP, no JSON, no
# token made: what the signature check alone costs). Each login checks the
# signature and claims and makes a token. Prints logins/s, p99 and the
# ratio tresor/openssl.
# Usage: bench/jwt_login_compare.sh [BUILD_DIR]   (DURATION=10 seconds per run)
source "$(dirname "$0")/lib.sh"
need wrk curl openssl /usr/bin/python3
scratch
duration=${DURATION:-10}
dev_server 18294
"$tresor" auth enable jwt >/dev/null

# Keys, their PEMs and one token each (valid for an hour), from Python's
# cryptography: $work/ALG.pem and $work/ALG.jwt.
/usr/bin/python3 - "$work" <<'PY'
import base64, json, sys, time
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
work = sys.argv[1]
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
keys = {"RS256": rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "ES256": ec.generate_private_key(ec.SECP256R1()),
        "EdDSA": ed25519.Ed25519PrivateKey.generate()}
now = int(time.time())
for alg, key in keys.items():
    pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    open(f"{work}/{alg}.pem", "wb").write(pem)
    claims = {"sub": "bench", "aud": "bench", "iat": now, "exp": now + 3600}
    data = (b64(json.dumps({"alg": alg, "typ": "JWT"}).encode()) + "." +
            b64(json.dumps(claims).encode())).encode()
    if alg == "RS256":
        sig = key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    elif alg == "ES256":
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    else:
        sig = key.sign(data)
    open(f"{work}/{alg}.jwt", "w").write(data.decode() + "." + b64(sig))
PY
/usr/bin/python3 - "$work" "$TRESOR_ADDR" <<'PY'
import json, sys, urllib.request
work, addr = sys.argv[1], sys.argv[2]
pems = [open(f"{work}/{alg}.pem").read() for alg in ("RS256", "ES256", "EdDSA")]
for path, body in (("auth/jwt/config", {"jwt_validation_pubkeys": pems}),
                   ("auth/jwt/role/bench", {"user_claim": "sub", "bound_audiences": "bench",
                                            "token_ttl": "1h"})):
    req = urllib.request.Request(f"{addr}/v1/{path}", json.dumps(body).encode(),
                                 {"X-Vault-Token": "bench-root"}, method="POST")
    urllib.request.urlopen(req).read()
PY

verify_per_second() {  # ALG: signature checks per second, one process
  local what pattern
  case $1 in
    RS256) what=rsa2048 pattern='^rsa 2048 bits' ;;
    ES256) what=ecdsap256 pattern='^ *256 bits ecdsa \(nistp256\)' ;;
    EdDSA) what=ed25519 pattern='^ *253 bits EdDSA \(Ed25519\)' ;;
  esac
  openssl speed -seconds "$duration" "$what" 2>/dev/null | awk -v p="$pattern" '$0 ~ p {print $NF}'
}

printf '%-8s %12s %9s %14s %8s\n' alg tresor/s p99_ms openssl/s ratio
for alg in RS256 ES256 EdDSA; do
  cat > "$work/$alg.lua" <<LUA
wrk.method = "POST"
wrk.path = "/v1/auth/jwt/login"
wrk.body = '{"role":"bench","jwt":"$(cat "$work/$alg.jwt")"}'
LUA
  read -r rps p99 < <(wrk -t2 -c32 -d"${duration}s" --latency -s "$work/$alg.lua" \
    "$TRESOR_ADDR" | wrk_figures)
  ceiling=$(verify_per_second "$alg")
  ratio=$(/usr/bin/python3 -c "print(f'{$rps / $ceiling:.3f}')")
  printf '%-8s %12.0f %9s %14s %8s\n' "$alg" "$rps" "$p99" "$ceiling" "$ratio"
done
