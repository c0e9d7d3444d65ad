"""ztrade.backtest: the engine's own features, risk, order manager and simulated broker in
process. The built-in rule reproduces the live engine's session (the same independent model
test_engine.py holds the engine to); a Python strategy runs unchanged from live; fills never
use the price a decision saw unless asked; commissions, shorting, risk rejects, bad data,
several symbols, sweeps and plots behave as documented."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pd = pytest.importorskip("pandas")

from engine_helpers import wait_until  # noqa: E402
from test_engine import expected_session  # noqa: E402
from ztrade.backtest import heatmap, load, run, sweep  # noqa: E402
from ztrade.data import load_bars_frame, sample_path  # noqa: E402
from ztrade.strategy import Signal, Strategy  # noqa: E402


@pytest.fixture(scope="module")
def frame():
    return load_bars_frame(sample_path())


class Flip(Strategy):
    """Long above the 20-bar SMA, short below; counts what it is told."""
    name = "flip"

    def __init__(self, threshold: float = 0.0):
        self.threshold, self.fills, self.bars = threshold, [], 0

    def on_features(self, symbol, features, bar_ns):
        self.bars += 1
        if not features.ready:
            return None
        d = features["dist_from_sma"]
        return Signal(symbol, 1.0 if d > self.threshold else -1.0)

    def on_fill(self, fill):
        self.fills.append(fill)


def test_the_built_in_rule_reproduces_the_live_engine(frame):
    want = expected_session()  # the model the live engine matches (test_engine.py)
    r = run("macd_rsi", frame, symbol="SAMPLE", slippage_bps=1)
    assert len(r.fills) == want["fills"] and r.stats["orders"] == want["orders"]
    p = r.positions.iloc[0]
    assert p["quantity"] == want["qty"]
    assert p["avg_price"] == pytest.approx(want["avg"], rel=1e-12)
    assert p["realized_pnl"] == pytest.approx(want["realized"], rel=1e-9)
    assert r.stats["final_equity"] == pytest.approx(
        100_000 + want["realized"] + want["unrealized"], rel=1e-12)


def test_a_python_strategy_runs_unchanged_and_hears_its_fills(frame):
    s = Flip()
    r = run(s, frame, symbol="SAMPLE")
    assert s.bars == len(frame) == r.bars
    assert len(s.fills) == len(r.fills) > 10
    assert {f.side for f in s.fills} == {"buy", "sell"} and s.fills[0].symbol == "SAMPLE"
    # The features object is the live one: a NaN before the warm-up, numbers after.
    assert r.stats["trades"] > 5


def test_fills_are_at_the_next_open_unless_close_is_asked(frame):
    r = run(Flip(), frame, symbol="SAMPLE", slippage_bps=0)
    opens = frame["open"].to_numpy()
    ts = frame["ts_ns"].to_numpy()
    first = r.fills.iloc[0]
    i = int(np.searchsorted(ts, first["ts_ns"]))
    assert first["price"] == opens[i]            # filled at a bar's open ...
    decided = r.orders.iloc[0]["ts_ns"]
    assert first["ts_ns"] > decided              # ... after the bar it was decided on
    c = run(Flip(), frame, symbol="SAMPLE", fill="close", slippage_bps=0)
    k = int(np.searchsorted(ts, c.orders.iloc[0]["ts_ns"]))
    assert c.fills.iloc[0]["price"] == frame["close"].to_numpy()[k]
    with pytest.raises(ValueError, match="next_open"):
        run(Flip(), frame, symbol="SAMPLE", fill="open")


class BuyOnce(Strategy):
    """Buys at its `at`-th bar (0: the first)."""
    name = "buy_once"

    def __init__(self, at: int = 0):
        self.at, self.seen = at, 0

    def on_features(self, symbol, features, bar_ns):
        self.seen += 1
        return Signal(symbol, 1.0) if self.seen == self.at + 1 else None


def test_volume_share_spreads_an_order_over_the_next_bars():
    """The simulated broker as live: at most 10% of each bar's volume fills - 30 of the 300
    traded - so an order of 100 fills over four bars at each one's open."""
    n = 10
    opens = 100.0 + np.arange(n)
    frame = {"ts_ns": np.arange(n, dtype=np.int64) * 60_000_000_000, "open": opens,
             "high": opens + 1, "low": opens - 1, "close": opens, "volume": np.full(n, 300.0)}
    r = run(BuyOnce(), frame, symbol="X", order_size=100, volume_share=0.1, slippage_bps=0)
    assert r.fills["qty"].tolist() == [30.0, 30.0, 30.0, 10.0]
    assert r.fills["price"].tolist() == opens[1:5].tolist()
    assert r.orders["status"].tolist() == ["filled"] and r.orders["filled"].tolist() == [100.0]
    whole = run(BuyOnce(), frame, symbol="X", order_size=100)
    assert whole.fills["qty"].tolist() == [100.0]


