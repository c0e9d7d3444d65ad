"""Backtest speed, side by side in one run on the same one-minute bars and the same rules -
SMA(10/20) crossover reversals, a fixed quantity, market orders at the next bar's open:
ztrade with its built-in C++ rule, ztrade with a Python strategy, backtesting.py and vectorbt
(when installed: the bench extras), and a bare numpy computation as the floor. A measurement,
not a test: bars per second, best of --repeat.

    python bench/backtest_bench.py --bars 100000,1000000 --repeat 3
"""
from __future__ import annotations

import argparse
import time
from collections import deque

import numpy as np


def make_bars(n: int, seed: int = 1):
    import pandas as pd
    rng = np.random.default_rng(seed)
    close = np.round(100 * np.exp(np.cumsum(rng.normal(0, 0.0008, n))), 4)
    open_ = np.concatenate([[100.0], close[:-1]])
    high = np.maximum(open_, close) * 1.0004
    low = np.minimum(open_, close) * 0.9996
    index = pd.date_range("2020-01-01", periods=n, freq="1min", tz="UTC")
    return pd.DataFrame({"open": open_, "high": high, "low": low, "close": close,
                         "volume": np.full(n, 1000.0)}, index=index)


NO_LIMITS = {"daily_loss_limit": 1e18, "max_gross_exposure": 1e18, "max_order_notional": 1e18}


def ztrade_cpp(df):
    from ztrade.backtest import run
    return run("sma_cross:10:20", df, symbol="X", slippage_bps=0, risk=NO_LIMITS,
               progress=False).stats["trades"]


def ztrade_cpp_loop(df):
    """The engine loop alone (_core.backtest_run), without building the result tables."""
    from ztrade import _core
    from ztrade.data import index_ns
    n = len(df)
    r = _core.backtest_run(index_ns(df.index), df["open"].to_numpy(), df["high"].to_numpy(),
                           df["low"].to_numpy(), df["close"].to_numpy(), df["volume"].to_numpy(),
                           np.zeros(n, np.int32), ["X"], "sma_cross:10:20",
                           {f"ZTRADE__risk__{k}": repr(v) for k, v in NO_LIMITS.items()})
    return len(r["fill_ts"])


def ztrade_python(df):
    from ztrade.backtest import run
    from ztrade.strategy import Signal, Strategy

    class SmaCross(Strategy):
        name = "sma_cross_py"

        def __init__(self):
            self.w10, self.w20 = deque(maxlen=10), deque(maxlen=20)
            self.s10 = self.s20 = 0.0
            self.prev = None

        def on_bar(self, symbol, bar):
            c = bar["close"]
            if len(self.w10) == 10:
                self.s10 -= self.w10[0]
            if len(self.w20) == 20:
                self.s20 -= self.w20[0]
            self.w10.append(c)
            self.w20.append(c)
            self.s10 += c
            self.s20 += c
            if len(self.w20) < 20:
                return None
            diff = self.s10 / 10 - self.s20 / 20
            prev, self.prev = self.prev, diff
            if prev is not None and prev < 0 < diff:
                return Signal(symbol, 1.0)
            if prev is not None and prev > 0 > diff:
                return Signal(symbol, -1.0)
            return None

    return run(SmaCross(), df, symbol="X", slippage_bps=0, risk=NO_LIMITS,
               progress=False).stats["trades"]


def backtesting_py(df):
    import pandas as pd
    from backtesting import Backtest, Strategy
    from backtesting.lib import crossover

    def sma(x, n):
        return pd.Series(x).rolling(n).mean()

    class SmaCross(Strategy):
        def init(self):
            self.a = self.I(sma, self.data.Close, 10)
            self.b = self.I(sma, self.data.Close, 20)

        def next(self):
            if crossover(self.a, self.b):
                self.position.close()
                self.buy(size=100)
            elif crossover(self.b, self.a):
                self.position.close()
                self.sell(size=100)

    data = df.rename(columns=str.capitalize)
    return Backtest(data, SmaCross, cash=1e9, commission=0, finalize_trades=False).run()["# Trades"]


def vectorbt_run(df):
    import vectorbt as vbt
    close = df["close"]
    fast, slow = vbt.MA.run(close, 10), vbt.MA.run(close, 20)
    entries, exits = fast.ma_crossed_above(slow), fast.ma_crossed_below(slow)
    pf = vbt.Portfolio.from_signals(close, entries, exits, short_entries=exits,
                                    short_exits=entries, size=100, price=df["open"].shift(-1),
                                    init_cash=1e9, freq="1min")
    return pf.trades.count()


def numpy_floor(df):
    """The same positions and P&L, vectorised: no order, risk or fill model at all."""
    close, opens = df["close"].to_numpy(), df["open"].to_numpy()
    c = np.concatenate([[0.0], np.cumsum(close)])
    a = np.full(len(close), np.nan)
    b = np.full(len(close), np.nan)
    a[9:] = (c[10:] - c[:-10]) / 10
    b[19:] = (c[20:] - c[:-20]) / 20
    target = np.nan_to_num(np.sign(a - b)) * 100
    held = np.concatenate([[0.0], target[:-1]])  # decided at close i, held from open i+1
    pnl = float(np.sum(held[1:] * np.diff(opens)))
    return int(np.count_nonzero(np.diff(held))) + int(pnl * 0)


ENGINES = [("ztrade, C++ rule (engine loop)", ztrade_cpp_loop),
           ("ztrade, C++ rule (with results)", ztrade_cpp),
           ("ztrade, Python strategy", ztrade_python),
           ("backtesting.py", backtesting_py),
           ("vectorbt", vectorbt_run),
           ("numpy floor (vectorised)", numpy_floor)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bars", default="100000,1000000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip", default="", help="comma-separated engines to leave out")
    args = ap.parse_args()
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    sizes = [int(x) for x in args.bars.split(",")]
    print(f"{'engine':36s} " + " ".join(f"{n:>14,d}" for n in sizes) + "   (bars/s)")
    frames = {n: make_bars(n) for n in sizes}
    for name, fn in ENGINES:
        if any(s in name for s in skip):
            continue
        cells = []
        for n in sizes:
            best = None
            try:
                for _ in range(args.repeat):
                    t = time.perf_counter()
                    fn(frames[n])
                    dt = time.perf_counter() - t
                    best = dt if best is None else min(best, dt)
                cells.append(f"{n / best:>14,.0f}")
            except ImportError as e:
                cells.append(f"{'not installed':>14s}")
                print(f"  ({name}: {e.name} not installed)")
                break
        print(f"{name:36s} " + " ".join(cells), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
