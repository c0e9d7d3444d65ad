"""FeatureComputer and MarketBar through Python: API, batch == streaming, errors, threads."""
import threading

import numpy as np
import pandas as pd
import pytest

import ztrade
from ztrade import FeatureComputer, MarketBar


def walk(n, seed=1, start=100.0):
    rng = np.random.default_rng(seed)
    close = start * np.exp(np.cumsum(rng.normal(0, 0.01, n)))
    open_ = np.concatenate([[start], close[:-1]])
    high = np.maximum(open_, close) * (1 + rng.uniform(0, 0.005, n))
    low = np.minimum(open_, close) * (1 - rng.uniform(0, 0.005, n))
    volume = rng.integers(0, 10_000, n).astype(np.float64)
    return pd.DataFrame({"open": open_, "high": high, "low": low, "close": close,
                         "volume": volume})


def test_version_matches_version_file():
    from pathlib import Path
    version = (Path(__file__).resolve().parents[2] / "VERSION").read_text().strip()
    assert ztrade.__version__ == version


def test_market_bar_fields_and_validation():
    b = MarketBar("AAPL", 1.0, 2.0, 0.5, 1.5, 100.0, 1_700_000_000_000_000_000)
    assert (b.symbol, b.open, b.high, b.low, b.close, b.volume) == ("AAPL", 1.0, 2.0, 0.5, 1.5, 100.0)
    assert b.timestamp == 1_700_000_000_000_000_000
    assert "AAPL" in repr(b)
    with pytest.raises(ValueError, match="close is not finite"):
        MarketBar("AAPL", 1.0, 2.0, 0.5, float("nan"), 100.0, 0)
    with pytest.raises(ValueError, match="volume is negative"):
        MarketBar("AAPL", 1.0, 2.0, 0.5, 1.0, -1.0, 0)
    with pytest.raises(TypeError):
        MarketBar("AAPL", "x", 2.0, 0.5, 1.0, 1.0, 0)
    import pickle
    assert pickle.loads(pickle.dumps(b)).close == 1.5


def test_batch_equals_streaming_exactly():
    df = walk(2000, seed=3, start=50_000.0)
    fc = FeatureComputer(rsi_period=10, macd_fast=5, macd_slow=17, macd_signal=4, sma_period=30)
    batch = fc.compute_batch(df)
    assert fc.bars_seen == 0, "compute_batch must not change the streaming state"
    rows = np.array([fc.update(*r) for r in df[["open", "high", "low", "close", "volume"]]
                     .itertuples(index=False)])
    np.testing.assert_array_equal(batch, rows)


def test_batch_accepts_arrays_lists_ints_and_dataframe():
    df = walk(100)
    fc = FeatureComputer()
    a = fc.compute_batch(df)
    b = fc.compute_batch(*(df[c].to_numpy() for c in ["open", "high", "low", "close", "volume"]))
    c = fc.compute_batch(*(df[c].tolist() for c in ["open", "high", "low", "close", "volume"]))
    d = fc.compute_batch({k: df[k].to_numpy() for k in df.columns})
    for other in (b, c, d):
        np.testing.assert_array_equal(a, other)
    ints = fc.compute_batch([1, 2, 3], [2, 3, 4], [0, 1, 2], [1, 2, 3], [10, 10, 10])
    assert ints.dtype == np.float64 and ints.shape == (3, 12)
    assert fc.compute_batch([], [], [], [], []).shape == (0, 12)


@pytest.mark.parametrize("mutate, message", [
    (lambda cols: cols.__setitem__(3, cols[3][:-1]), "differ in length"),
    (lambda cols: cols.__setitem__(1, np.ones((5, 2))), "1-D"),
    (lambda cols: cols[3].__setitem__(4, np.nan), "row 4: close is not finite"),
    (lambda cols: cols[2].__setitem__(2, np.inf), "row 2: low is not finite"),
    (lambda cols: cols[4].__setitem__(1, -5.0), "row 1: volume is negative"),
])
def test_batch_errors_are_value_errors(mutate, message):
    df = walk(10)
    cols = [df[c].to_numpy().copy() for c in ["open", "high", "low", "close", "volume"]]
    mutate(cols)
    with pytest.raises(ValueError, match=message):
        FeatureComputer().compute_batch(*cols)