def test_trades_between_bars_fill_orders_after_the_decision_bar_ends():
    """Given the trades, an order decided on a bar's close fills at the first trade after the
    one that closed the bar - live, market-data publishes a bar when the first later trade
    arrives, after that trade, so a decision can never fill at it - not at a trade inside the
    bar, nor at the next bar's open time; and a volume share caps each trade: 50% of 10
    shares, five at a time."""
    minute, n_bars = 60_000_000_000, 6
    ts = np.array([m * minute + k * 10_000_000_000 + 5_000_000_000
                   for m in range(n_bars) for k in range(6)], dtype=np.int64)
    price = 100.0 + np.arange(len(ts)) * 0.01
    trades = {"ts_ns": ts, "price": price, "size": np.full(len(ts), 10.0)}
    bars = {"ts_ns": np.arange(n_bars, dtype=np.int64) * minute,
            "open": price[::6], "high": price[5::6], "low": price[::6], "close": price[5::6],
            "volume": np.full(n_bars, 60.0)}
    # Risk prices the decision on bar 1 at the bar's time, from the trades before it (as live).
    r = run(BuyOnce(at=1), bars, symbol="X", order_size=100, trades=trades, slippage_bps=0)
    first = r.fills.iloc[0]
    assert r.orders.iloc[0]["ts_ns"] == minute                       # decided on bar 1
    assert first["ts_ns"] == ts[13] and first["price"] == price[13]  # after bar 2's first trade
    capped = run(BuyOnce(at=1), bars, symbol="X", order_size=30, trades=trades,
                 volume_share=0.5)
    assert capped.fills["qty"].tolist() == [5.0] * 6
    assert capped.fills["ts_ns"].tolist() == ts[13:19].tolist()
    with pytest.raises(ValueError, match="earlier than the row before"):
        run(BuyOnce(), bars, symbol="X", trades={**trades, "ts_ns": ts[::-1].copy()})
    with pytest.raises(ValueError, match="have no bars"):
        run(BuyOnce(), bars, symbol="X", trades={**trades, "symbol": ["Y"] * len(ts)})


def test_commissions_shorting_and_risk_rejects(frame):
    plain = run(Flip(), frame, symbol="SAMPLE")
    fees = run(Flip(), frame, symbol="SAMPLE",
               commission={"per_share": 0.01, "min_per_fill": 1.0, "bps": 1, "fixed": 0.5})
    f = fees.fills
    want = (np.maximum(f["qty"] * 0.01, 1.0) + f["qty"] * f["price"] * 1e-4 + 0.5).sum()
    assert fees.commissions == pytest.approx(want) and f["commission"].sum() == pytest.approx(want)
    assert fees.stats["final_equity"] == pytest.approx(plain.stats["final_equity"] - want)
    long_only = run(Flip(), frame, symbol="SAMPLE", allow_short=False)
    position = np.cumsum(np.where(long_only.fills["side"] == "buy", 1, -1) * long_only.fills["qty"])
    assert position.min() >= 0 and position.max() > 0
    limited = run(Flip(), frame, symbol="SAMPLE", order_size=100, risk={"max_order_qty": 150})
    reasons = limited.orders.loc[limited.orders["order_id"] == 0, "reject_reason"]
    assert set(reasons) == {"max_order_qty"} and len(reasons) > 0  # reversals need 200
    with pytest.raises(ValueError, match=r"risk\.max_position"):
        run(Flip(), frame, symbol="SAMPLE", risk={"max_position": -1})


def test_trades_account_for_the_equity(frame):
    r = run(Flip(), frame, symbol="SAMPLE", commission={"bps": 2})
    p = r.positions.iloc[0]
    open_pnl = p["quantity"] * (p["mark_price"] - p["avg_price"])
    # Closed trades' net P&L + the open position's + the open trade's fees = equity - cash.
    open_fees = r.fills["commission"].sum() - r.trades["commission"].sum()
    assert r.trades["pnl"].sum() + open_pnl - open_fees == pytest.approx(
        r.stats["final_equity"] - 100_000, rel=1e-9)
    assert (r.trades["bars_held"] > 0).all()
    assert set(r.stats) >= {"total_return", "cagr", "volatility_ann", "sharpe", "sortino",
                            "max_drawdown", "max_drawdown_duration", "calmar", "trades",
                            "win_rate", "profit_factor", "expectancy", "avg_trade_return",
                            "exposure_time", "commissions", "buy_and_hold_return"}
    assert -1 < r.stats["max_drawdown"] < 0 and "sharpe" in str(r)


