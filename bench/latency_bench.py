"""Tick-to-order latency of the engine beside the raw ZeroMQ floor, and the highest rate it
sustains with zero gaps. A measurement, never a test: it prints figures for
docs/performance.md and asserts nothing.

For each rate the synthetic feed publishes RATE trades/s, aggregated into 10 ms bars; the
macd_rsi rule runs with short periods (2/3/2, RSI gate open) so that many bars become
orders. End to end is a bar's publish by market-data to execution's "accepted" report for the
order it caused: three hops (market-data -> signal-bridge -> risk -> execution), each
including the receiving component's work. Beside it, in the same run, the raw chain
(bench/zmq_chain_bench.cpp) passes engine-sized messages through three plain PUB/SUB hops
between four processes at the same rate.

    python bench/latency_bench.py                       # 1k, 10k, 100k msg/s, 20 s each
    python bench/latency_bench.py --threads             # the threads deployment (inproc)
    python bench/latency_bench.py --inline --rates 10000  # one thread, direct dispatch
    python bench/latency_bench.py --inline --busy-wait-us 1000 --rates 10000  # ... spinning
    python bench/latency_bench.py --search 150000,200000,300000 --search-duration 10
    python bench/latency_bench.py --sustain 100000 --sustain-duration 60
    python bench/latency_bench.py --cpus 1      # engine and chain pinned to CPU 1 alike

The chain is also measured with two listeners on every stage (subscribers that only
receive), closer to the engine's fan-out: each bar reaches signal-bridge, risk, execution and
the launcher's tap.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ztrade.launcher import run_engine

ROOT = Path(__file__).resolve().parent.parent
E2E = "bar -> order accepted (end to end)"


def engine_overrides(rate: float, duration: float, cpus: str, busy_wait_us: int = 0) -> dict:
    extra = {"ZTRADE__engine__cpus": f"[{cpus}]"} if cpus else {}
    if busy_wait_us:
        extra["ZTRADE__engine__busy_wait_us"] = str(busy_wait_us)
    return {**extra,
        "ZTRADE__market_data__venue": "synthetic",
        "ZTRADE__market_data__synthetic__rate_per_s": str(rate),
        "ZTRADE__market_data__synthetic__duration_s": str(duration),
        "ZTRADE__market_data__bar_interval_s": "0.01",
        "ZTRADE__signal_bridge__macd_fast": "2",
        "ZTRADE__signal_bridge__macd_slow": "3",
        "ZTRADE__signal_bridge__macd_signal": "2",
        "ZTRADE__signal_bridge__rsi_buy_below": "100",
        "ZTRADE__signal_bridge__rsi_sell_above": "0",
        "ZTRADE__risk__max_orders_per_s": "1000",
        "ZTRADE__risk__daily_loss_limit": "1000000000",
        "ZTRADE__risk__max_order_notional": "1000000000",
        "ZTRADE__risk__price_band_pct": "50",
    }


def run_chain(binary: str, rate: float, duration: float, cpus: str, listeners: int = 0) -> dict:
    pin = ["--cpus", cpus] if cpus else []
    out = subprocess.run([binary, "--hops", "3", "--rate", str(rate), "--duration",
                          str(duration), "--listeners", str(listeners), "--json",
                          "--dir", tempfile.gettempdir(), *pin],
                         capture_output=True, text=True, check=True, timeout=duration + 120)
    return json.loads(out.stdout)


def run_engine_at(rate: float, duration: float, deployment: str, cpus: str = "",
                  busy_wait_us: int = 0) -> dict:
    with tempfile.TemporaryDirectory(prefix="ztrade-bench-") as d:
        return run_engine(run_dir=d, deployment=deployment,
                          overrides=engine_overrides(rate, duration, cpus, busy_wait_us),
                          progress=lambda *a: None, timeout_s=duration * 10 + 120)


def losses(s: dict) -> int:
    return s["bus_gaps_seen_by_tap"] + sum(sum(v.values()) for v in s["bus_losses"].values())


def fmt_row(label: str, p: dict | None) -> str:
    if not p:
        return f"| {label} | 0 | - | - | - | - |"
    return (f"| {label} | {p['count']} | {p['p50_us']:.1f} | {p['p99_us']:.1f} | "
            f"{p['p999_us']:.1f} | {p['max_us']:.1f} |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rates", default="1000,10000,100000")
    ap.add_argument("--duration", type=float, default=20.0)
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--threads", action="store_true", help="threads deployment (inproc)")
    where.add_argument("--inline", action="store_true",
                       help="inline deployment (one thread, direct dispatch)")
    ap.add_argument("--busy-wait-us", type=int, default=0,
                    help="inline: spin through waits shorter than this (engine.busy_wait_us)")
    ap.add_argument("--chain-bin", default=str(ROOT / "build/release/bench/ztrade_bench_zmq_chain"))
    ap.add_argument("--search", default="", help="rates to try in turn for the gap-free search")
    ap.add_argument("--search-duration", type=float, default=10.0)
    ap.add_argument("--sustain", type=float, default=0, help="one long run at this rate")
    ap.add_argument("--sustain-duration", type=float, default=60.0)
    ap.add_argument("--cpus", default="", help="pin engine and chain to these CPUs (e.g. 1); "
                    "this script and its tap then run on the others")
    ap.add_argument("--json", help="also write every result here")
    args = ap.parse_args()
    if args.cpus:
        mine = set(range(os.cpu_count() or 1)) - {int(c) for c in args.cpus.split(",")}
        if mine:
            os.sched_setaffinity(0, mine)
    if not os.access(args.chain_bin, os.X_OK):
        sys.exit(f"no raw-chain benchmark at {args.chain_bin}: build with ZTRADE_BUILD_BENCH=ON "
                 "(scripts/test.sh does) or pass --chain-bin")
    mode = "inline" if args.inline else "threads" if args.threads else "processes"
    deployment = {"inline": "inline (one thread)", "threads": "threads (inproc)",
                  "processes": "processes (ipc)"}[mode] + \
        (f", pinned to CPU {args.cpus}" if args.cpus else "") + \
        (f", busy wait {args.busy_wait_us} us" if args.busy_wait_us else "")
    results = {"deployment": deployment, "rates": [], "search": [], "sustain": None,
               "date": time.strftime("%Y-%m-%d %H:%M")}

    for rate in [float(r) for r in args.rates.split(",") if r]:
        print(f"rate {rate:,.0f} msg/s: raw chain ...", flush=True)
        chain = run_chain(args.chain_bin, rate, args.duration, args.cpus)
        fanout = run_chain(args.chain_bin, rate, args.duration, args.cpus, listeners=2)
        print(f"rate {rate:,.0f} msg/s: engine ({deployment}) ...", flush=True)
        s = run_engine_at(rate, args.duration, mode, args.cpus, args.busy_wait_us)
        e2e = s["latency"].get(E2E)
        row = {"rate": rate, "chain": chain, "chain_listeners": fanout,
               "engine_latency": s["latency"],
               "orders": s["orders"], "trades": s["trades"], "losses": losses(s),
               "peak_rss_mb": s["peak_rss_mb"]}
        if e2e and chain["count"]:
            row["ratio_p50"] = e2e["p50_us"] / chain["p50_us"]
            row["ratio_p99"] = e2e["p99_us"] / chain["p99_us"]
        results["rates"].append(row)
        print(f"\n### {rate:,.0f} msg/s, {args.duration:.0f} s, {deployment}\n")
        print("| path | count | p50 us | p99 us | p99.9 us | max us |\n|---|---|---|---|---|---|")
        for hop, p in s["latency"].items():
            print(fmt_row(hop, p))
        print(fmt_row("raw ZeroMQ chain, 3 hops over ipc (same run)", chain))
        print(fmt_row("raw chain + 2 listeners a stage (same run)", fanout))
        if "ratio_p50" in row:
            print(f"\nend to end / raw chain: p50 {row['ratio_p50']:.2f}x (target <= 1.25), "
                  f"p99 {row['ratio_p99']:.2f}x (target <= 1.5)")
        print(f"trades {s['trades']}, orders {s['orders']}, losses {row['losses']} "
              f"(chain missing {chain['missing']}), peak RSS {s['peak_rss_mb']}\n", flush=True)

    best = None
    for rate in [float(r) for r in args.search.split(",") if r]:
        print(f"gap-free search: {rate:,.0f} msg/s for {args.search_duration:.0f} s ...", flush=True)
        s = run_engine_at(rate, args.search_duration, mode, args.cpus, args.busy_wait_us)
        achieved = s["trades"] / s["stream_s"] if s["stream_s"] else 0.0
        ok = losses(s) == 0 and achieved >= 0.98 * rate
        results["search"].append({"rate": rate, "achieved": achieved, "losses": losses(s),
                                  "bus_losses": s["bus_losses"], "ok": ok})
        print(f"  published {s['trades']} trades at {achieved:,.0f}/s, losses {losses(s)} "
              f"{s['bus_losses']} -> {'ok' if ok else 'FAILED'}", flush=True)
        if not ok:
            break
        best = rate
    if args.search:
        print(f"highest rate sustained with zero gaps: {best:,.0f} msg/s" if best else
              "no searched rate was sustained with zero gaps")

    if args.sustain:
        print(f"sustain: {args.sustain:,.0f} msg/s for {args.sustain_duration:.0f} s ...", flush=True)
        s = run_engine_at(args.sustain, args.sustain_duration, mode, args.cpus, args.busy_wait_us)
        achieved = s["trades"] / s["stream_s"] if s["stream_s"] else 0.0
        results["sustain"] = {"rate": args.sustain, "trades": s["trades"],
                              "span_s": s["stream_s"], "achieved": achieved,
                              "losses": losses(s), "bus_losses": s["bus_losses"],
                              "peak_rss_mb": s["peak_rss_mb"]}
        print(f"  {s['trades']} trades in {s['stream_s']:.1f} s ({achieved:,.0f}/s), "
              f"losses {losses(s)} {s['bus_losses']}, peak RSS {s['peak_rss_mb']}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
