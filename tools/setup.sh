#!/usr/bin/env bash
# Installs the Debian packages phusong needs, only those missing (idempotent).
# Runs apt-get directly as root, through sudo otherwise.
set -euo pipefail
packages=(
  g++ cmake ninja-build pkg-config
  libgdal-dev gdal-bin libgeos-dev libproj-dev libboost-dev
  doctest-dev libtomlplusplus-dev libcli11-dev libspdlog-dev libfmt-dev libtbb-dev
  coinor-libcbc-dev libssl-dev nlohmann-json3-dev
  python3-gdal python3-numpy
)
packages+=("$@")  # callers may ask for more (e.g. splat for the benchmark)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "setup: installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