def test_bad_data_is_refused_naming_the_row_or_cleaned_when_asked(frame):
    bad = frame.copy()
    bad.iloc[100, bad.columns.get_loc("high")] = bad.iloc[100]["low"] - 1
    with pytest.raises(ValueError, match=r"row 100 .* is not a bar"):
        run(Flip(), bad, symbol="SAMPLE")
    swapped = frame.iloc[[*range(50), 51, 50, *range(52, 200)]]
    with pytest.raises(ValueError, match=r"row 51 .* goes back"):
        run(Flip(), swapped, symbol="SAMPLE")
    duplicated = pd.concat([frame.iloc[:60], frame.iloc[59:200]])
    with pytest.raises(ValueError, match=r"row 60 .* duplicates"):
        run(Flip(), duplicated, symbol="SAMPLE")
    nan = frame.copy()
    nan.iloc[7, nan.columns.get_loc("close")] = np.nan
    with pytest.raises(ValueError, match="row 7"):
        run(Flip(), nan, symbol="SAMPLE")
    cleaned = run(Flip(), pd.concat([bad, duplicated.iloc[:1]]), symbol="SAMPLE", clean=True)
    assert cleaned.bars == len(frame) - 1 and "dropped" in str(cleaned)


def test_several_symbols_in_time_order_and_from_files(frame, tmp_path):
    other = frame.copy()
    other[["open", "high", "low", "close"]] *= 2
    r = run(Flip(), {"AAA": frame, "BBB": other})
    assert set(r.fills["symbol"]) == {"AAA", "BBB"} and r.bars == 2 * len(frame)
    assert set(r.positions["symbol"]) == {"AAA", "BBB"}
    both = pd.concat([frame.assign(symbol="AAA"), other.assign(symbol="BBB")])
    csv = tmp_path / "bars.csv"
    both.to_csv(csv, index=False)
    from_csv = run(Flip(), csv)
    assert from_csv.stats["final_equity"] == pytest.approx(r.stats["final_equity"])
    parquet = tmp_path / "bars.parquet"
    both.to_parquet(parquet)
    assert run(Flip(), parquet).stats["final_equity"] == pytest.approx(r.stats["final_equity"])
    bars, _ = load({"AAA": frame, "BBB": other})
    assert (np.diff(bars.ts_ns) >= 0).all()


def test_a_signal_the_live_engine_refuses_stops_the_backtest(frame):
    class TooStrong(Strategy):
        def on_features(self, symbol, features, bar_ns):
            return Signal(symbol, 2.0) if features.ready else None

    with pytest.raises(ValueError, match="bad_strength"):
        run(TooStrong(), frame, symbol="SAMPLE")


def test_sweep_runs_every_combination_in_processes_and_draws_a_heatmap(frame, tmp_path):
    class Band(Strategy):
        name = "band"

        def __init__(self, threshold, size):
            self.threshold, self.size = threshold, size

        def on_features(self, symbol, features, bar_ns):
            if not features.ready:
                return None
            d = features["dist_from_sma"]
            return Signal(symbol, self.size if d > self.threshold else -self.size)

    table = sweep(Band, frame.iloc[:2000], {"threshold": [0.0, 0.001, 0.002],
                                            "size": [0.5, 1.0]}, symbol="SAMPLE", processes=2)
    assert len(table) == 6 and list(table.columns[:2]) == ["threshold", "size"]
    assert table["sharpe"].is_monotonic_decreasing
    single = run(Band(0.001, 0.5), frame.iloc[:2000], symbol="SAMPLE")
    row = table[(table["threshold"] == 0.001) & (table["size"] == 0.5)].iloc[0]
    assert row["final_equity"] == pytest.approx(single.stats["final_equity"])
    heatmap(table, "threshold", "size", path=tmp_path / "heat.png")
    assert (tmp_path / "heat.png").stat().st_size > 1000
    single.plot(path=tmp_path / "result.png")
    assert (tmp_path / "result.png").stat().st_size > 1000


def test_a_sweep_takes_any_callable_so_built_in_rules_sweep_too(frame):
    data = frame.iloc[:3000]
    table = sweep(lambda fast, slow: f"sma_cross:{fast}:{slow}", data,
                  {"fast": [3, 5], "slow": [10, 20]}, symbol="SAMPLE", processes=1,
                  progress=False)
    assert len(table) == 4
    row = table[(table["fast"] == 5) & (table["slow"] == 20)].iloc[0]
    assert row["trades"] == run("sma_cross:5:20", data, symbol="SAMPLE").stats["trades"] > 0


