#!/usr/bin/env bash
# Builds tresor into build/ (release, warnings as errors).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DTRESOR_WERROR=ON >/dev/null
cmake --build build
