"""The ``ztrade`` command line."""
from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timezone
from typing import List, Optional

import numpy as np

from ztrade import FEATURE_NAMES, FeatureComputer, __version__
from ztrade.data import load_bars_csv, sample_path

# Columns shown in the table, with their print formats.
_TABLE = [
    ("close", "{:>10.4f}"),
    ("rsi", "{:>7.2f}"),
    ("macd_line", "{:>9.4f}"),
    ("macd_signal", "{:>11.4f}"),
    ("macd_hist", "{:>9.4f}"),
    ("ema_fast", "{:>10.4f}"),
    ("ema_slow", "{:>10.4f}"),
    ("sma", "{:>10.4f}"),
    ("dist_from_sma", "{:>13.5f}"),
    ("volume", "{:>9.0f}"),
    ("range_pct", "{:>9.5f}"),
]


def _fmt_time(ts_ns: int) -> str:
    if ts_ns == 0:
        return "-"
    return datetime.fromtimestamp(ts_ns / 1e9, tz=timezone.utc).strftime("%Y-%m-%d %H:%M")


def _cmd_features(args: argparse.Namespace) -> int:
    path = args.csv or sample_path()
    try:
        bars = load_bars_csv(path)
    except (OSError, ValueError) as exc:
        print(f"ztrade features: {exc}", file=sys.stderr)
        return 2
    try:
        fc = FeatureComputer(rsi_period=args.rsi, macd_fast=args.macd_fast,
                             macd_slow=args.macd_slow, macd_signal=args.macd_signal,
                             sma_period=args.sma)
    except ValueError as exc:
        print(f"ztrade features: {exc}", file=sys.stderr)
        return 2
    n = len(bars["close"])
    start = time.perf_counter()
    try:
        matrix = fc.compute_batch(bars["open"], bars["high"], bars["low"], bars["close"],
                                  bars["volume"])
    except ValueError as exc:
        print(f"ztrade features: {path}: {exc}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - start

    print(f"ztrade {__version__} - features over {n} bars from {path}")
    print(f"config: RSI {args.rsi}, MACD {args.macd_fast}/{args.macd_slow}/{args.macd_signal}, "
          f"SMA {args.sma}; every feature defined from bar {fc.lookback} (0-based)")
    col = {name: i for i, name in enumerate(FEATURE_NAMES)}
    tail = max(0, min(args.tail, n))
    header = f"{'bar':>6}  {'time (UTC)':<16}" + "".join(
        f" {name:>{len(fmt.format(0.0))}}" for name, fmt in _TABLE)
    print()
    print(header)
    print("-" * len(header))
    for i in range(n - tail, n):
        cells = "".join(" " + (fmt.format(matrix[i, col[name]]) if not np.isnan(matrix[i, col[name]])
                               else f"{'NaN':>{len(fmt.format(0.0))}}") for name, fmt in _TABLE)
        print(f"{i:>6}  {_fmt_time(int(bars['ts_ns'][i])):<16}{cells}")
    print()
    ready = matrix[fc.lookback:] if n > fc.lookback else matrix[:0]
    if len(ready):
        rsi = ready[:, col["rsi"]]
        hist = ready[:, col["macd_hist"]]
        crosses = int(np.count_nonzero(np.diff(np.sign(hist)) != 0))
        print(f"summary: {len(ready)} bars with every feature defined; RSI mean {rsi.mean():.2f} "
              f"(min {rsi.min():.2f}, max {rsi.max():.2f}); {int((rsi > 70).sum())} bars overbought "
              f"(>70), {int((rsi < 30).sum())} oversold (<30); {crosses} MACD signal crosses")
    else:
        print(f"summary: fewer than {fc.lookback + 1} bars, so no bar has every feature defined")
    print(f"computed in {elapsed * 1e3:.2f} ms ({elapsed / max(n, 1) * 1e9:.1f} ns/bar, batch)")
    return 0


def _overrides(pairs: List[str]) -> dict:
    out = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or "." not in key:
            raise SystemExit(f"ztrade: --set wants section.key=value, got {pair!r}")
        out["ZTRADE__" + key.replace(".", "__")] = value
    return out


def _cmd_run(args: argparse.Namespace) -> int:
    from ztrade.launcher import EngineError, format_summary, run_engine
    try:
        summary = run_engine(args.config, args.run_dir, args.threads, _overrides(args.set),
                             args.timeout)
    except EngineError as exc:
        print(f"ztrade run: {exc}", file=sys.stderr)
        return 1
    print(format_summary(summary))
    return 0 if all(v == 0 for v in summary["exit_codes"].values()) else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ztrade", description="ztrade trading engine tools")
    parser.add_argument("--version", action="version", version=f"ztrade {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    feat = sub.add_parser("features", help="compute features over a CSV of bars and print them")
    feat.add_argument("--csv", help="CSV with open,high,low,close,volume (+ ts or ts_ns) columns; "
                                    "default: the bundled sample")
    feat.add_argument("--tail", type=int, default=15, help="rows to print (default 15)")
    feat.add_argument("--rsi", type=int, default=14)
    feat.add_argument("--macd-fast", type=int, default=12)
    feat.add_argument("--macd-slow", type=int, default=26)
    feat.add_argument("--macd-signal", type=int, default=9)
    feat.add_argument("--sma", type=int, default=20)
    feat.set_defaults(func=_cmd_features)

    run = sub.add_parser("run", help="run the engine (default: replay of the bundled sample "
                                     "with the simulated broker) and print a session summary")
    run.add_argument("--config", help="engine TOML (default: the packaged config/ztrade.toml)")
    run.add_argument("--run-dir", help="session directory (default: run/session-<time>)")
    run.add_argument("--threads", action="store_true",
                     help="run the four components as threads of one process (inproc)")
    run.add_argument("--set", action="append", metavar="SECTION.KEY=VALUE",
                     help="override a config value, e.g. --set market_data.venue=synthetic")
    run.add_argument("--timeout", type=float, default=600.0, help="seconds before giving up")
    run.set_defaults(func=_cmd_run)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