def test_the_built_in_sma_cross_trades_as_the_same_rule_in_python(frame):
    talib = pytest.importorskip("talib", reason="the ta-lib wheel is a test dependency")
    close = frame["close"].to_numpy()
    fast, slow = talib.SMA(close, 10), talib.SMA(close, 20)  # ztrade's SMA is TA-Lib's, bit for bit

    class SmaCross(Strategy):
        name = "sma_cross"

        def __init__(self):
            self.i = -1

        def on_bar(self, symbol, bar):
            self.i += 1
            i = self.i
            if i < 1 or np.isnan(slow[i - 1]):
                return None
            if fast[i - 1] < slow[i - 1] and fast[i] > slow[i]:
                return Signal(symbol, 1.0)
            if fast[i - 1] > slow[i - 1] and fast[i] < slow[i]:
                return Signal(symbol, -1.0)
            return None

    native = run("sma_cross:10:20", frame, symbol="SAMPLE")
    python = run(SmaCross(), frame, symbol="SAMPLE")
    assert len(native.fills) == len(python.fills) > 50
    np.testing.assert_array_equal(native.fills["price"].to_numpy(), python.fills["price"].to_numpy())
    assert native.stats["final_equity"] == python.stats["final_equity"]
    with pytest.raises(ValueError, match="sma_cross"):
        run("sma_cross:20:10", frame, symbol="SAMPLE")


SWEEP_AFTER_LIGHTGBM = '''
import numpy as np
import lightgbm as lgb

from ztrade.backtest import sweep
from ztrade.data import load_bars_frame, sample_path
from ztrade.strategy import Signal, Strategy

# Training starts LightGBM's OpenMP threads in this process: a forked worker would inherit
# their locks held and hang.
rng = np.random.default_rng(1)
x = rng.normal(size=(2000, 3))
model = lgb.train({"objective": "binary", "num_threads": 2, "verbose": -1},
                  lgb.Dataset(x, (x[:, 0] + x[:, 1] > 0).astype(int)), num_boost_round=10)


class Model(Strategy):
    name = "lgbm"

    def __init__(self, threshold=0.5):
        self.threshold = threshold

    def on_features(self, symbol, features, bar_ns):
        if not features.ready:
            return None
        p = model.predict(np.array([[features["rsi"] / 50 - 1, features["macd_hist"],
                                     features["dist_from_sma"]]]))[0]
        return Signal(symbol, 1.0 if p > self.threshold else -1.0)


if __name__ == "__main__":
    bars = load_bars_frame(sample_path()).iloc[:600]
    table = sweep(Model, bars, {"threshold": [0.3, 0.5, 0.7]}, processes=2, symbol="SAMPLE",
                  progress=False)
    print("ROWS", len(table), "ERRORS", int(table.get("error", [None]).notna().sum())
          if "error" in table else 0)
'''


def test_a_sweep_works_in_a_process_that_loaded_lightgbm(tmp_path):
    """Workers are spawned, not forked: a parent holding OpenMP threads (LightGBM) sweeps."""
    pytest.importorskip("lightgbm")
    script = tmp_path / "lgbm_sweep.py"
    script.write_text(SWEEP_AFTER_LIGHTGBM)
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=300, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "ROWS 3 ERRORS 0" in out.stdout


SLOW_SWEEP = '''
import os
import time

from ztrade.backtest import sweep
from ztrade.data import load_bars_frame, sample_path
from ztrade.strategy import Strategy


class Slow(Strategy):
    name = "slow"

    def __init__(self, k=1):
        self.k = k

    def on_bar(self, symbol, bar):
        time.sleep(0.01)


if __name__ == "__main__":
    print("PARENT", os.getpid(), flush=True)
    sweep(Slow, load_bars_frame(sample_path()), {"k": list(range(8))}, processes=2,
          symbol="SAMPLE", progress=False)
'''


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry))
    return out


def test_sweep_workers_end_when_their_parent_is_killed(tmp_path):
    script = tmp_path / "slow_sweep.py"
    script.write_text(SLOW_SWEEP)
    p = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                         cwd=tmp_path)
    try:
        assert p.stdout is not None and p.stdout.readline().startswith("PARENT")
        # The two workers (and multiprocessing's resource tracker) are running.
        workers = wait_until(lambda: [c for c in _children(p.pid)
                                      if "spawn_main" in Path(f"/proc/{c}/cmdline").read_text()
                                      .replace("\0", " ")] if len(_children(p.pid)) >= 3
                             else None, 60, "the sweep's workers")
        assert len(workers) == 2
    finally:
        p.kill()
        p.wait()
    wait_until(lambda: not any(_alive(w) for w in workers), 15,
               "the workers to end with their parent")


def _alive(pid: int) -> bool:
    """Running (a zombie awaiting its reaper has ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
