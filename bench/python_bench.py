"""Python-side feature benchmark (a measurement, not a test).

Compares, over the same random-walk bars:
  * ztrade per-bar FeatureComputer.compute_streaming through the binding,
  * ztrade FeatureComputer.compute_batch (the 12-feature matrix, numpy in/out),
  * TA-Lib's Python package: batch functions for the same features, and its streaming API,
  * talipp (incremental, pure Python) for RSI + MACD + EMA x2 + SMA,
  * a pandas implementation of the 12 features (ewm/rolling; not TA-Lib-exact).

Run:  python bench/python_bench.py [--bars 1000000] [--stream-bars 200000]
Needs the [bench] extras: pip install '.[bench]'
"""
from __future__ import annotations

import argparse
import platform
import time

import numpy as np

import ztrade
from ztrade import FeatureComputer, MarketBar


def make_bars(n: int, seed: int = 42):
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0, 0.001, n)))
    open_ = np.concatenate([[100.0], close[:-1]])
    high = np.maximum(open_, close) * (1 + rng.uniform(0, 0.001, n))
    low = np.minimum(open_, close) * (1 - rng.uniform(0, 0.001, n))
    volume = rng.integers(1, 100_000, n).astype(np.float64)
    return open_, high, low, close, volume


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def report(rows, name, seconds, n, note=""):
    rows.append((name, seconds / n * 1e9, note))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--bars", type=int, default=1_000_000, help="bars for batch paths")
    ap.add_argument("--stream-bars", type=int, default=200_000, help="bars for per-bar paths")
    ap.add_argument("--slow-bars", type=int, default=20_000,
                    help="bars for the slowest per-bar peers (talipp, TA-Lib stream)")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    o, h, l, c, v = make_bars(args.bars)
    rows = []
    fc = FeatureComputer()

    # Per-bar streaming through the binding, bars prebuilt (a live feed hands us objects).
    ns = args.stream_bars
    bars = [MarketBar("BENCH", o[i], h[i], l[i], c[i], v[i], i) for i in range(ns)]

    def stream():
        f = FeatureComputer().compute_streaming
        for b in bars:
            f(b)

    report(rows, "ztrade compute_streaming (per bar, incl. call)", best_of(stream, args.repeat), ns)

    def loop_only():
        for b in bars:
            pass

    report(rows, "  (bare Python for-loop over the same bars)", best_of(loop_only, args.repeat), ns)

    t = best_of(lambda: fc.compute_batch(o, h, l, c, v), args.repeat)
    report(rows, "ztrade compute_batch (12 features, new output array)", t, args.bars)
    out = np.empty((args.bars, 12))
    t = best_of(lambda: fc.compute_batch(o, h, l, c, v, out=out), args.repeat)
    report(rows, "ztrade compute_batch (12 features, out= reused array)", t, args.bars)

    try:
        import talib
        import talib.stream as tstream

        def talib_batch():
            rsi = talib.RSI(c, 14)
            line, sig, hist = talib.MACD(c, 12, 26, 9)
            ef, es, sma = talib.EMA(c, 12), talib.EMA(c, 26), talib.SMA(c, 20)
            return np.column_stack([c, rsi, line, sig, hist, ef, es, ef - es, sma,
                                    (c - sma) / sma, v, (h - l) / c])

        report(rows, f"TA-Lib {talib.__version__} batch (same 12 features, numpy stack)",
               best_of(talib_batch, args.repeat), args.bars)
        report(rows, "TA-Lib batch RSI(14) alone", best_of(lambda: talib.RSI(c, 14), args.repeat),
               args.bars)
        report(rows, "TA-Lib batch MACD(12,26,9) alone",
               best_of(lambda: talib.MACD(c, 12, 26, 9), args.repeat), args.bars)

        ks = args.slow_bars
        window = c[:ks]

        def talib_stream():
            # talib.stream recomputes over the history it is given: O(history) per bar.
            for i in range(100, ks):
                hist = window[: i + 1]
                tstream.RSI(hist, 14)
                tstream.MACD(hist, 12, 26, 9)
                tstream.EMA(hist, 12)
                tstream.EMA(hist, 26)
                tstream.SMA(hist, 20)

        report(rows, f"TA-Lib stream API (RSI+MACD+EMA x2+SMA, growing history to {ks})",
               best_of(talib_stream, 1), ks - 100, "O(history) per call")
    except ImportError:
        rows.append(("TA-Lib", float("nan"), "not installed"))

    try:
        from talipp.indicators import EMA, MACD, RSI, SMA

        ks = args.slow_bars

        def talipp_run():
            rsi, macd, ef, es, sma = RSI(14), MACD(12, 26, 9), EMA(12), EMA(26), SMA(20)
            for x in c[:ks].tolist():
                rsi.add(x)
                macd.add(x)
                ef.add(x)
                es.add(x)
                sma.add(x)

        report(rows, "talipp incremental (RSI+MACD+EMA x2+SMA)", best_of(talipp_run, 1), ks)
    except ImportError:
        rows.append(("talipp", float("nan"), "not installed"))

    try:
        import pandas as pd

        df = pd.DataFrame({"open": o, "high": h, "low": l, "close": c, "volume": v})

        def pandas_features():
            close = df["close"]
            delta = close.diff()
            gain = delta.clip(lower=0).ewm(alpha=1 / 14, adjust=False).mean()
            loss = (-delta.clip(upper=0)).ewm(alpha=1 / 14, adjust=False).mean()
            rsi = 100 * gain / (gain + loss)
            ef = close.ewm(span=12, adjust=False).mean()
            es = close.ewm(span=26, adjust=False).mean()
            line = ef - es
            sig = line.ewm(span=9, adjust=False).mean()
            sma = close.rolling(20).mean()
            return pd.DataFrame({"close": close, "rsi": rsi, "macd_line": line, "macd_signal": sig,
                                 "macd_hist": line - sig, "ema_fast": ef, "ema_slow": es,
                                 "spread": ef - es, "sma": sma, "dist_from_sma": (close - sma) / sma,
                                 "volume": df["volume"],
                                 "range_pct": (df["high"] - df["low"]) / close})

        report(rows, f"pandas {pd.__version__} (ewm/rolling, not TA-Lib-exact)",
               best_of(pandas_features, args.repeat), args.bars)
    except ImportError:
        rows.append(("pandas", float("nan"), "not installed"))

    print(f"ztrade {ztrade.__version__}, Python {platform.python_version()}, numpy {np.__version__}, "
          f"{args.bars} bars batch / {args.stream_bars} per-bar / {args.slow_bars} slow peers, "
          f"best of {args.repeat}")
    print(f"{'path':<72} {'ns/bar':>10}")
    for name, ns_bar, note in rows:
        print(f"{name:<72} {ns_bar:>10.1f}{'  ' + note if note else ''}")


if __name__ == "__main__":
    main()
