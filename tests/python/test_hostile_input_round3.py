"""Hostile and faulty input, round 3, where Python meets it: a backtest is a pure function of
its inputs, a strategy's mistakes are named where they happened, times in any unit are read
or refused by one rule (the engine's replay included), env files and the broker tools never
hang, loop or print a secret."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import warnings

import numpy as np
import pytest

from ztrade import _core
from ztrade.data import load_bars_csv, sample_path, ts_column_ns

pd = pytest.importorskip("pandas")

from ztrade.backtest import run, sweep  # noqa: E402
from ztrade.strategy import Signal, Strategy  # noqa: E402


@pytest.fixture(scope="module")
def frame():
    bars = load_bars_csv(sample_path())
    return pd.DataFrame({k: bars[k] for k in ("open", "high", "low", "close", "volume")},
                        index=pd.to_datetime(bars["ts_ns"], unit="ns", utc=True)).iloc[:1500]


class Momentum(Strategy):
    name = "momentum"

    def on_features(self, symbol, features, bar_ns):
        if not features.ready:
            return None
        return Signal(symbol, 1.0 if features["macd_hist"] > 0 else -1.0)


# -- 8. a backtest never reads its own writes ----------------------------------------------

def test_a_strategy_that_writes_to_the_callers_data_changes_nothing_it_replays(frame):
    def columns():
        return {"ts_ns": frame.index.asi8.copy(),
                **{k: frame[k].to_numpy().copy() for k in ("open", "high", "low", "close",
                                                            "volume")}}

    clean = run(Momentum(), columns(), symbol="SAMPLE")

    def vandal(closes):
        class Vandal(Momentum):
            name = "vandal"
            i = 0

            def on_bar(self, symbol, bar):
                # Rewrites every bar not yet seen, in the caller's own arrays.
                self.i += 1
                closes[self.i:] *= 1.01
                return None
        return Vandal()

    results = []
    for _ in range(3):
        data = columns()
        results.append(run(vandal(data["close"]), data, symbol="SAMPLE").stats["final_equity"])
    assert results == [clean.stats["final_equity"]] * 3
    data = columns()
    table = sweep(lambda k: vandal(data["close"]), data, {"k": [1, 2, 3]}, symbol="SAMPLE",
                  processes=2, progress=False)
    assert set(table["final_equity"]) == {clean.stats["final_equity"]}


# -- 9. a strategy's mistakes, named ---------------------------------------------------------

def test_bad_strategy_output_names_the_hook_the_bar_and_the_value(frame):
    class Words(Strategy):
        name = "words"

        def on_bar(self, symbol, bar):
            return "buy"

    with pytest.raises(TypeError) as err:
        run(Words(), frame, symbol="SAMPLE")
    text = str(err.value)
    assert "Words.on_bar(SAMPLE)" in text and "'buy'" in text and "2024-01-01T00:00:00Z" in text

    class Broken(Strategy):
        name = "broken"

        def on_features(self, symbol, features, bar_ns):
            return [Signal(symbol, 0.5), 42]

    with pytest.raises(TypeError, match=r"on_features\(SAMPLE\).*42 \(int\)"):
        run(Broken(), frame, symbol="SAMPLE")

    class Raises(Strategy):
        name = "raises"

        def on_bar(self, symbol, bar):
            if bar["ts_ns"] > 1_704_067_800_000_000_000:
                raise KeyError("no such column")
            return None

    with pytest.raises(KeyError) as err:
        run(Raises(), frame, symbol="SAMPLE")
    # The strategy's own exception, its traceback kept, with where it happened added.
    assert any("raised in Raises.on_bar(SAMPLE) at bar 2024-01-01T00:11:00Z" in n
               for n in getattr(err.value, "__notes__", []))


def test_a_runaway_generator_of_signals_is_bounded(frame):
    class Firehose(Strategy):
        name = "firehose"

        def on_bar(self, symbol, bar):
            return (Signal(symbol, 0.1) for _ in range(10**9))

    start = time.monotonic()
    with pytest.raises(ValueError, match="runaway generator"):
        run(Firehose(), frame, symbol="SAMPLE")
    assert time.monotonic() - start < 30


@pytest.mark.parametrize("rule", ["sma_cross:5:99999999999", "sma_cross:5:20abc",
                                  "sma_cross:5", "sma_cross:0:20", "sma_cross:5:20:7",
                                  "sma_cross:-5:20"])
def test_built_in_rule_parameters_are_parsed_whole_and_bounded(frame, rule):
    with pytest.raises(ValueError, match="sma_cross:FAST:SLOW"):
        run(rule, frame, symbol="SAMPLE")


def test_a_trade_far_outside_its_bar_is_refused_naming_the_row(frame):
    ts = frame.index[10:13]
    trades = pd.DataFrame({"price": [frame["close"].iloc[10], 10_000.0, frame["close"].iloc[12]],
                           "size": [1, 1, 1]}, index=ts + pd.Timedelta(seconds=30))
    with pytest.raises(ValueError, match=r"trades: row 1 .*outside its bar's range"):
        run(Momentum(), frame, symbol="SAMPLE", trades=trades)


@pytest.mark.parametrize("name", ["has space", "x" * 17, "", "naïve"])
def test_strategy_names_follow_the_live_rule(frame, name):
    class Named(Momentum):
        pass

    Named.name = name
    with pytest.raises(ValueError, match=r"Named\.name"):
        run(Named(), frame, symbol="SAMPLE")


def test_a_sweep_checks_its_metric_first_and_keeps_the_rows_that_ran(frame):
    calls = []

    def make(k):
        calls.append(k)
        return Momentum()

    with pytest.raises(ValueError, match="metric 'sharp'"):
        sweep(make, frame, {"k": [1, 2]}, metric="sharp", symbol="SAMPLE", processes=1)
    assert calls == []  # refused before anything ran

    def sometimes(k):
        if k == 2:
            raise RuntimeError("bad parameter")
        return Momentum()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = sweep(sometimes, frame, {"k": [1, 2, 3]}, symbol="SAMPLE", processes=1,
                      progress=False)
    assert len(table) == 3
    failed = table[table["error"].notna()]
    assert list(failed["k"]) == [2] and "bad parameter" in failed["error"].iloc[0]
    assert table[table["error"].isna()]["final_equity"].notna().all()
    assert any("1 of 3 combination(s) failed" in str(w.message) for w in caught)


# -- 10. times in any unit, by one rule -------------------------------------------------------

def _bars_csv(path, ts_values, column="ts"):
    lines = [f"{column},open,high,low,close,volume"]
    for i, t in enumerate(ts_values):
        p = 100 + i * 0.1
        lines.append(f"{t},{p},{p + 1},{p - 1},{p + 0.5},1000")
    path.write_text("\n".join(lines) + "\n")
    return path


START_S = 1_704_067_200  # 2024-01-01T00:00:00Z


@pytest.mark.parametrize("scale", [1, 10**3, 10**6, 10**9], ids=["s", "ms", "us", "ns"])
def test_a_ts_column_in_any_unit_reads_the_same_everywhere(tmp_path, scale):
    from ztrade.cli import main
    from ztrade.launcher import run_engine
    from ztrade.wire import read_recording

    ts = [(START_S + 60 * i) * scale for i in range(60)]
    csv = _bars_csv(tmp_path / "bars.csv", ts)
    want = np.array([(START_S + 60 * i) * 10**9 for i in range(60)], dtype=np.int64)
    assert (load_bars_csv(csv)["ts_ns"] == want).all()
    frame = pd.read_csv(csv)
    assert (ts_column_ns(frame["ts"], "bars") == want).all()
    r = run(Momentum(), frame, symbol="X", clean=True)
    assert r.equity.index[0] == pd.Timestamp("2024-01-01", tz="UTC")
    assert main(["features", "--csv", str(csv)]) == 0
    # The engine's replay: every bar published at its time, never at INT64_MIN.
    s = run_engine(run_dir=str(tmp_path / "run"), progress=lambda *a: None, timeout_s=120,
                   overrides={"ZTRADE__market_data__replay__file": str(csv),
                              "ZTRADE__market_data__record_file": "md.rec"})
    assert s["bars"] == 60
    starts = [m.body["start_ns"] for _, m in read_recording(str(tmp_path / "run" / "md.rec"))
              if m.type == "bar"]
    assert starts == list(want)


def test_the_python_and_engine_rules_for_ts_agree():
    rng = np.random.default_rng(7)
    values = np.concatenate([rng.integers(0, 9_000_000_000, 200),
                             rng.integers(10**11, 9 * 10**12, 200),
                             rng.integers(10**14, 9 * 10**15, 200),
                             rng.integers(10**17, 9 * 10**18, 200)])
    ours = ts_column_ns(values, "x")
    engine = [_core.epoch_ns_of_ts(str(v)) for v in values]
    assert list(ours) == engine


@pytest.mark.parametrize("bad", ["-60", "99999999999999999999", "abc"])
def test_a_time_outside_1970_2262_is_refused_with_the_column_and_row(tmp_path, bad):
    from ztrade.launcher import EngineError, run_engine

    csv = tmp_path / "bars.csv"
    csv.write_text(f"ts,open,high,low,close,volume\n{START_S},1,2,0.5,1.5,10\n"
                   f"{bad},1,2,0.5,1.5,10\n")
    with pytest.raises(ValueError, match=":3:"):
        load_bars_csv(csv)
    with pytest.raises(EngineError, match=r"bars.csv:3: ts .* is not a time between 1970 and 2262"):
        run_engine(run_dir=str(tmp_path / "run"), progress=lambda *a: None, timeout_s=60,
                   overrides={"ZTRADE__market_data__replay__file": str(csv)})
    if bad != "abc":
        with pytest.raises(ValueError, match="column ts, row 1"):
            ts_column_ns(np.array([START_S, int(bad)] if bad != "99999999999999999999"
                                  else [float(START_S), 1e20]), "bars")


# -- 11. env files and the broker tools -------------------------------------------------------

def _ztrade(*args, env=None, timeout=60):
    return subprocess.run([sys.executable, "-m", "ztrade", *args], capture_output=True,
                          text=True, timeout=timeout, env=env)


@pytest.mark.parametrize("kind", ["dev_zero", "fifo", "directory", "bom", "spaced", "huge"])
def test_a_bad_env_file_gets_a_clear_error_at_once(tmp_path, kind):
    path = tmp_path / "secrets.env"
    if kind == "dev_zero":
        path = "/dev/zero"
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path = tmp_path
    elif kind == "bom":
        path.write_bytes(b"\xef\xbb\xbfAPCA_API_KEY_ID=PKSECRET\n")
    elif kind == "spaced":
        path.write_text("APCA_API_SECRET_KEY = hunter2\n")
    else:
        path.write_text("#" * (5 << 20))
    start = time.monotonic()
    r = _ztrade("run", "--env-file", str(path), "--run-dir", str(tmp_path / "run"), timeout=30)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert time.monotonic() - start < 20
    expected = {"dev_zero": "not a regular file", "fifo": "not a regular file",
                "directory": "is a directory", "bom": "byte-order mark",
                "spaced": "spaces around '='", "huge": "bytes"}[kind]
    assert expected in r.stderr, r.stderr
    assert "PKSECRET" not in r.stderr and "hunter2" not in r.stderr


def test_an_env_file_of_100k_variables_loads_quickly(tmp_path):
    from ztrade.launcher import find_binary

    path = tmp_path / "big.env"
    path.write_text("".join(f"ZTRADE_BULK_{i}=value{i}\n" for i in range(100_000)))
    start = time.monotonic()
    r = subprocess.run([find_binary("ztrade-risk"), "--config", "/nonexistent.toml",
                        "--env-file", str(path)], capture_output=True, text=True, timeout=60)
    assert time.monotonic() - start < 10  # was 18 s per process
    assert "nonexistent.toml" in r.stderr  # the env file was read; the config is next


def _broker_args(server) -> list[str]:
    return ["broker", "--set", f"execution.alpaca.trading_url={server.trading_url}",
            "--set", f"execution.alpaca.data_url={server.trading_url}",
            "--set", f"execution.alpaca.ca_file={server.ca_file}"]


def test_a_secret_with_a_carriage_return_is_named_never_printed(alpaca, tmp_path):
    env = dict(os.environ, APCA_API_SECRET_KEY="s3cr3t-VALUE\r")
    r = _ztrade(*_broker_args(alpaca), "account", env=env)
    assert r.returncode == 1 and "APCA_API_SECRET_KEY" in r.stderr
    assert "s3cr3t-VALUE" not in r.stderr + r.stdout and "Traceback" not in r.stderr
    # The engine refuses it the same way, before any request carries it.
    from ztrade.launcher import EngineError, run_engine
    os.environ["APCA_API_SECRET_KEY"] = "s3cr3t-VALUE\r"
    try:
        with pytest.raises(EngineError) as err:
            run_engine(run_dir=str(tmp_path / "run"), progress=lambda *a: None, timeout_s=60,
                       overrides={"ZTRADE__execution__broker": "alpaca_paper",
                                  "ZTRADE__execution__alpaca__trading_url": alpaca.trading_url,
                                  "ZTRADE__execution__alpaca__stream_url": alpaca.stream_url,
                                  "ZTRADE__execution__alpaca__ca_file": str(alpaca.ca_file)})
    finally:
        os.environ["APCA_API_SECRET_KEY"] = alpaca.secret
    assert "APCA_API_SECRET_KEY" in str(err.value) and "s3cr3t-VALUE" not in str(err.value)
    for log in (tmp_path / "run").glob("*.log"):
        assert "s3cr3t-VALUE" not in log.read_text()


def test_broker_bars_stops_on_a_repeated_page_token(alpaca, tmp_path):
    alpaca.bars_page = 10
    alpaca.bars_repeat_token = True
    r = _ztrade(*_broker_args(alpaca), "bars", "SPY", "--start", "2024-01-02",
                "--end", "2024-01-03", "--out", str(tmp_path / "spy.csv"), timeout=60)
    assert r.returncode == 1 and "twice" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "spy.csv").exists()
    assert len(alpaca.snapshot()["log"]) < 10


def test_the_sweep_metric_names_are_the_statistics_a_backtest_returns(frame):
    from ztrade.backtest import STAT_NAMES
    assert tuple(run(Momentum(), frame, symbol="SAMPLE").stats) == STAT_NAMES
