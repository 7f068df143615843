#!/usr/bin/env bash
# Installs what is missing, builds, and runs tresor's main job end to end on
# this machine: a configuration file whose secrets are sealed in place for two
# keys (one made by age-keygen), read back with get, changed with set, and
# restored byte for byte; whole files encrypted and decrypted by tresor and
# by the real age; then a passphrase-protected key held by the agent, used by
# a job with no terminal; and the server on its embedded store (SQLite):
# initialised, unsealed, written to by the CLI and by hvac, restarted,
# unsealed again, and everything still there; then a workload registered from
# a ciphertext only the server opens, run with no terminal and its AppRole files;
# a file whose backend groups are sealed to the server's transit keys, read by
# a host with only a token; a CI job logging in with a JWT that openssl
# signed; and a snapshot saved while it serves, restored, and served by a new
# server.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh >/dev/null
tresor="$PWD/build/src/cli/tresor"
work=$(mktemp -d)
# The demo's own agent socket and keyring, not the user's.
export XDG_RUNTIME_DIR="$work/run" TRESOR_KEYRING_DIR="$work/keys"
unset TRESOR_AGENT_SOCK TRESOR_IDENTITY TRESOR_IDENTITY_FILE
mkdir -m 700 "$XDG_RUNTIME_DIR"
server_pid=
trap '"$tresor" agent stop >/dev/null 2>&1 || true; [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"

step() { printf '\n$ %s\n' "$*"; }

step tresor keygen -o service.key
"$tresor" keygen -o service.key
step age-keygen -o ops.key
age-keygen -o ops.key 2>&1
cat > app.ini <<'INI'
# one section per backend
[database]
host = db.internal
password = s3cr3t-Pa55

[backend_b]
hpe3par_password = Str0ng!Pass
INI
cp app.ini app.ini.orig
step tresor seal -i service.key -r "\$(age-keygen -y ops.key)" --in-place app.ini
"$tresor" seal -i service.key -r "$(age-keygen -y ops.key)" --in-place app.ini
cat app.ini | cut -c1-100
step tresor get -i ops.key app.ini backend_b.hpe3par_password
"$tresor" get -i ops.key app.ini backend_b.hpe3par_password
step "echo n3w-Pa55 | tresor set -i service.key --stdin app.ini database.password"
echo n3w-Pa55 | "$tresor" set -i service.key --stdin app.ini database.password
step tresor get -i service.key app.ini database.password
"$tresor" get -i service.key app.ini database.password
echo s3cr3t-Pa55 | "$tresor" set -i service.key --stdin app.ini database.password
step tresor unseal -i service.key app.ini "  # byte for byte the original"
"$tresor" unseal -i service.key app.ini | tee app.ini.plain
cmp app.ini.plain app.ini.orig
cp app.ini.orig app.ini
step tresor encrypt -r "\$(tresor keygen -y service.key)" -r "\$(age-keygen -y ops.key)" -o app.ini.age app.ini
"$tresor" encrypt -r "$("$tresor" keygen -y service.key)" -r "$(age-keygen -y ops.key)" \
  -o app.ini.age app.ini
ls -l app.ini.age
step tresor decrypt -i service.key app.ini.age
"$tresor" decrypt -i service.key app.ini.age
step age -d -i ops.key app.ini.age "  # the real age opens it too"
age -d -i ops.key app.ini.age
step tresor encrypt -a -i service.key app.ini
"$tresor" encrypt -a -i service.key app.ini | tee app.ini.asc
"$tresor" keygen -o other.key 2>/dev/null
step tresor decrypt -i other.key app.ini.age "  # a key it was not encrypted to: exit code 4"
set +e
"$tresor" decrypt -i other.key app.ini.age
echo "exit code $?"
set -e
cmp <("$tresor" decrypt -i service.key app.ini.asc) app.ini

printf 'demo passphrase\n' > pass.txt && chmod 600 pass.txt
step tresor key new ops --passphrase --passphrase-file pass.txt
"$tresor" key new ops --passphrase --passphrase-file pass.txt
cp app.ini.orig job.ini
step tresor seal --in-place job.ini "  # no recipient given: the default key, ops"
"$tresor" seal --in-place job.ini
step tresor agent start
"$tresor" agent start
step tresor agent add --ttl 1h --passphrase-file-once pass.txt "  # pass.txt is deleted"
"$tresor" agent add --ttl 1h --passphrase-file-once pass.txt
test ! -e pass.txt
step "setsid tresor run -f job.ini -- sh -c 'echo \${#DATABASE_PASSWORD} chars' </dev/null  # as cron: no terminal"
setsid -w "$tresor" run -f job.ini -- sh -c 'echo ${#DATABASE_PASSWORD} chars' </dev/null
step tresor agent lock
"$tresor" agent lock
step tresor get job.ini database.password "  # locked: exit code 4"
set +e
setsid -w "$tresor" get job.ini database.password </dev/null
echo "exit code $?"
set -e
"$tresor" agent stop

