"""Receive-to-publish latency of a live venue connection, per message: a local Kraken v2 TLS
server (the test server) streams trades at RATE msg/s to ztrade-market-data; every TradeMsg on
the bus carries receive_ns (stamped when its frame was read off the socket) and its header
carries send_ns (when it was published), both on this host's clock. A measurement, not a test.

    python bench/venue_latency_bench.py --rate 10000 --duration 10
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "python"))

from venue_servers.feed_handler import FeedHandler  # noqa: E402
from venue_servers.kraken import KrakenServer  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rate", type=float, default=10000)
    ap.add_argument("--duration", type=float, default=10)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="ztrade-venue-bench-") as d:
        work = Path(d)
        server = KrakenServer(work, {"BTC/USD": (1, 8)}).start()
        feed = FeedHandler(work, {
            "ZTRADE__market_data__kraken__enabled": "true",
            "ZTRADE__market_data__kraken__url": server.url,
            "ZTRADE__market_data__kraken__ca_file": str(server.ca_file),
            "ZTRADE__market_data__kraken__symbols": '{ "BTC/USD" = "BTCUSD" }',
            "ZTRADE__market_data__kraken__channels": '["trade"]',
            "ZTRADE__market_data__bar_interval_s": "3600"}, servers=[server])
        try:
            server.wait_for(lambda: server.requests("method", "subscribe"), what="subscribe")
            total = int(args.rate * args.duration)
            frames = [('{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD",'
                       '"side":"buy","price":%d.%d,"qty":0.01000000,"ord_type":"market",'
                       '"trade_id":%d,"timestamp":"2026-11-22T12:00:01.123456Z"}]}')
                      % (29000 + i % 1000, i % 10, i + 1) for i in range(total)]

            async def stream():
                # Paced in 1 ms slices (the loop's timer resolution): rate/1000 frames each.
                per_ms = max(1, int(args.rate / 1000))
                start = time.monotonic()
                for k in range(0, total, per_ms):
                    due = start + (k / args.rate)
                    delay = due - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    for ws in list(server.connections):
                        for f in frames[k:k + per_ms]:
                            await ws.send(f)

            t0 = time.monotonic()
            server.call(stream(), timeout=args.duration * 3 + 30)
            sent_s = time.monotonic() - t0
            feed.wait_for(lambda: len(feed.messages("trade")) >= total, timeout=60,
                          what="every trade on the bus")
            lat = []
            for t, m in feed.seen:
                if m.type == "trade":
                    lat.append(m.header["send_ns"] - m.body["receive_ns"])
            a = np.asarray(lat, dtype=np.float64) / 1000.0
            ids = [m.body["trade_id"] for _, m in feed.seen if m.type == "trade"]
            print(f"kraken trades: {len(a)} of {total} at {total / sent_s:,.0f}/s offered "
                  f"(ids in order, none missing: {ids == list(range(1, total + 1))})")
            print(f"receive-to-publish us: p50 {np.percentile(a, 50):.2f}  p99 "
                  f"{np.percentile(a, 99):.2f}  p99.9 {np.percentile(a, 99.9):.2f}  "
                  f"max {a.max():.2f}")
        finally:
            feed.stop()
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
