"""One strategy, one behaviour: a strategy run with the session (``ztrade run --strategy``) on
the replay fills exactly as ``ztrade.backtest.run`` on the same bars - by ``ztrade compare`` -
with the same objects in its hooks; a session whose strategy saw other bars is caught; the
runner behaves as a developer expects (imports beside the file, --param, a traceback naming
the bar, strategy.on_error, the end of the session)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine_helpers import metrics, ops_port, wait_until
from ztrade.compare import compare
from ztrade.data import load_bars_csv, sample_path
from ztrade.launcher import run_engine

pd = pytest.importorskip("pandas")

ON_BAR = '''
from keys import BAR_KEYS
from ztrade.strategy import Signal, Strategy


class FlipStrategy(Strategy):
    """Alternates long and short every `every` bars; insists on the bar's keys."""
    name = "flip"

    def __init__(self, every=7):
        self.every, self.n = every, 0

    def on_bar(self, symbol, bar):
        if set(bar) != BAR_KEYS:
            raise KeyError(f"on_bar's bar has keys {sorted(bar)}")
        self.n += 1
        if self.n % self.every == 0:
            return Signal(symbol, 1.0 if (self.n // self.every) % 2 else -1.0)
        return None
'''

KEYS = 'BAR_KEYS = {"open", "high", "low", "close", "volume", "ts_ns"}\n'

ON_FEATURES = '''
from ztrade.strategy import Signal, Strategy


class CrossStrategy(Strategy):
    name = "cross"

    def __init__(self):
        self.last = {}

    def on_features(self, symbol, features, bar_ns):
        if not features.ready:
            return None
        hist = features["macd_hist"]
        prev, self.last[symbol] = self.last.get(symbol), hist
        if prev is not None and prev <= 0 < hist:
            return Signal(symbol, 0.5)
        if prev is not None and prev >= 0 > hist:
            return Signal(symbol, -0.5)
        return None
'''

SLOW = '''
import time

from ztrade.strategy import Signal, Strategy


class SlowStrategy(Strategy):
    """Takes 3 ms a bar: behind a replay at full speed unless the replay waits for it."""
    name = "slow"

    def __init__(self):
        self.n = 0

    def on_bar(self, symbol, bar):
        time.sleep(0.003)
        self.n += 1
        if self.n % 5 == 0:
            return Signal(symbol, 1.0 if (self.n // 5) % 2 else -1.0)
        return None
'''

FAILS = '''
from ztrade.strategy import Strategy


class BrokenStrategy(Strategy):
    name = "broken"

    def __init__(self):
        self.n = 0

    def on_bar(self, symbol, bar):
        self.n += 1
        if self.n == 40:
            raise ZeroDivisionError("the model divided by zero")
        return None
'''


@pytest.fixture(scope="module")
def bars_csv(tmp_path_factory) -> Path:
    """The first 1200 bars of the bundled sample: enough trades, a short session."""
    path = tmp_path_factory.mktemp("bars") / "bars.csv"
    lines = Path(sample_path()).read_text().splitlines()
    path.write_text("\n".join(lines[:1201]) + "\n")
    return path


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def _session(tmp_path: Path, bars_csv: Path, strategy: Path, params=None, **settings) -> dict:
    overrides = {"ZTRADE__market_data__replay__file": str(bars_csv), **settings}
    return run_engine(run_dir=str(tmp_path / "run"), overrides=overrides, timeout_s=240,
                      progress=lambda *a: None, strategies=[str(strategy)],
                      strategy_params=params or {})


def test_an_on_bar_strategy_agrees_fill_for_fill_with_its_backtest(tmp_path, bars_csv):
    folder = tmp_path / "strategies"
    _write(folder, "keys.py", KEYS)  # imported from beside the strategy file
    strategy = _write(folder, "flip_strategy.py", ON_BAR)
    s = _session(tmp_path, bars_csv, strategy, {"every": 5})
    assert s["strategies"]["flip"]["exit_code"] == 0, s["strategies"]
    assert s["strategies"]["flip"]["bars"] == 1200
    assert s["lockstep"]["batches"] >= 1200 and s["lockstep"]["timeouts"] == 0
    # The built-in macd_rsi does not trade beside a declared strategy.
    assert s["signals"] == s["strategies"]["flip"]["signals"] == 240
    c = compare(s["session"])
    assert c.agree, c.as_dict()
    assert c.matched == s["fills"] > 200
    assert c.live_pnl == pytest.approx(c.backtest_pnl, abs=1e-6)
    # The CLI says the same, as JSON, with exit status 0.
    out = subprocess.run([sys.executable, "-m", "ztrade", "compare", s["session"], "--json"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["fills_matched"] == c.matched


def test_an_on_features_strategy_agrees_fill_for_fill_with_its_backtest(tmp_path, bars_csv):
    strategy = _write(tmp_path / "s", "cross_strategy.py", ON_FEATURES)
    s = _session(tmp_path, bars_csv, strategy)
    assert s["strategies"]["cross"]["exit_code"] == 0
    c = compare(s["session"])
    assert c.agree and c.matched == s["fills"] > 10, c.as_dict()


def test_a_session_whose_strategy_saw_later_bars_is_caught(tmp_path, bars_csv):
    """Without lockstep a slow strategy decides bars the market has left behind: its orders
    meet later prices than the backtest's, or none at all once the replay is over - and
    compare says so."""
    strategy = _write(tmp_path / "s", "slow_strategy.py", SLOW)
    s = _session(tmp_path, bars_csv, strategy, ZTRADE__market_data__lockstep="false")
    assert s["lockstep"] is None
    c = compare(s["session"])
    assert not c.agree
    assert c.other_price + c.only_live + c.only_backtest > 0 and c.matched < 200, c.as_dict()
    out = subprocess.run([sys.executable, "-m", "ztrade", "compare", s["session"]],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 1 and "DIFFER" in out.stdout


def test_a_failing_hook_names_its_bar_stops_the_strategy_and_the_session_ends(tmp_path,
                                                                              bars_csv):
    strategy = _write(tmp_path / "s", "broken_strategy.py", FAILS)
    s = _session(tmp_path, bars_csv, strategy)
    assert s["strategies"]["broken"]["exit_code"] == 1
    log = (Path(s["session"]) / "strategy-broken.log").read_text()
    assert "ZeroDivisionError: the model divided by zero" in log
    assert "BrokenStrategy.on_bar(SAMPLE) at bar" in log  # the hook, the symbol, the bar's time
    assert 'broken_strategy.py", line' in log             # ... and the traceback
    assert s["bars"] == 1200, "the engine went on to the end of the session"


def test_on_error_halt_halts_trading(tmp_path, bars_csv):
    strategy = _write(tmp_path / "s", "broken_strategy.py", FAILS)
    macd = {"ZTRADE__signal_bridge__strategies": '["macd_rsi"]',
            "ZTRADE__strategy__on_error": '"halt"'}
    s = _session(tmp_path, bars_csv, strategy, **macd)
    assert s["strategies"]["broken"]["exit_code"] == 1
    # The built-in strategy (configured explicitly) trades on; risk refuses it once halted.
    assert s["rejects"].get("trading_halted", 0) > 0, s["rejects"]


def test_a_strategy_file_that_cannot_load_stops_the_start_with_its_reason(tmp_path, bars_csv):
    strategy = _write(tmp_path / "s", "flip_strategy.py", ON_BAR)  # keys.py is missing
    from ztrade.errors import EngineError
    with pytest.raises(EngineError, match="cannot import keys"):
        _session(tmp_path, bars_csv, strategy)
    _write(tmp_path / "s", "keys.py", KEYS)
    with pytest.raises(EngineError, match="unexpected keyword argument 'fast'"):
        _session(tmp_path, bars_csv, strategy, {"fast": 3})


def test_a_strategy_attached_to_a_running_session_gets_a_warm_up(tmp_path, bars_csv):
    """Started beside a session already streaming (paced replay), a runner first receives the
    recent bars market-data keeps, so its features are ready from its first live bar."""
    import threading

    from ztrade import _core
    from ztrade.launcher import default_config
    from ztrade.strategy import Strategy

    class Watch(Strategy):
        name = "watch"

        def __init__(self):
            self.calls: list[tuple[int, bool]] = []

        def on_features(self, symbol, features, bar_ns):
            self.calls.append((bar_ns, features.ready))

    run_dir = tmp_path / "run"
    result: dict = {}
    t = threading.Thread(target=lambda: result.update(s=run_engine(
        run_dir=str(run_dir), progress=lambda *a: None, timeout_s=240, overrides={
            "ZTRADE__market_data__replay__file": str(bars_csv),
            "ZTRADE__market_data__replay__speed": "3000"})))  # 1200 minutes in 24 s
    t.start()
    port = ops_port("market-data")
    bars = 'ztrade_bars_published_total{component="market-data"}'
    wait_until(lambda: metrics(port).get(bars, 0) >= 100, 60, "100 bars streamed")
    w = Watch()
    runner = _core.LiveRunner(w, str(default_config()), {"ZTRADE__engine__run_dir": str(run_dir)})
    fed = runner.warm_up()
    assert 100 <= fed <= 500  # market_data.warmup_bars keeps 500
    warm = len(w.calls)
    assert warm == fed and w.calls[-1][1], "features ready by the end of the warm-up"
    stop = threading.Event()
    threading.Thread(target=lambda: (t.join(), stop.set()), daemon=True).start()
    stats = runner.run(should_stop=stop.is_set)
    t.join(120)
    assert stats["features"] > 0 and w.calls[warm][1], "the first live features are ready"
    times = [c[0] for c in w.calls]
    assert times == sorted(set(times)), "no bar twice, none out of order"


def test_backtest_reads_a_sessions_config_and_risk_says_what_it_refused(tmp_path, capsys):
    from ztrade.backtest import run
    bars = pd.DataFrame(load_bars_csv(sample_path())).iloc[:1500]
    config = tmp_path / "session.toml"
    config.write_text("[risk]\norder_size = 50\nallow_short = false\nmax_order_notional = 3000\n"
                      "[execution]\nslippage_bps = 7\ncommission_per_share = 0.01\n")
    r = run("sma_cross:5:20", bars, symbol="SAMPLE", config=config)
    capsys.readouterr()
    assert (r.orders.loc[r.orders["order_id"] == 0, "reject_reason"] == "max_order_notional").all()
    assert r.risk_refusals["max_order_notional"] > 0
    assert "risk refused" in r.summary()
    off = run("sma_cross:5:20", bars, symbol="SAMPLE", config=config, risk="off")
    assert not off.risk_refusals and len(off.fills) > 0
    err = capsys.readouterr().err
    assert err == "", "no refusal line when risk refused nothing"
    f = off.fills
    assert (f["commission"] == f["qty"] * 0.01).all()
    # allow_short = false: positions are long or flat, never short.
    signed = np.where(f["side"] == "buy", f["qty"], -f["qty"]).cumsum()
    assert signed.min() >= 0 and f["qty"].max() == 50
    run("sma_cross:5:20", bars, symbol="SAMPLE", config=config)
    assert "risk refused" in capsys.readouterr().err
    with pytest.raises(ValueError, match="day_boundary"):
        run("sma_cross:5:20", bars, symbol="SAMPLE", risk={"day_boundary": "Mars/Base 09:00"})
    with pytest.raises(ValueError, match="commission: unknown key 'per_trade'"):
        run("sma_cross:5:20", bars, symbol="SAMPLE", commission={"per_trade": 1.0})


def test_daily_loss_resets_each_trading_day_in_a_backtest(tmp_path):
    """A long replay no longer halts for good: a day's loss halts that day only."""
    from ztrade.backtest import run
    from ztrade.strategy import Signal, Strategy

    class Rebalance(Strategy):
        """Long 100, then 50, then 100, ...: an order every bar, each checked by risk."""
        name = "rebalance"

        def __init__(self):
            self.n = 0

        def on_bar(self, symbol, bar):
            self.n += 1
            return Signal(symbol, 1.0 if self.n % 2 else 0.5)

    days = 6
    n = days * 24
    ts = (np.arange(n, dtype=np.int64) * 3600 + 1_704_067_200) * 1_000_000_000
    # Down 3% every hour: every day loses more than the limit.
    close = 100.0 * 0.97 ** np.arange(n)
    frame = pd.DataFrame({"ts_ns": ts, "open": close, "high": close * 1.001, "low": close * 0.97,
                          "close": close, "volume": 1e6})
    r = run(Rebalance(), frame, symbol="X", risk={"daily_loss_limit": 50, "max_orders_per_s": 1000},
            quiet=True)
    # Without the reset: one daily_loss, then trading_halted to the end. With it: each day
    # starts afresh and trips the limit again (a day starting deep in the red trips it at once).
    refused = r.orders[r.orders["reject_reason"] == "daily_loss"]
    assert pd.to_datetime(refused["ts_ns"]).dt.date.tolist() == \
        sorted(set(pd.to_datetime(ts).date)), "a daily_loss halt each day, and only one"
    sent = r.orders[r.orders["order_id"] > 0]
    assert pd.to_datetime(sent["ts_ns"]).dt.date.nunique() >= days - 1


def test_a_strategy_behind_the_market_is_told_and_skips_stale_bars(tmp_path, bars_csv):
    """strategy.max_lag_bars: a runner that finds more bars of a symbol waiting than that
    decides only the newest ones, counts the rest and warns."""
    import os
    import time as _time

    import zmq

    from ztrade import _core
    from ztrade.launcher import default_config, find_binary
    from ztrade.strategy import Strategy

    class Slow(Strategy):
        name = "slow"

        def __init__(self):
            self.n = 0

        def on_bar(self, symbol, bar):
            self.n += 1
            _time.sleep(0.002)

    overrides = {"ZTRADE__engine__run_dir": str(tmp_path / "run"),
                 "ZTRADE__market_data__replay__file": str(bars_csv),
                 "ZTRADE__market_data__wait_for_downstream": "false",  # market-data alone
                 "ZTRADE__market_data__start_gate": "true",
                 "ZTRADE__strategy__max_lag_bars": "3"}
    (tmp_path / "run").mkdir()
    md = subprocess.Popen([find_binary("ztrade-market-data"), "--config", str(default_config())],
                          env={**os.environ, **overrides}, stderr=subprocess.DEVNULL)
    try:
        strategy = Slow()
        runner = _core.LiveRunner(strategy, str(default_config()), overrides)
        cfg = _core.engine_config(str(default_config()), overrides)
        warnings: list[str] = []
        req = zmq.Context.instance().socket(zmq.REQ)
        req.setsockopt(zmq.LINGER, 0)
        req.setsockopt(zmq.RCVTIMEO, 10000)
        req.connect(cfg["endpoints"]["market_data_control"])
        # Subscribed before the gate opens: the runner hears market-data's heartbeat first.
        probe = zmq.Context.instance().socket(zmq.SUB)
        probe.setsockopt(zmq.SUBSCRIBE, b"hb.")
        probe.connect(cfg["endpoints"]["market_data"])
        assert probe.poll(10000)
        probe.close(0)
        import threading
        threading.Thread(target=lambda: (req.send(b"GO"), req.recv()), daemon=True).start()
        stats = runner.run(warn=warnings.append)
    finally:
        md.terminate()
        md.wait(10)
    assert stats["skipped_bars"] > 0 and stats["bars"] + stats["skipped_bars"] <= 1200
    assert strategy.n == stats["bars"] < 1200
    assert stats["max_lag_ms"] > 0
    assert warnings and "behind the market" in warnings[0]


def test_compare_and_run_refuse_what_they_cannot_use_in_one_line(tmp_path):
    """Not a session directory, a session without a strategy, parameters without a strategy:
    a clear error and exit status, never a traceback."""
    def ztrade(*args: str) -> subprocess.CompletedProcess:
        r = subprocess.run([sys.executable, "-m", "ztrade", *args], capture_output=True,
                           text=True, timeout=120, cwd=tmp_path)
        assert "Traceback" not in r.stderr, r.stderr
        return r
    r = ztrade("compare", str(tmp_path / "nowhere"))
    assert r.returncode == 2 and "no such session directory" in r.stderr
    r = ztrade("compare", str(tmp_path))
    assert r.returncode == 2 and "not a session directory of `ztrade run`" in r.stderr
    (tmp_path / "session.json").write_text('{"config": "x.toml", "strategies": []}')
    r = ztrade("compare", str(tmp_path))
    assert r.returncode == 2 and "ran no external strategy" in r.stderr
    r = ztrade("run", "--strategy-param", "fast=3", "--run-dir", str(tmp_path / "run"))
    assert r.returncode == 2 and "--strategy-param needs a --strategy" in r.stderr
