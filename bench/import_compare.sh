#!/usr/bin/env bash
# Reading what other tools encrypted, whole process, one run:
# - a sops YAML file of 10,000 encrypted keys (written by
#   bench/sops_fixture.py as sops 3.9 writes them; there is no sops binary in
#   Debian to compare with), read by `tresor decrypt --sops` and `tresor
#   import sops`, next to tresor's own `unseal` of the same values once
#   imported (median of 20 runs; the issue asks for an import under 100 ms);
# - an ansible-vault file (a 100-key YAML vars file) printed by `ansible-vault
#   view` and by `tresor import ansible-vault --stdout` (median of 10 runs),
#   and the ratio;
# - a dotenvx .env file (100 keys, and DOTENVX_KEYS=1000) printed by `dotenvx
#   decrypt --stdout` and by `tresor import dotenvx --stdout` (median of 10
#   runs), and the ratio. dotenvx comes from npm into bench/.node on first use.
# Usage: bench/import_compare.sh [BUILD_DIR]   (KEYS=10000)
source "$(dirname "$0")/lib.sh"
need age age-keygen ansible-vault hyperfine npm /usr/bin/python3
scratch
cd "$work"
keys=${KEYS:-10000}
age-keygen -o key.txt 2>/dev/null
recipient=$(age-keygen -y key.txt)
/usr/bin/python3 "$root/bench/sops_fixture.py" "$keys" "$recipient" secrets.yaml
export SOPS_AGE_KEY_FILE=$work/key.txt
"$tresor" import sops secrets.yaml -o sealed.yaml
# The imported file holds the same values.
cmp <("$tresor" decrypt --sops secrets.yaml) <("$tresor" unseal -i key.txt sealed.yaml)

median_ms() {  # COMMAND [RUNS]
  hyperfine -N --warmup 2 --runs "${2:-20}" --export-json t.json "$1" >/dev/null 2>&1
  /usr/bin/python3 -c "import json; print(f\"{json.load(open('t.json'))['results'][0]['median']*1000:.1f}\")"
}
unseal=$(median_ms "$tresor unseal -i key.txt sealed.yaml")
row() {  # label, ms
  printf '%-46s %9s ms %8s\n' "$1" "$2" "$(/usr/bin/python3 -c "print(f'{$2 / $unseal:.2f}')")"
}
printf '%-46s %12s %8s\n' "$keys-key YAML, whole process, median of 20" "time" "/unseal"
row "tresor decrypt --sops (sops -d)" "$(median_ms "$tresor decrypt --sops secrets.yaml")"
row "tresor import sops -o (decrypt, MAC, seal)" \
  "$(median_ms "$tresor import sops secrets.yaml -o out.yaml")"
row "tresor unseal of the imported file" "$unseal"

echo
/usr/bin/python3 -c "
for i in range(100): print(f'key_{i:03d}: value-{i:03d}-abcdefghijklmnopqrstuvwxyz')" > vars.yml
printf 'bench-password\n' > pw && chmod 600 pw
ansible-vault encrypt --vault-password-file pw vars.yml >/dev/null 2>&1
cmp <("$tresor" import ansible-vault --vault-password-file pw --stdout vars.yml) \
  <(ansible-vault view --vault-password-file pw vars.yml)
view=$(median_ms "ansible-vault view --vault-password-file pw vars.yml" 10)
mine=$(median_ms "$tresor import ansible-vault --vault-password-file pw --stdout vars.yml" 10)
printf '%-46s %12s %12s %8s\n' "100-key vault, whole process, median of 10" "tresor" \
  "ansible" "ratio"
printf '%-46s %9s ms %9s ms %8s\n' "view (import ansible-vault --stdout)" "$mine" "$view" \
  "$(/usr/bin/python3 -c "print(f'{$view / $mine:.1f}x')")"

echo
dotenvx="$root/bench/.node/node_modules/.bin/dotenvx"
if [ ! -x "$dotenvx" ]; then
  echo "installing dotenvx from npm into bench/.node" >&2
  npm install --silent --no-audit --no-fund --prefix "$root/bench/.node" @dotenvx/dotenvx >&2
fi
export DOTENVX_NO_ARMOR=true
printf '%-46s %12s %12s %8s\n' "dotenvx .env, whole process, median of 10" "tresor" "dotenvx" \
  "ratio"
for n in 100 "${DOTENVX_KEYS:-1000}"; do
  mkdir -p "dx$n"
  /usr/bin/python3 -c "
for i in range($n): print(f'KEY_{i:04d}=value-{i:04d}-abcdefghijklmnopqrstuvwxyz')" > "dx$n/.env"
  (cd "dx$n" && "$dotenvx" encrypt -f .env >/dev/null 2>&1)
  # The same values (dotenvx also prints its public key and banner).
  cmp <("$tresor" import dotenvx --stdout "dx$n/.env" | grep '^KEY_') \
    <(cd "dx$n" && "$dotenvx" decrypt --stdout -f .env | grep '^KEY_')
  theirs=$(cd "dx$n" && median_ms "$dotenvx decrypt --stdout -f .env" 10)
  mine=$(median_ms "$tresor import dotenvx --stdout dx$n/.env" 10)
  printf '%-46s %9s ms %9s ms %8s\n' "$n keys: decrypt --stdout (import --stdout)" "$mine" \
    "$theirs" "$(/usr/bin/python3 -c "print(f'{$theirs / $mine:.1f}x')")"
done
