#!/usr/bin/env bash
# Installs what is needed, then runs ztrade's main job on the embedded default: features over
# the bundled sample, printed as a table. Extra arguments go to `ztrade features`.
set -euo pipefail
ZTRADE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ZTRADE_ROOT"
source scripts/lib/python-env.sh

scripts/install-deps.sh
ztrade_venv "$ZTRADE_ROOT/.venv"
exec "$ZTRADE_ROOT/.venv/bin/ztrade" features "$@"
