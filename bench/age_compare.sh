#!/usr/bin/env bash
# tresor next to its peers on the same files, in one run, with ratios:
#   - 256 MiB encrypt and decrypt: tresor vs the age binary (best of N runs),
#     both to stdout (redirected to /dev/null: the crypto pipeline) and with
#     -o FILE on the same tmpfs (which adds allocating 256 MiB of page cache)
#   - openssl speed -evp chacha20-poly1305 at 16 KiB, one core (the ceiling)
#   - whole-process decrypt of a 100-byte file: tresor vs age vs /bin/true
#   - peak RSS of tresor decrypting 256 MiB
# Usage: bench/age_compare.sh [BUILD_DIR]   (default build/)
source "$(dirname "$0")/lib.sh"
need age age-keygen hyperfine openssl /usr/bin/time
work=$(mktemp -d /dev/shm/tresor-bench.XXXXXX 2>/dev/null || mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

age-keygen -o key.txt 2>/dev/null
recipient=$(age-keygen -y key.txt)
head -c $((256 << 20)) /dev/urandom > big
head -c 100 /dev/urandom > small
age -r "$recipient" -o small.age small
runs=${RUNS:-5}

# Best wall time in seconds of `runs` runs of a command, stdout to /dev/null.
best() {
  python3 - "$runs" "$@" <<'PY'
import subprocess, sys, time
best = float("inf")
for _ in range(int(sys.argv[1])):
    t = time.perf_counter()
    subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, check=True)
    best = min(best, time.perf_counter() - t)
print(best)
PY
}
gbps() { python3 -c "print(f'{268435456/$1/1e9:.2f}')"; }
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }

age -r "$recipient" -o big.age.ref big
"$tresor" encrypt -r "$recipient" -o big.tresor.age big

te=$(best "$tresor" encrypt -r "$recipient" big)
ae=$(best age -r "$recipient" big)
td=$(best "$tresor" decrypt -i key.txt big.age.ref)
ad=$(best age -d -i key.txt big.age.ref)
tef=$(best "$tresor" encrypt -r "$recipient" -o out.age big)
aef=$(best age -r "$recipient" -o out.age big)
tdf=$(best "$tresor" decrypt -i key.txt -o out big.age.ref)
adf=$(best age -d -i key.txt -o out big.age.ref)
ossl=$(openssl speed -evp chacha20-poly1305 -bytes 16384 -seconds 3 2>/dev/null \
       | awk 'tolower($1) == "chacha20-poly1305" {sub("k","",$2); print $2*1000/1e9}')

row() {  # label, tresor seconds, peer seconds
  printf '%-44s %8s/s %8s/s %8s\n' "$1" "$(gbps "$2")" "$(gbps "$3")" "$(ratio "$3" "$2")x"
}
printf '%-44s %10s %10s %8s\n' "256 MiB, best of $runs" "tresor" "peer" "ratio"
row "encrypt to stdout vs age (GB/s)" "$te" "$ae"
row "decrypt to stdout vs age (GB/s)" "$td" "$ad"
row "encrypt -o FILE vs age (GB/s)" "$tef" "$aef"
row "decrypt -o FILE vs age (GB/s)" "$tdf" "$adf"
for op in encrypt decrypt; do
  [ "$op" = encrypt ] && t=$te || t=$td
  printf '%-44s %8s/s %8s/s %8s\n' "$op to stdout vs openssl speed 16 KiB (GB/s)" "$(gbps "$t")" \
    "$ossl" "$(python3 -c "print(f'{268435456/$t/1e9/$ossl*100:.0f}%')")"
done

rss=$(/usr/bin/time -f %M "$tresor" decrypt -i key.txt -o out big.age.ref 2>&1 >/dev/null | tail -1)
printf '%-44s %7s MiB\n' "peak RSS, tresor decrypt 256 MiB" "$(python3 -c "print(f'{$rss/1024:.1f}')")"

echo
hyperfine -N --warmup 20 --runs 300 --export-json small.json \
  -n true "/bin/true" \
  -n tresor "$tresor decrypt -i key.txt small.age" \
  -n age "age -d -i key.txt small.age" >/dev/null 2>&1
python3 - <<'PY'
import json
r = {x["command"]: x["mean"] * 1000 for x in json.load(open("small.json"))["results"]}
print(f"{'100-byte decrypt, whole process (ms)':<44} {r['tresor']:>10.2f} {r['age']:>10.2f} "
      f"{r['age'] / r['tresor']:>7.2f}x   (/bin/true {r['true']:.2f} ms)")
PY
