"""Backtest speed, side by side in one run on the same one-minute bars and the same rules -
SMA(10/20) crossover reversals, a fixed quantity, market orders at the next bar's open:
ztrade with its built-in C++ rule, ztrade with a Python strategy, backtesting.py, vectorbt and
NautilusTrader's BacktestEngine (when installed: the `peers` extra), and a bare numpy
computation as the floor. A measurement,
not a test: bars per second, best of --repeat.

    python bench/backtest_bench.py --bars 100000,1000000 --repeat 3
"""
from __future__ import annotations

import argparse
import time
from collections import deque

import numpy as np

from ztrade.strategy import Signal, Strategy


def make_bars(n: int, seed: int = 1):
    import pandas as pd
    rng = np.random.default_rng(seed)
    # Prices on a 0.0001 grid (NautilusTrader's instrument below has that precision): every
    # engine sees the same bars.
    close = np.round(100 * np.exp(np.cumsum(rng.normal(0, 0.0008, n))), 4)
    open_ = np.concatenate([[100.0], close[:-1]])
    high = np.round(np.maximum(open_, close) * 1.0004, 4)
    low = np.round(np.minimum(open_, close) * 0.9996, 4)
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


class SmaCrossPy(Strategy):
    """The sma_cross rule as a Python strategy: running sums over deques, a signal per cross."""
    name = "sma_cross_py"

    def __init__(self, fast: int = 10, slow: int = 20):
        self.fast, self.slow = fast, slow
        self.wf: deque[float] = deque(maxlen=fast)
        self.ws: deque[float] = deque(maxlen=slow)
        self.sf = self.ss = 0.0
        self.prev: float | None = None

    def on_bar(self, symbol, bar):
        c = bar["close"]
        if len(self.wf) == self.fast:
            self.sf -= self.wf[0]
        if len(self.ws) == self.slow:
            self.ss -= self.ws[0]
        self.wf.append(c)
        self.ws.append(c)
        self.sf += c
        self.ss += c
        if len(self.ws) < self.slow:
            return None
        diff = self.sf / self.fast - self.ss / self.slow
        prev, self.prev = self.prev, diff
        if prev is not None and prev < 0 < diff:
            return Signal(symbol, 1.0)
        if prev is not None and prev > 0 > diff:
            return Signal(symbol, -1.0)
        return None


