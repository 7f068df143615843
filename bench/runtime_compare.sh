#!/usr/bin/env bash
# Secrets at run time, next to what a program does without tresor, in one
# run, with ratios:
#   - in-process: tresor::Config open + one get on a 100-value sealed INI,
#     against the same on the plaintext file (Google Benchmark)
#   - whole process: `tresor run -f sealed.ini -- /bin/true` against a bare
#     exec of /bin/true (hyperfine; the difference is run's overhead)
#   - whole process: Python `import tresor` + read + get on the sealed INI,
#     against Python's own configparser on the plaintext
# Usage: bench/runtime_compare.sh [BUILD_DIR]   (default build/)
source "$(dirname "$0")/lib.sh"
need hyperfine
bench="$root/$build/bench/runtime_bench"
pymod="$root/$build/python"
python=/usr/bin/python3  # Debian's: the one the module is built for
for f in "$bench" "$pymod/tresor/__init__.py"; do
  [ -e "$f" ] || { echo "missing $f: build first (scripts/build.sh)" >&2; exit 1; }
done
work=$(mktemp -d /dev/shm/tresor-runtime-bench.XXXXXX 2>/dev/null || mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

"$tresor" keygen -o key.txt 2>/dev/null
"$python" - <<'PY'
import random, string
random.seed(11)
alphabet = string.ascii_letters + string.digits
with open("plain.ini", "w") as f:
    for s in range(10):
        f.write(f"[section_{s}]\n")
        for i in range(10):
            f.write(f"key_{i} = " + "".join(random.choice(alphabet) for _ in range(24)) + "\n")
PY
cp plain.ini sealed.ini
"$tresor" seal -i key.txt --in-place sealed.ini
export TRESOR_IDENTITY_FILE="$work/key.txt"

# median wall time in ms of a whole-process command (hyperfine), stdout discarded
median_ms() {
  hyperfine -N --warmup 3 --runs "$1" --export-json t.json "${@:2}" >/dev/null 2>&1
  "$python" -c "import json; print(f\"{json.load(open('t.json'))['results'][0]['median']*1000:.2f}\")"
}
row() {  # label, tresor, peer, unit
  printf '%-44s %10s %s %10s %s %8s\n' "$1" "$2" "$4" "$3" "$4" \
    "$("$python" -c "print(f'{$2/$3:.2f}x')")"
}
printf '%-44s %13s %13s %8s\n' "" "tresor" "peer" "ratio"

# in-process, microseconds: Google Benchmark's median of repetitions
TRESOR_BENCH_SEALED="$work/sealed.ini" TRESOR_BENCH_PLAIN="$work/plain.ini" \
  TRESOR_BENCH_KEY=section_5.key_5 "$bench" --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true --benchmark_format=json >bench.json 2>/dev/null
read -r sealed_us plain_us < <("$python" - <<'PY'
import json
runs = {b["run_name"]: b["real_time"] for b in json.load(open("bench.json"))["benchmarks"]
        if b.get("aggregate_name") == "median"}
print(f"{runs['BM_OpenGetSealed']:.0f} {runs['BM_OpenGetPlain']:.0f}")
PY
)
row "library: open + get, 100 values (vs plain)" "$sealed_us" "$plain_us" "us"

# whole process: run's overhead over a bare exec
run_ms=$(median_ms 50 "$tresor run -f sealed.ini -- /bin/true")
true_ms=$(median_ms 50 "/bin/true")
row "tresor run -- /bin/true (vs bare exec)" "$run_ms" "$true_ms" "ms"
overhead=$("$python" -c "print(f'{$run_ms - $true_ms:.2f}')")

# whole process: Python tresor vs configparser on the plaintext
cat >with_tresor.py <<'PY'
import tresor
cfg = tresor.ConfigParser()
cfg.read("sealed.ini")
cfg.get("section_5", "key_5")
PY
cat >with_configparser.py <<'PY'
import configparser
cfg = configparser.ConfigParser()
cfg.read("plain.ini")
cfg.get("section_5", "key_5")
PY
py_tresor=$(PYTHONPATH="$pymod" median_ms 30 "$python with_tresor.py")
py_plain=$(median_ms 30 "$python with_configparser.py")
row "python: import + read + get (vs configparser)" "$py_tresor" "$py_plain" "ms"
echo
echo "tresor run overhead over a bare exec: $overhead ms"
echo "targets: library open + get < 1000 us; run overhead < 5 ms; python import + read + get < 30 ms"
