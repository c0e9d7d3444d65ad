"""The Alpaca broker's engine-side latency (NewOrder at execution -> POST written on the TLS
socket; trade_updates frame received -> execution report published) and its trade_updates
throughput, against the Alpaca trading test server on loopback. A measurement, not a test.

    python bench/alpaca_broker_bench.py --orders 2000 --events 100000
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "python"))

from venue_servers.alpaca_trading import AlpacaTradingServer  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--orders", type=int, default=2000, help="orders sent one at a time")
    ap.add_argument("--events", type=int, default=100000,
                    help="orders whose three trade_updates events are applied for throughput")
    ap.add_argument("--binary",
                    default=str(ROOT / "build/release/bench/ztrade_bench_alpaca_broker"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="ztrade-alpaca-bench-") as d:
        server = AlpacaTradingServer(Path(d), cash=1e12).start()
        try:
            env = {**os.environ, "APCA_API_KEY_ID": server.key,
                   "APCA_API_SECRET_KEY": server.secret}
            return subprocess.run([args.binary, server.trading_url, server.stream_url,
                                   str(server.ca_file), str(args.orders), str(args.events)],
                                  env=env).returncode
        finally:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