def ztrade_python(df):
    from ztrade.backtest import run
    return run(SmaCrossPy(), df, symbol="X", slippage_bps=0, risk=NO_LIMITS,
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
    """vectorbt on its fast path: the SMAs by pandas and the crossings by numpy (vbt.MA.run
    and ma_crossed_above took ~4 s per million bars in vectorbt 1.0.0, 30x the portfolio
    simulation itself), then Portfolio.from_signals on numpy arrays, filled at the next
    open."""
    import vectorbt as vbt
    close = df["close"]
    diff = (close.rolling(10).mean() - close.rolling(20).mean()).to_numpy()
    prev = np.concatenate([[np.nan], diff[:-1]])
    up, down = (prev < 0) & (diff > 0), (prev > 0) & (diff < 0)
    next_open = np.concatenate([df["open"].to_numpy()[1:], [np.nan]])
    pf = vbt.Portfolio.from_signals(close.to_numpy(), up, down, short_entries=down,
                                    short_exits=up, size=100, price=next_open, init_cash=1e9,
                                    freq="1min")
    return pf.trades.count()


def nautilus(df):
    """NautilusTrader's BacktestEngine (low-level API): bars of one equity on a simulated
    venue, a netting margin account, market orders sized to the same +-100 reversal."""
    from nautilus_trader.backtest.config import BacktestEngineConfig
    from nautilus_trader.backtest.engine import BacktestEngine
    from nautilus_trader.config import LoggingConfig, StrategyConfig
    from nautilus_trader.indicators import SimpleMovingAverage
    from nautilus_trader.model.currencies import USD
    from nautilus_trader.model.data import BarType
    from nautilus_trader.model.enums import AccountType, OmsType, OrderSide
    from nautilus_trader.model.identifiers import InstrumentId, Symbol, TraderId, Venue
    from nautilus_trader.model.instruments import Equity
    from nautilus_trader.model.objects import Money, Price, Quantity
    from nautilus_trader.persistence.wranglers import BarDataWrangler
    from nautilus_trader.trading.strategy import Strategy

    class Config(StrategyConfig, frozen=True):
        instrument_id: InstrumentId
        bar_type: BarType

    class SmaCross(Strategy):
        def __init__(self, config: Config):
            super().__init__(config)
            self.fast, self.slow = SimpleMovingAverage(10), SimpleMovingAverage(20)
            self.prev: float | None = None
            self.held = 0

        def on_start(self):
            self.instrument = self.cache.instrument(self.config.instrument_id)
            self.register_indicator_for_bars(self.config.bar_type, self.fast)
            self.register_indicator_for_bars(self.config.bar_type, self.slow)
            self.subscribe_bars(self.config.bar_type)

        def on_bar(self, bar):
            if not self.slow.initialized:
                return
            diff = self.fast.value - self.slow.value
            prev, self.prev = self.prev, diff
            target = 100 if prev is not None and prev < 0 < diff else \
                -100 if prev is not None and prev > 0 > diff else self.held
            if target == self.held:
                return
            delta, self.held = target - self.held, target
            self.submit_order(self.order_factory.market(
                instrument_id=self.config.instrument_id,
                order_side=OrderSide.BUY if delta > 0 else OrderSide.SELL,
                quantity=self.instrument.make_qty(abs(delta))))

    engine = BacktestEngine(config=BacktestEngineConfig(
        trader_id=TraderId("BENCH-001"), logging=LoggingConfig(log_level="ERROR")))
    engine.add_venue(venue=Venue("XNAS"), oms_type=OmsType.NETTING,
                     account_type=AccountType.MARGIN, base_currency=USD,
                     starting_balances=[Money(1_000_000_000, USD)])
    instrument = Equity(InstrumentId.from_str("X.XNAS"), Symbol("X"), USD, 4,
                        Price.from_str("0.0001"), Quantity.from_int(1), 0, 0)
    engine.add_instrument(instrument)
    bar_type = BarType.from_str(f"{instrument.id}-1-MINUTE-LAST-EXTERNAL")
    engine.add_data(BarDataWrangler(bar_type, instrument).process(df))
    engine.add_strategy(SmaCross(Config(instrument_id=instrument.id, bar_type=bar_type)))
    engine.run()
    orders = engine.trader.generate_orders_report()
    engine.dispose()
    return orders


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
           ("NautilusTrader (BacktestEngine)", nautilus),
           ("numpy floor (vectorised)", numpy_floor)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bars", default="100000,1000000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip", default="", help="comma-separated engines to leave out")
    args = ap.parse_args()
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    sizes = [int(x) for x in args.bars.split(",")]
    print(f"{'engine':36s} " + " ".join(f"{n:>14,d}" for n in sizes) + "   (bars/s)   "
          "trades or orders at the largest size (every engine should trade alike)")
    frames = {n: make_bars(n) for n in sizes}
    for name, fn in ENGINES:
        if any(s in name for s in skip):
            continue
        cells, count = [], None
        for n in sizes:
            best = None
            try:
                for _ in range(args.repeat):
                    t = time.perf_counter()
                    out = fn(frames[n])
                    dt = time.perf_counter() - t
                    best = dt if best is None else min(best, dt)
                    if dt > 60:  # a slow engine: one run says enough
                        break
                count = len(out) if hasattr(out, "columns") else int(out)
                cells.append(f"{n / best:>14,.0f}")
            except ImportError as e:
                cells.append(f"{'not installed':>14s}")
                print(f"  ({name}: {e.name} not installed)")
                break
        print(f"{name:36s} " + " ".join(cells) + (f"   {count:,}" if count is not None else ""),
              flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
