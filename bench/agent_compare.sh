#!/usr/bin/env bash
# Decrypting through the agent next to decrypting with a local identity
# file, whole process, in one run: a 100-byte age file and one value of a
# 100-value sealed file. The target: the agent costs at most 1 ms more.
# age itself, with the same identity file, is the peer.
# Usage: bench/agent_compare.sh [BUILD_DIR]   (default build/)
source "$(dirname "$0")/lib.sh"
need age hyperfine /usr/bin/python3
work=$(mktemp -d /dev/shm/tresor-agent-bench.XXXXXX 2>/dev/null || mktemp -d)
export XDG_RUNTIME_DIR="$work/run" TRESOR_KEYRING_DIR="$work/keys"
unset TRESOR_AGENT_SOCK TRESOR_IDENTITY TRESOR_IDENTITY_FILE
mkdir -m 700 "$XDG_RUNTIME_DIR"
trap '"$tresor" agent stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
cd "$work"

"$tresor" keygen -o key.txt 2>/dev/null
recipient=$("$tresor" keygen -y key.txt)
head -c 100 /dev/urandom > small
"$tresor" encrypt -r "$recipient" -o small.age small
/usr/bin/python3 -c "
for i in range(100): print(f'KEY_{i}=value-{i:04d}-abcdefghijklmnop')" > app.env
"$tresor" seal -r "$recipient" --in-place app.env
"$tresor" agent start 2>/dev/null
"$tresor" agent add key.txt 2>/dev/null

median_ms() {
  hyperfine -N --warmup 3 --runs 50 --export-json t.json "$1" >/dev/null 2>&1
  /usr/bin/python3 -c "import json; print(f\"{json.load(open('t.json'))['results'][0]['median']*1000:.2f}\")"
}
row() {  # label, through the agent, with -i, age (or -)
  local extra
  extra=$(/usr/bin/python3 -c "print(f'{$2 - $3:+.2f}')")
  printf '%-34s %9s ms %9s ms %9s ms %9s ms\n' "$1" "$2" "$3" "$extra" "$4"
}
printf '%-34s %12s %12s %12s %12s\n' "whole process, median of 50" "agent" "-i FILE" "difference" "age -i"
row "decrypt a 100-byte age file" "$(median_ms "$tresor decrypt small.age")" \
  "$(median_ms "$tresor decrypt -i key.txt small.age")" "$(median_ms "age -d -i key.txt small.age")"
row "get one value of 100 (sealed .env)" "$(median_ms "$tresor get app.env KEY_50")" \
  "$(median_ms "$tresor get -i key.txt app.env KEY_50")" "-"
echo
echo "target: decrypt through the agent at most 1 ms more than with an identity file"
