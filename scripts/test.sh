#!/usr/bin/env bash
# Installs what is needed, then runs every test: C++ (Release, then ASan/UBSan), the fuzz
# targets briefly, the Python static checks (ruff, mypy, stubs), the Python tests against the
# portable wheel, and that wheel in a clean Debian without the build's libraries.
# Usage: scripts/test.sh            (from anywhere; idempotent)
set -euo pipefail
ZTRADE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ZTRADE_ROOT"
source scripts/lib/python-env.sh
JOBS="${ZTRADE_JOBS:-2}"

scripts/install-deps.sh
scripts/format.sh --check

echo "==> C++ build (Release, -Werror) and tests"
# Through ccache: the wheel built below compiles the same engine with the same flags
# (ztrade_build_wheel), and takes those compiles from the cache instead of doing them again.
RELEASE_ARGS=(-DCMAKE_BUILD_TYPE=Release -DZTRADE_WERROR=ON -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B build/release -G Ninja "${RELEASE_ARGS[@]}" >/dev/null
cmake --build build/release -j"$JOBS"
# Configuring again with nothing changed must leave every build command as it was: a rerun of
# this script rebuilds nothing.
cmake -S . -B build/release -G Ninja "${RELEASE_ARGS[@]}" >/dev/null
if ! ninja -C build/release -n | grep -q "no work to do"; then
  echo "error: a second configure changed the build (non-deterministic CMake flags)" >&2
  exit 1
fi
ctest --test-dir build/release --output-on-failure -j"$JOBS"

echo "==> C++ tests under AddressSanitizer + UndefinedBehaviorSanitizer"
cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DZTRADE_SANITIZE=address,undefined \
  -DZTRADE_BUILD_BENCH=OFF -DZTRADE_BUILD_APPS=OFF -DZTRADE_WERROR=ON >/dev/null
cmake --build build/asan -j"$JOBS"
ctest --test-dir build/asan --output-on-failure -j"$JOBS"

echo "==> Fuzz targets (libFuzzer), briefly: scripts/fuzz.sh SECONDS runs them longer"
scripts/fuzz.sh "${ZTRADE_FUZZ_SECONDS:-6}"

ztrade_venv "$ZTRADE_ROOT/.venv-test" test,bench
echo "==> Python static checks"
scripts/python-checks.sh "$ZTRADE_ROOT/.venv-test/bin/python"

echo "==> Python tests"
"$ZTRADE_ROOT/.venv-test/bin/python" -m pytest tests/python

echo "==> The wheel in a clean Debian without the build's libraries"
scripts/wheel-isolation-test.sh "$(ls "$ZTRADE_ROOT"/build/wheel/ztrade-*.whl)" \
  "$ZTRADE_ROOT/.venv-test/bin/python"
