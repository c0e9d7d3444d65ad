#!/usr/bin/env bash
# Static checks of the Python package, run by scripts/test.sh: ruff (lint), mypy (types), and
# the type stubs of the native module, which are generated (pybind11-stubgen) from the built
# module and must match the ones in python/ztrade/_core/ - so they cannot go stale.
# Usage: scripts/python-checks.sh [PYTHON]          checks (PYTHON has ztrade and the test extra)
#        scripts/python-checks.sh [PYTHON] --write  regenerates the stubs after a binding change
set -euo pipefail
ZTRADE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ZTRADE_ROOT"
PY="${1:-$ZTRADE_ROOT/.venv-test/bin/python}"
MODE="${2:-}"
STUBS=python/ztrade/_core

generate() {  # into $1: the stubs of the installed ztrade._core
  # Run from elsewhere, so that the installed package is imported, not python/ztrade.
  (cd "$1" && "$PY" -m pybind11_stubgen ztrade._core -o "$1" --numpy-array-remove-parameters \
      --exit-code >/dev/null)
}

if [ "$MODE" = "--write" ]; then
  tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
  generate "$tmp"
  rm -rf "$STUBS" && mkdir -p "$STUBS" && cp "$tmp"/ztrade/_core/*.pyi "$STUBS"/
  echo "stubs written to $STUBS"
  exit 0
fi

echo "==> ruff (python/, tests/python/)"
"$PY" -m ruff check python tests/python
echo "==> mypy (python/ztrade)"
"$PY" -m mypy --no-error-summary python/ztrade
echo "==> type stubs of ztrade._core match the built module"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
generate "$tmp"
if ! diff -ru "$STUBS" "$tmp/ztrade/_core" >"$tmp/stubs.diff"; then
  echo "error: python/ztrade/_core/*.pyi differ from the built module's; run" \
       "scripts/python-checks.sh \"$PY\" --write and commit them:" >&2
  head -40 "$tmp/stubs.diff" >&2
  exit 1
fi
echo "python checks: ruff, mypy and stubs clean"