# Coming from ansible-vault: a vars file it encrypted becomes a sealed file.
printf 'db_user: app\ndb_password: v4ult-Pa55\n' > vars.yml
printf 'demo-vault-password\n' > vault-pass.txt && chmod 600 vault-pass.txt
ansible-vault encrypt --vault-password-file vault-pass.txt vars.yml >/dev/null
step tresor import ansible-vault --vault-password-file vault-pass.txt -r "\$(age-keygen -y ops.key)" --in-place vars.yml
"$tresor" import ansible-vault --vault-password-file vault-pass.txt -r "$(age-keygen -y ops.key)" \
  --in-place vars.yml
step tresor get -i ops.key vars.yml db_password
"$tresor" get -i ops.key vars.yml db_password

# The server, on its embedded default: SQLite in data/.
cat > server.toml <<CONF
listen = "127.0.0.1:18290"
data_dir = "$work/data"
audit_file = "$work/audit.log"
CONF
export TRESOR_ADDR=http://127.0.0.1:18290
start_server() {
  "$tresor" server --config server.toml >server.out 2>server.log & server_pid=$!
  until [ "$(wc -l <server.out)" -ge 3 ] && curl -s -o /dev/null "$TRESOR_ADDR/v1/sys/health"; do
    sleep 0.05
  done
  sed -n 3p server.out
}
step tresor server --config server.toml
start_server
step tresor operator init --shares 3 --threshold 2
"$tresor" operator init --shares 3 --threshold 2 2>/dev/null >init.txt
sed -e 's/: .*/: .../' init.txt
keys=($(awk '/^unseal key/ {print $4}' init.txt))
TRESOR_TOKEN=$(awk '/^root token/ {print $3}' init.txt)
export TRESOR_TOKEN
step "tresor operator unseal   # twice, two key holders"
echo "${keys[0]}" | "$tresor" operator unseal
echo "${keys[2]}" | "$tresor" operator unseal
step tresor kv put app/db password=- "  # the value from stdin"
echo "s3cret-from-the-demo" | "$tresor" kv put app/db password=-
step "python3 -c 'hvac: read app/db'"
VAULT_ADDR=$TRESOR_ADDR VAULT_TOKEN=$TRESOR_TOKEN /usr/bin/python3 -c \
  'import hvac; print(hvac.Client().secrets.kv.v2.read_secret_version("app/db")["data"]["data"])'
step "restart: the server comes back sealed"
kill "$server_pid"; wait "$server_pid" || true
start_server
echo "${keys[1]}" | "$tresor" operator unseal >/dev/null
echo "${keys[2]}" | "$tresor" operator unseal
step tresor kv get app/db
"$tresor" kv get app/db
step "curl -sI \$TRESOR_ADDR/ui/   # the web console, built into the server"
curl -sI "$TRESOR_ADDR/ui/" | grep -E '^(HTTP|Content-Security-Policy)' | tr -d '\r'
echo "(open $TRESOR_ADDR/ui/ in a browser and sign in with a token; docs/ui.md)"
step "printf %s 'workload-pass' | tresor kv encrypt-value > db.b64   # only the server opens it"
printf %s 'workload-pass' | "$tresor" kv encrypt-value > db.b64
step tresor workload register shop --secret DB_PASSWORD=@db.b64 --role-id-file role_id --secret-id-file secret_id
"$tresor" workload register shop --secret DB_PASSWORD=@db.b64 --role-id-file role_id \
  --secret-id-file secret_id
printf 'DB_PASSWORD=$store{secret/data/workloads/shop#DB_PASSWORD}\n' > shop.env
step "setsid tresor run -f shop.env -- ... </dev/null   # the workload logs in with its AppRole files"
env -u TRESOR_TOKEN TRESOR_ROLE_ID_FILE=role_id TRESOR_SECRET_ID_FILE_ONCE=secret_id \
  setsid -w "$tresor" run -f shop.env -- sh -c 'echo "the workload got ${#DB_PASSWORD} chars"' \
  </dev/null
