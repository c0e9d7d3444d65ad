#!/usr/bin/env bash
# Builds the portable wheel, dist/ztrade-<version>-cp3XX-cp3XX-manylinux_<glibc>_x86_64.whl:
# the module, the engine executables and every shared library they link, so that
# `pip install dist/ztrade-*.whl` works on a machine with Python and none of the -dev packages
# or libzmq/fmt/spdlog/OpenSSL (scripts/test.sh proves it in a clean Debian; see
# scripts/wheel-isolation-test.sh). Usage: scripts/build-wheel.sh   (idempotent)
set -euo pipefail
ZTRADE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ZTRADE_ROOT"
source scripts/lib/python-env.sh

scripts/install-deps.sh
if [ ! -x .venv-build/bin/python ]; then
  echo "==> creating the build venv .venv-build"
  python3 -m venv .venv-build
  .venv-build/bin/python -m pip install -q --upgrade pip >/dev/null
fi
ztrade_build_wheel "$ZTRADE_ROOT/.venv-build/bin/python" "$ZTRADE_ROOT/dist"
echo "install it with: pip install $(ls dist/ztrade-*.whl)"
