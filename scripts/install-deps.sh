#!/usr/bin/env bash
# Installs every Debian package that ztrade's build, tests, benchmarks and fuzzers need.
# Idempotent: when everything is already present it only checks and returns (no apt-get update).
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  ccache  # the wheel's build reuses the release build's compiles (scripts/lib/python-env.sh)
  libzmq3-dev cppzmq-dev libsimdjson-dev libboost1.81-dev libssl-dev
  libfmt-dev libspdlog-dev libtomlplusplus-dev
  libhowardhinnant-date-dev tzdata  # risk.day_boundary's time zone
  libgtest-dev libgmock-dev libbenchmark-dev
  pybind11-dev
  clang-14 libclang-rt-14-dev clang-format-14
  openssl ca-certificates
  libsqlite3-dev  # the gateway's history
  chromium chromium-driver  # the dashboard's browser test (headless)
  debootstrap  # the wheel test: a clean Debian without the build's libraries
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} Debian packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${#missing[@]} package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
