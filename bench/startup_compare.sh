#!/usr/bin/env bash
# Start-up time, which every `get`, `run` and cron job pays: `tresor
# --version`, a 100-byte decrypt and `get` from a 100-key sealed file, each
# next to /bin/true and (for decrypt) age, in one run; mean of 200 runs.
# Printed: each time, its excess over /bin/true (the process floor), and
# decrypt's excess as a ratio of age's (the issue's target: at most 0.45x;
# --version within 1 ms of /bin/true).
# Usage: bench/startup_compare.sh [BUILD_DIR]
source "$(dirname "$0")/lib.sh"
need age age-keygen hyperfine /usr/bin/python3
scratch
cd "$work"
age-keygen -o key.txt 2>/dev/null
head -c 100 /dev/urandom > small.bin
age -r "$(age-keygen -y key.txt)" -o small.age small.bin
/usr/bin/python3 -c "
for i in range(100): print(f'KEY_{i:03d}=value-{i:03d}')" > app.env
"$tresor" seal -i key.txt --in-place app.env
export TRESOR_AGENT_SOCK=$work/no-agent.sock TRESOR_KEYRING_DIR=$work/no-keyring
hyperfine -N --warmup 20 --runs 200 --export-json t.json \
  "/bin/true" "$tresor --version" "age -d -i key.txt small.age" \
  "$tresor decrypt -i key.txt small.age" "$tresor get -i key.txt app.env KEY_050" >/dev/null 2>&1
/usr/bin/python3 - <<'PY'
import json
r = {x["command"].split("/")[-1]: x["mean"] * 1000 for x in json.load(open("t.json"))["results"]}
floor = r["true"]
age = r["age -d -i key.txt small.age"] - floor
print(f"{'mean of 200, ms':44s} {'time':>8s} {'above floor':>12s} {'/ age':>7s}")
for name, t in r.items():
    extra = t - floor
    ratio = f"{extra / age:.2f}x" if "decrypt" in name or "age -d" in name else ""
    print(f"{name:44s} {t:8.2f} {extra:12.2f} {ratio:>7s}")
PY
