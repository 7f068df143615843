#!/usr/bin/env bash
# Installs the Debian 12 packages tresor needs to build, test and benchmark.
# Skips apt entirely when everything is already installed.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev
  libssl-dev libsodium-dev libsqlite3-dev libcli11-dev libtomlplusplus-dev libfyaml-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev pybind11-dev python3-dev
  nlohmann-json3-dev libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  python3 python3-dotenv python3-yaml python3-cryptography python3-hvac ansible-core nodejs git util-linux age openssl hyperfine time curl wrk nginx etcd-server
  zsh fish ronn man-db lintian systemd adduser
  chromium chromium-driver python3-selenium
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm (tests fetch node-vault and dotenvx, benchmarks dotenvx): bundled with some nodejs
# builds; Debian's own nodejs needs the npm package.
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
