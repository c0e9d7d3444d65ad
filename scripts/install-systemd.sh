#!/usr/bin/env bash
# Installs the engine executables under PREFIX (default /usr/local) and the systemd units, and
# creates the ztrade user, /etc/ztrade (config, env file for secrets) and /var/lib/ztrade.
# Run as root on the target host:  scripts/install-systemd.sh [PREFIX]
# Then:  systemctl enable --now ztrade.target ; journalctl -u 'ztrade@*' -f
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX="${1:-/usr/local}"
[ "$(id -u)" -eq 0 ] || { echo "install-systemd: run as root" >&2; exit 1; }

"$ROOT/scripts/install-deps.sh"
cmake -S "$ROOT" -B "$ROOT/build/install" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DZTRADE_BUILD_TESTS=OFF -DZTRADE_BUILD_BENCH=OFF -DCMAKE_INSTALL_PREFIX="$PREFIX" >/dev/null
cmake --build "$ROOT/build/install" -j2
cmake --install "$ROOT/build/install"

id ztrade >/dev/null 2>&1 || useradd --system --home-dir /var/lib/ztrade --shell /usr/sbin/nologin ztrade
install -d -m 0755 /etc/ztrade
[ -f /etc/ztrade/ztrade.toml ] || install -m 0644 "$ROOT/config/ztrade.toml" /etc/ztrade/ztrade.toml
if [ ! -f /etc/ztrade/ztrade.env ]; then
  umask 077
  printf 'ZTRADE_CONTROL_TOKEN=%s\n' "$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')" > /etc/ztrade/ztrade.env
  chown root:ztrade /etc/ztrade/ztrade.env && chmod 0640 /etc/ztrade/ztrade.env
fi
sed "s#/usr/local/bin#$PREFIX/bin#" "$ROOT/config/systemd/ztrade@.service" > /etc/systemd/system/ztrade@.service
# External strategies (ztrade-strategy@NAME): the `ztrade` command of the Python package
# (pip install ztrade); its files go in /etc/ztrade/strategies.
install -d -m 0755 /etc/ztrade/strategies
ZTRADE_CLI="$(command -v ztrade || echo "$PREFIX/bin/ztrade")"
sed "s#/usr/local/bin/ztrade #$ZTRADE_CLI #" "$ROOT/config/systemd/ztrade-strategy@.service" \
  > /etc/systemd/system/ztrade-strategy@.service
install -m 0644 "$ROOT/config/systemd/ztrade.target" /etc/systemd/system/ztrade.target
systemctl daemon-reload
echo "installed: $PREFIX/bin/ztrade-*, /etc/ztrade/ztrade.toml, /etc/systemd/system/ztrade@.service, ztrade-strategy@.service"
echo "start with: systemctl enable --now ztrade.target"
