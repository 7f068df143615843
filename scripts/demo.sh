#!/usr/bin/env bash
# Installs what is missing, builds, and runs tresor's main job end to end on
# this machine: a new identity, a configuration file encrypted for it and for
# a second key made by age-keygen, decrypted by both tools, and armored output.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh >/dev/null
tresor="$PWD/build/src/cli/tresor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

step() { printf '\n$ %s\n' "$*"; }

step tresor keygen -o service.key
"$tresor" keygen -o service.key
step age-keygen -o ops.key
age-keygen -o ops.key 2>&1
cat > app.ini <<'INI'
[database]
host = db.internal
password = s3cr3t-Pa55
INI
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
echo
echo "demo finished: tresor and age interoperate on this machine"
