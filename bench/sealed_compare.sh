#!/usr/bin/env bash
# Sealed .env files: tresor next to dotenvx on the same 100-key and
# 10,000-key files, whole process, in one run, with ratios. Also the targets
# for unseal of 10,000 values and get of one value.
#
# Usage: bench/sealed_compare.sh [BUILD_DIR]   (default build/)
# dotenvx comes from npm into bench/.node (not committed) on first use;
# DOTENVX_10K=0 skips its 10,000-key runs, whose encrypt takes minutes.
source "$(dirname "$0")/lib.sh"
need hyperfine npm python3
dotenvx="$root/bench/.node/node_modules/.bin/dotenvx"
if [ ! -x "$dotenvx" ]; then
  echo "installing dotenvx from npm into bench/.node" >&2
  npm install --silent --no-audit --no-fund --prefix "$root/bench/.node" @dotenvx/dotenvx >&2
fi
work=$(mktemp -d /dev/shm/tresor-sealed-bench.XXXXXX 2>/dev/null || mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

"$tresor" keygen -o key.txt 2>/dev/null
python3 - <<'PY'
import random, string
random.seed(7)
alphabet = string.ascii_letters + string.digits
for n in (100, 10000):
    with open(f"plain{n}.env", "w") as f:
        for i in range(n):
            f.write(f"KEY_{i}=" + "".join(random.choice(alphabet) for _ in range(24)) + "\n")
with open("plain10000.yaml", "w") as f:
    for g in range(100):
        f.write(f"group_{g}:\n")
        for i in range(100):
            f.write(f"  key_{i}: " + "".join(random.choice(alphabet) for _ in range(24)) + "\n")
PY

# median wall time in ms of a command (hyperfine), stdout discarded; the
# median, because this shared machine has bursts of outside load
median_ms() {
  local runs=$1; shift
  hyperfine -N --warmup 1 --runs "$runs" --export-json t.json "$*" >/dev/null 2>&1
  python3 -c "import json; print(f\"{json.load(open('t.json'))['results'][0]['median']*1000:.1f}\")"
}
once_ms() {  # one run of a command that changes its input
  python3 - "$@" <<'PY'
import subprocess, sys, time
t = time.perf_counter()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
print(f"{(time.perf_counter() - t) * 1000:.1f}")
PY
}
row() {  # label, tresor ms, dotenvx ms (or -)
  local ratio="-"
  [ "$3" != "-" ] && ratio=$(python3 -c "print(f'{$3/$2:.0f}x')")
  printf '%-40s %10s ms %12s ms %8s\n' "$1" "$2" "$3" "$ratio"
}

printf '%-40s %13s %15s %8s\n' "whole process" "tresor" "dotenvx" "ratio"
for n in 100 10000; do
  cp "plain$n.env" "t$n.env"
  mkdir -p "dx$n" && cp "plain$n.env" "dx$n/.env"
  seal_t=$(once_ms "$tresor" seal -i key.txt --in-place "t$n.env")
  if [ "$n" = 100 ] || [ "${DOTENVX_10K:-1}" = 1 ]; then
    seal_d=$(cd "dx$n" && once_ms "$dotenvx" encrypt -f .env)
    unseal_d=$(cd "dx$n" && median_ms 3 "$dotenvx" decrypt -f .env --stdout)
    get_d=$(cd "dx$n" && median_ms 3 "$dotenvx" get KEY_50 -f .env)
  else
    seal_d=-; unseal_d=-; get_d=-
  fi
  unseal_t=$(median_ms 20 "$tresor" unseal -i key.txt "t$n.env")
  get_t=$(median_ms 20 "$tresor" get -i key.txt "t$n.env" KEY_50)
  row "seal/encrypt, $n keys" "$seal_t" "$seal_d"
  row "unseal/decrypt to stdout, $n keys" "$unseal_t" "$unseal_d"
  row "get one value, $n keys" "$get_t" "$get_d"
done
cp plain10000.yaml t10000.yaml
seal_y=$(once_ms "$tresor" seal -i key.txt --in-place t10000.yaml)
row "seal, 10000-value YAML" "$seal_y" "-"
row "unseal to stdout, 10000-value YAML" "$(median_ms 20 "$tresor" unseal -i key.txt t10000.yaml)" "-"
row "get one value, 10000-value YAML" "$(median_ms 20 "$tresor" get -i key.txt t10000.yaml group_50.key_50)" "-"
echo
echo "targets: unseal of 10,000 values < 50 ms; get from 10,000 < 10 ms; get from 100 < 3 ms"