test ! -e secret_id
step "grep s3cret-from-the-demo data/* audit.log   # no plaintext in the database or the audit log"
! grep -q s3cret-from-the-demo data/* audit.log
echo "not found"
step tresor audit verify audit.log
"$tresor" audit verify audit.log
# Per-backend groups sealed to the server's transit keys: a host opens its
# group with a token that may decrypt with its key, and no private key.
step tresor secrets enable transit
"$tresor" secrets enable transit
step tresor transit create backend_a, backend_b
"$tresor" transit create backend_a >/dev/null
"$tresor" transit create backend_b >/dev/null
mkdir hosts
printf '[backend_a]\npassword = alpha-secret\n\n[backend_b]\npassword = bravo-secret\n' \
  >hosts/cinder.conf
cat >hosts/.tresor.toml <<'RULES'
[[rule]]
recipients = ["tresor:backend_a"]
[[rule.group]]
name = "backend_b"
paths = ["backend_b"]
recipients = ["tresor:backend_b"]
RULES
step "tresor seal --summary --in-place hosts/cinder.conf   # rules: tresor:backend_a, tresor:backend_b"
"$tresor" seal --summary --in-place hosts/cinder.conf
printf 'path "transit/decrypt/backend_b" { capabilities = ["update"] }\n' >host-b.hcl
"$tresor" policy write host-b host-b.hcl >/dev/null
host_b=$("$tresor" token create --policy host-b | awk '/^token:/ {print $2}')
step "TRESOR_TOKEN=<host b's token> tresor render hosts/cinder.conf   # backend_a's value is absent"
TRESOR_TOKEN=$host_b "$tresor" render hosts/cinder.conf
step "printf 4111 | tresor transit encrypt backend_a | tresor transit decrypt backend_a"
printf 4111 | "$tresor" transit encrypt backend_a | "$tresor" transit decrypt backend_a
echo
# A CI job logs in with a JWT its identity provider signed (here openssl
# plays the provider, with an Ed25519 key), and reads what its role allows.
step tresor auth enable jwt
"$tresor" auth enable jwt
openssl genpkey -algorithm ed25519 -out ci-provider.key
openssl pkey -in ci-provider.key -pubout -out ci-provider.pub
printf 'path "secret/data/app/*" { capabilities = ["read"] }\n' >deploy.hcl
"$tresor" policy write deploy deploy.hcl >/dev/null
step "tresor write auth/jwt/config jwt_validation_pubkeys=@ci-provider.pub"
"$tresor" write auth/jwt/config jwt_validation_pubkeys=@ci-provider.pub
step "tresor write auth/jwt/role/deploy user_claim=sub bound_audiences=tresor bound_claims:='{\"ref\":\"main\"}' token_policies=deploy"
"$tresor" write auth/jwt/role/deploy user_claim=sub bound_audiences=tresor \
  'bound_claims:={"ref":"main"}' token_policies=deploy token_ttl=10m
b64url() { basenc --base64url -w0 | tr -d '='; }
now=$(date +%s)
jwt_input="$(printf '{"alg":"EdDSA","typ":"JWT"}' | b64url).$(printf \
  '{"sub":"pipeline-42","aud":"tresor","ref":"main","iat":%d,"exp":%d}' "$now" $((now + 300)) | b64url)"
printf '%s' "$jwt_input" >jwt-input
jwt="$jwt_input.$(openssl pkeyutl -sign -inkey ci-provider.key -rawin -in jwt-input | b64url)"
mkdir "$work/ci-job"
step "echo \$CI_JWT | tresor login --method jwt --role deploy   # in the job: no stored secret"
echo "$jwt" | env -u TRESOR_TOKEN HOME="$work/ci-job" "$tresor" login --method jwt --role deploy
step "tresor kv get --field password app/db | wc -c   # as the job"
env -u TRESOR_TOKEN HOME="$work/ci-job" "$tresor" kv get --field password app/db | wc -c
step "tresor operator snapshot save --from sqlite:data -r \$(age-keygen -y ops.key) backup.age   # while it serves"
"$tresor" operator snapshot save --from sqlite:data -r "$(age-keygen -y ops.key)" backup.age
kill "$server_pid"; wait "$server_pid" || true
server_pid=
step tresor operator snapshot restore --to sqlite:restored -i ops.key backup.age
"$tresor" operator snapshot restore --to sqlite:restored -i ops.key backup.age
sed -i "s|$work/data|$work/restored|" server.toml
step "tresor server on the restored copy, unsealed with the same keys"
start_server
echo "${keys[0]}" | "$tresor" operator unseal >/dev/null
echo "${keys[1]}" | "$tresor" operator unseal
step tresor kv get app/db
"$tresor" kv get app/db
kill "$server_pid"; wait "$server_pid" || true
server_pid=
echo
echo "demo finished: tresor and age interoperate on this machine; the agent decrypts unattended;"
echo "the server keeps secrets encrypted on disk, serves them to hvac, the CLI and workloads,"
echo "and its snapshots restore"