def test_batch_into_caller_array():
    df = walk(500)
    fc = FeatureComputer()
    out = np.full((500, 12), -1.0)
    got = fc.compute_batch(df, out=out)
    assert got is out or np.shares_memory(got, out)
    np.testing.assert_array_equal(out, fc.compute_batch(df))
    for bad in (np.zeros((499, 12)), np.zeros((500, 12), dtype=np.float32),
                np.zeros((12, 500)).T, [[0.0] * 12] * 500):
        with pytest.raises(ValueError, match="out must be"):
            fc.compute_batch(df, out=bad)
    frozen = np.zeros((500, 12))
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match="writable"):
        fc.compute_batch(df, out=frozen)


def test_batch_dataframe_missing_column():
    with pytest.raises(ValueError, match="no 'volume' column"):
        FeatureComputer().compute_batch(walk(10).drop(columns=["volume"]))
    with pytest.raises(ValueError, match="either a DataFrame"):
        FeatureComputer().compute_batch([1.0], [1.0])


@pytest.mark.parametrize("kwargs", [
    dict(rsi_period=0), dict(sma_period=-2), dict(macd_fast=26, macd_slow=12),
    dict(macd_fast=12, macd_slow=12), dict(macd_signal=0),
])
def test_bad_parameters(kwargs):
    with pytest.raises(ValueError):
        FeatureComputer(**kwargs)


def test_update_nan_rejected_state_unchanged():
    fc, twin = FeatureComputer(), FeatureComputer()
    df = walk(60)
    for i, r in enumerate(df.itertuples(index=False)):
        if i == 30:
            with pytest.raises(ValueError, match="not finite"):
                fc.update(r.open, r.high, r.low, float("nan"), r.volume)
            with pytest.raises(ValueError):
                fc.peek(r.open, float("inf"), r.low, r.close, r.volume)
        np.testing.assert_array_equal(fc.update(r.open, r.high, r.low, r.close, r.volume),
                                      twin.update(r.open, r.high, r.low, r.close, r.volume))
    assert fc.bars_seen == twin.bars_seen == 60


def test_peek_reset_ready_and_symbol_guard():
    fc = FeatureComputer(symbol="AAPL")
    df = walk(40)
    for r in df.itertuples(index=False):
        bar = MarketBar("AAPL", r.open, r.high, r.low, r.close, r.volume, 0)
        peeked = fc.peek(bar)
        np.testing.assert_array_equal(peeked, fc.compute_streaming(bar))
    assert fc.ready and fc.lookback == 33 and fc.bars_seen == 40
    with pytest.raises(ValueError, match="symbol 'MSFT'"):
        fc.update(MarketBar("MSFT", 1, 1, 1, 1, 1, 0))
    fc.reset()
    assert not fc.ready and fc.bars_seen == 0
    first = fc.update(MarketBar("AAPL", 1.0, 2.0, 0.5, 1.0, 3.0, 0))
    assert first[0] == 1.0 and np.isnan(first[1]) and first[10] == 3.0 and first[11] == 1.5


def test_two_threads_compute_batch_at_once_with_gil_released():
    df = walk(1_000_000, seed=9)
    cols = [df[c].to_numpy() for c in ["open", "high", "low", "close", "volume"]]
    expected = FeatureComputer().compute_batch(*cols)
    results, errors = [None, None], []
    running = threading.Event()

    def work(slot):
        try:
            running.set()
            results[slot] = FeatureComputer().compute_batch(*cols)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    running.wait()
    # While native code runs, this thread must still get the GIL.
    spins = 0
    while any(t.is_alive() for t in threads):
        spins += 1
    for t in threads:
        t.join()
    assert not errors
    for r in results:
        np.testing.assert_array_equal(r, expected)
    assert spins > 0
