"""Parameter sweeps scaling with cores: a 100-point grid (SMA fast 5..14 x slow 20..29) over
the same one-minute bars as bench/backtest_bench.py, with the built-in C++ rule and with a
Python strategy, on 1 process and then on every core. A measurement, not a test: wall time
and runs per second.

    python bench/sweep_bench.py --bars 1000000
"""
from __future__ import annotations

import argparse
import os
import time

from backtest_bench import NO_LIMITS, SmaCrossPy, make_bars

from ztrade.backtest import sweep


def cpp_rule(fast: int, slow: int) -> str:
    return f"sma_cross:{fast}:{slow}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bars", type=int, default=1_000_000)
    ap.add_argument("--skip-python", action="store_true", help="the C++ rule only")
    args = ap.parse_args()
    df = make_bars(args.bars)
    grid = {"fast": list(range(5, 15)), "slow": list(range(20, 30))}
    points = len(grid["fast"]) * len(grid["slow"])
    cores = os.cpu_count() or 1
    rules = [("C++ rule (sma_cross)", cpp_rule)]
    if not args.skip_python:
        rules.append(("Python strategy", SmaCrossPy))
    print(f"{points}-point sweep over {args.bars:,} bars, {cores} cores")
    for name, make in rules:
        base = None
        for processes in sorted({1, cores}):
            t = time.perf_counter()
            table = sweep(make, df, grid, symbol="X", slippage_bps=0, risk=NO_LIMITS,
                          processes=processes, progress=False)
            dt = time.perf_counter() - t
            base = base or dt
            print(f"{name:22s} {processes} process(es): {dt:7.1f} s, {points / dt:6.2f} runs/s, "
                  f"{points * args.bars / dt / 1e6:6.1f} M bars/s, speed-up {base / dt:.2f}x "
                  f"(best sharpe {table['sharpe'].iloc[0]:.2f})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
