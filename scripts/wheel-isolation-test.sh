#!/usr/bin/env bash
# Proves the portable wheel installs and runs where the build's libraries are not: a clean
# Debian 12 (debootstrap, minbase + python3) with none of the -dev packages and none of the
# shared libraries ztrade links (libzmq, fmt, spdlog, simdjson, toml++, libsodium). Inside it,
# in a private mount namespace: pip install the wheel (offline, with its dependencies fetched
# here first), import ztrade, update a FeatureComputer, and `ztrade run --gateway` the bundled
# sample.
# Usage: scripts/wheel-isolation-test.sh WHEEL [PYTHON]     (root; scripts/test.sh runs it)
# The root file system is kept in build/isolation/rootfs and reused (delete it to rebuild).
set -euo pipefail
ZTRADE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ZTRADE_ROOT"
WHEEL="$(realpath "$1")"
PY="${2:-python3}"
BASE=build/isolation
ROOTFS="$BASE/rootfs"
MIRROR="${ZTRADE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if [ "$(id -u)" -ne 0 ]; then
  echo "error: the wheel isolation test needs root (debootstrap, chroot, mount namespace)" >&2
  exit 1
fi
if [ ! -f "$ROOTFS/.ztrade-rootfs-ready" ]; then
  echo "==> debootstrap: Debian bookworm minbase + python3 into $ROOTFS (about a minute)"
  rm -rf "$ROOTFS"
  mkdir -p "$BASE"
  debootstrap --variant=minbase --include=python3,python3-venv bookworm "$ROOTFS" "$MIRROR" \
    >"$BASE/debootstrap.log" 2>&1 || { tail -20 "$BASE/debootstrap.log" >&2; exit 1; }
  touch "$ROOTFS/.ztrade-rootfs-ready"
fi

# The isolation itself: what the wheel must not find there.
present="$(find "$ROOTFS/usr/lib" "$ROOTFS/lib" -name 'libzmq.so*' -o -name 'libfmt.so*' \
  -o -name 'libspdlog.so*' -o -name 'libsimdjson.so*' -o -name 'libtomlplusplus.so*' \
  -o -name 'libsodium.so*' 2>/dev/null || true)"
if [ -n "$present" ] || [ -e "$ROOTFS/usr/include/zmq.h" ]; then
  echo "error: $ROOTFS is not clean: $present" >&2
  exit 1
fi

echo "==> the wheel's dependencies (PyPI, downloaded here; the install inside is offline)"
rm -rf "$ROOTFS/wheels" && mkdir -p "$ROOTFS/wheels"
cp "$WHEEL" "$ROOTFS/wheels/"
"$PY" -m pip download -q --only-binary=:all: -d "$ROOTFS/wheels" "$WHEEL"

cat >"$ROOTFS/check-wheel.sh" <<'INNER'
set -eu
rm -rf /opt/ztrade /tmp/ztrade-run
python3 -m venv /opt/ztrade
/opt/ztrade/bin/pip install -q --no-index --find-links /wheels ztrade
cd /tmp
/opt/ztrade/bin/python - <<'PY'
import ztrade
from ztrade import FeatureComputer, MarketBar
fc = FeatureComputer()
for i in range(40):
    out = fc.update(MarketBar("X", 100 + i, 101 + i, 99 + i, 100.5 + i, 10.0, i))
assert out.shape == (12,) and fc.ready, out
print("import ztrade and FeatureComputer: ok", ztrade.__version__)
PY
# Every library the engine loads is the wheel's own or the system's C/C++ runtime.
lib=$(/opt/ztrade/bin/python -c 'import sysconfig; print(sysconfig.get_path("platlib"))')
for exe in "$lib"/ztrade.scripts/ztrade-*; do
  if ldd "$exe" | grep "=>" | grep -v "/ztrade.libs/" | \
      grep -Ev '/(libc|libm|libstdc\+\+|libgcc_s|libpthread|libdl|librt|libresolv)\.so'; then
    echo "error: $exe loads a library from outside the wheel (above)" >&2
    exit 1
  fi
done
/opt/ztrade/bin/ztrade run --gateway --run-dir /tmp/ztrade-run >/tmp/ztrade-run.out 2>&1 || {
  cat /tmp/ztrade-run.out >&2; exit 1; }
/opt/ztrade/bin/python - <<'PY'
import json
s = json.load(open("/tmp/ztrade-run/summary.json"))
assert s["bars"] > 0 and s["orders"] > 0 and s["fills"] == s["orders"], s
assert all(code == 0 for code in s["exit_codes"].values()), s["exit_codes"]
assert "gateway" in s["exit_codes"], s["exit_codes"]  # its SQLite came with the wheel
print(f"ztrade run in the clean system: {s['bars']} bars, {s['orders']} orders, "
      f"{s['fills']} fills, P&L {s['realized_pnl'] + s['unrealized_pnl']:.2f}")
PY
INNER

echo "==> in the clean Debian: pip install $(basename "$WHEEL"), import, ztrade run"
unshare --mount --fork /bin/sh -c "
  mount --rbind /dev '$ROOTFS/dev' && mount -t proc proc '$ROOTFS/proc' &&
  chroot '$ROOTFS' /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root /bin/sh /check-wheel.sh"
echo "wheel isolation test: passed"
