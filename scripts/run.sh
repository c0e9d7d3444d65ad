#!/usr/bin/env bash
# Installs what is needed, then runs ztrade's main job on the embedded default: the four engine
# processes on a replay of the bundled sample with the simulated broker, ending in a session
# summary. Extra arguments go to `ztrade run` (e.g. --threads, --set market_data.venue=synthetic).
set -euo pipefail
ZTRADE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ZTRADE_ROOT"
source scripts/lib/python-env.sh

scripts/install-deps.sh
ztrade_venv "$ZTRADE_ROOT/.venv"
exec "$ZTRADE_ROOT/.venv/bin/ztrade" run "$@"
