"""ztrade's backtester agrees with backtesting.py, the most used Python backtester, for an
equivalent configuration: SMA(10/20) crossover reversals, a fixed quantity, market orders
filled at the next bar's open, no commission, no slippage. The fills (time, side, quantity,
price) and the final equity must be the same. backtesting.py is AGPL: a test dependency only.

The data is made here: a daily series (business days) and an intraday one (1-minute bars), as
random walks with realistic gaps between sessions."""
from __future__ import annotations

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
backtesting = pytest.importorskip("backtesting",
                                  reason="backtesting.py is a test dependency (pip install -e .[test])")

from backtesting import Backtest  # noqa: E402
from backtesting import Strategy as BtStrategy  # noqa: E402

from ztrade.backtest import run  # noqa: E402
from ztrade.strategy import Signal, Strategy  # noqa: E402

QTY = 100


def make_bars(n: int, freq: str, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    index = (pd.bdate_range("2015-01-02", periods=n, tz="UTC") if freq == "D"
             else pd.date_range("2024-03-04 14:30", periods=n, freq="1min", tz="UTC"))
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.012 if freq == "D" else 0.0008, n)))
    open_ = np.concatenate([[100.0], close[:-1] * np.exp(rng.normal(0, 0.003, n - 1))])
    high = np.maximum(open_, close) * (1 + rng.uniform(0, 0.006, n))
    low = np.minimum(open_, close) * (1 - rng.uniform(0, 0.006, n))
    volume = rng.integers(1_000, 100_000, n).astype(float)
    return pd.DataFrame({"Open": np.round(open_, 2), "High": np.round(high, 2),
                         "Low": np.round(low, 2), "Close": np.round(close, 2),
                         "Volume": volume}, index=index)


def smas(close: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    # One computation of the indicators for both, so the comparison is of execution alone.
    return (close.rolling(10).mean().to_numpy(), close.rolling(20).mean().to_numpy())


class SmaCrossBt(BtStrategy):
    fast: np.ndarray = None
    slow: np.ndarray = None

    def init(self):
        self.a = self.I(lambda: self.fast, name="fast")
        self.b = self.I(lambda: self.slow, name="slow")

    def next(self):
        a, b = self.a, self.b
        if a[-2] < b[-2] and a[-1] > b[-1]:
            self.position.close()
            self.buy(size=QTY)
        elif a[-2] > b[-2] and a[-1] < b[-1]:
            self.position.close()
            self.sell(size=QTY)


class SmaCrossZt(Strategy):
    name = "sma_cross"

    def __init__(self, fast: np.ndarray, slow: np.ndarray):
        self.fast, self.slow, self.i = fast, slow, -1

    def on_bar(self, symbol, bar):
        self.i += 1
        i, a, b = self.i, self.fast, self.slow
        if i < 1 or np.isnan(b[i - 1]):
            return None
        if a[i - 1] < b[i - 1] and a[i] > b[i]:
            return Signal(symbol, 1.0)   # target +QTY: a reversal is one order of 2 x QTY
        if a[i - 1] > b[i - 1] and a[i] < b[i]:
            return Signal(symbol, -1.0)
        return None


def net_fills_bt(stats) -> pd.DataFrame:
    """backtesting.py's trades as fills - each closed trade's entry and exit, and the entry of
    a trade still open at the end - netted per bar time: a reversal there is a close and an
    open at the same open price."""
    rows = []
    for t in stats["_trades"].itertuples():
        rows.append((t.EntryTime, t.Size, t.EntryPrice))
        rows.append((t.ExitTime, -t.Size, t.ExitPrice))
    for t in stats["_strategy"]._broker.trades:  # open at the end (finalize_trades=False)
        rows.append((t.entry_time, t.size, t.entry_price))
    df = pd.DataFrame(rows, columns=["time", "qty", "price"])
    net = df.groupby(["time", "price"], as_index=False)["qty"].sum()
    return net[net["qty"] != 0].sort_values("time").reset_index(drop=True)


@pytest.mark.parametrize("freq,n,seed", [("D", 2500, 7), ("min", 20000, 11)],
                         ids=["daily", "intraday"])
def test_fills_and_final_equity_equal_backtesting_py(freq, n, seed):
    data = make_bars(n, freq, seed)
    fast, slow = smas(data["Close"])
    SmaCrossBt.fast, SmaCrossBt.slow = fast, slow
    bt = Backtest(data, SmaCrossBt, cash=1_000_000, commission=0.0, trade_on_close=False,
                  exclusive_orders=False, finalize_trades=False)
    stats = bt.run()

    frame = data.rename(columns=str.lower)
    result = run(SmaCrossZt(fast, slow), frame, symbol="X", cash=1_000_000, order_size=QTY,
                 slippage_bps=0, risk={"daily_loss_limit": 1e12, "max_gross_exposure": 1e12,
                                       "max_order_notional": 1e12})
    assert result.stats["risk_rejects"] == 0
    ours = result.fills.assign(qty=np.where(result.fills["side"] == "buy", 1, -1) *
                               result.fills["qty"])[["time", "qty", "price"]]
    theirs = net_fills_bt(stats)
    assert len(ours) == len(theirs) > 20
    assert (ours["time"].to_numpy() == theirs["time"].to_numpy()).all()
    np.testing.assert_array_equal(ours["qty"].to_numpy(), theirs["qty"].to_numpy())
    np.testing.assert_array_equal(ours["price"].to_numpy(), theirs["price"].to_numpy())
    assert result.stats["final_equity"] == pytest.approx(stats["Equity Final [$]"], rel=1e-12)
    # The equity curves agree bar by bar, not only at the end.
    np.testing.assert_allclose(result.equity.to_numpy(),
                               stats["_equity_curve"]["Equity"].to_numpy(), rtol=1e-12)
