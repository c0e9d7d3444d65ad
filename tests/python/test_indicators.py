"""Standalone indicators from Python: streaming == batch, peek, reset, errors, edge cases."""
import math

import numpy as np
import pytest

from ztrade import indicators as ind


def walk(n, seed=2, start=100.0):
    rng = np.random.default_rng(seed)
    c = np.round(start * np.exp(np.cumsum(rng.normal(0, 0.01, n))), 4)
    h = np.round(c * (1 + rng.uniform(0, 0.01, n)), 4)
    l = np.round(c * (1 - rng.uniform(0, 0.01, n)), 4)
    v = rng.integers(0, 1000, n).astype(float)
    return h, l, c, v


CLOSE_CASES = [
    (lambda: ind.SMA(7), lambda c: ind.sma(c, 7)),
    (lambda: ind.EMA(9), lambda c: ind.ema(c, 9)),
    (lambda: ind.RSI(5), lambda c: ind.rsi(c, 5)),
    (lambda: ind.StdDev(6), lambda c: ind.stddev(c, 6)),
    (lambda: ind.LogReturn(), lambda c: ind.log_return(c)),
    (lambda: ind.MACD(3, 8, 4), lambda c: ind.macd(c, 3, 8, 4)),
    (lambda: ind.BollingerBands(10, 1.5, 2.5), lambda c: ind.bbands(c, 10, 1.5, 2.5)),
]


def as_columns(values):
    arr = np.array([v if isinstance(v, tuple) else (v,) for v in values], dtype=float)
    return [arr[:, j] for j in range(arr.shape[1])]


@pytest.mark.parametrize("make, batch", CLOSE_CASES)
def test_streaming_equals_batch_and_peek_equals_update(make, batch):
    _, _, c, _ = walk(300)
    obj = make()
    streamed = []
    for x in c:
        p = obj.peek(x)
        u = obj.update(x)
        np.testing.assert_array_equal(np.array(p, dtype=float), np.array(u, dtype=float))
        streamed.append(u)
    expected = batch(c)
    expected = list(expected) if isinstance(expected, tuple) else [expected]
    for got, want in zip(as_columns(streamed), expected):
        np.testing.assert_array_equal(got, want)
    obj.reset()
    assert not obj.ready


def test_hlc_and_volume_indicators_stream_like_batch():
    h, l, c, v = walk(200)
    atr, tr, st, obv = ind.ATR(5), ind.TrueRange(), ind.Stochastic(5, 2, 3), ind.OBV()
    rows = [(atr.update(a, b, x), tr.update(a, b, x), *st.update(a, b, x), obv.update(x, y))
            for a, b, x, y in zip(h, l, c, v)]
    got = np.array(rows)
    np.testing.assert_array_equal(got[:, 0], ind.atr(h, l, c, 5))
    np.testing.assert_array_equal(got[:, 1], ind.trange(h, l, c))
    k, d = ind.stoch(h, l, c, 5, 2, 3)
    np.testing.assert_array_equal(got[:, 2], k)
    np.testing.assert_array_equal(got[:, 3], d)
    np.testing.assert_array_equal(got[:, 4], ind.obv(c, v))


def test_vwap_against_fsum_reference_and_anchors():
    h, l, c, v = walk(3000, start=50_000.0)
    tp = (h + l + c) / 3
    day = 86_400 * 10**9
    ts = np.arange(3000, dtype=np.int64) * 300 * 10**9  # 5-minute bars, ~10 days
    got = ind.vwap(tp, v, ts, anchor_period_ns=day)
    session = ts // day
    for i in range(0, 3000, 97):
        mask = (session == session[i]) & (np.arange(3000) <= i)
        den = math.fsum(v[mask])
        want = math.fsum(tp[mask] * v[mask]) / den if den > 0 else math.nan
        if math.isnan(want):
            assert math.isnan(got[i])
        else:
            assert abs(got[i] - want) <= 1e-9 + 1e-12 * abs(want)
    s = ind.VWAP()
    assert math.isnan(s.update(10.0, 0.0))
    assert s.update(10.0, 2.0) == 10.0
    assert s.update(13.0, 1.0) == 11.0
    s.reset()
    assert math.isnan(s.value)
    with pytest.raises(ValueError, match="needs timestamps"):
        ind.vwap(tp, v, anchor_period_ns=day)
    with pytest.raises(ValueError, match="negative"):
        ind.vwap([1.0], [-1.0])


@pytest.mark.parametrize("call", [
    lambda: ind.SMA(0), lambda: ind.EMA(-1), lambda: ind.RSI(0), lambda: ind.MACD(9, 9, 3),
    lambda: ind.BollingerBands(20, float("nan")), lambda: ind.Stochastic(14, 0, 3),
    lambda: ind.ATR(0), lambda: ind.VWAP(-5), lambda: ind.sma([1.0, 2.0], 0),
    lambda: ind.macd([1.0] * 50, 26, 12), lambda: ind.SMA(3).update(float("nan")),
    lambda: ind.RSI().peek(float("inf")), lambda: ind.ATR().update(1.0, float("nan"), 1.0),
    lambda: ind.ema(np.array([1.0, np.nan]), 2), lambda: ind.ema(np.ones((3, 3)), 2),
    lambda: ind.atr([1.0, 2.0], [1.0], [1.0, 2.0]), lambda: ind.log_return([1.0, 0.0]),
    lambda: ind.LogReturn().update(-1.0), lambda: ind.sma(None, 3),
])
def test_bad_arguments_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_flat_zero_volume_short_and_period_one():
    flat = np.full(50, 42.0)
    assert np.all(ind.rsi(flat, 14)[14:] == 0.0)  # TA-Lib: flat RSI is 0
    k, d = ind.stoch(flat, flat, flat)
    assert np.all(k[17:] == 0.0) and np.all(d[17:] == 0.0)
    assert np.all(ind.stddev(flat, 20)[19:] == 0.0)
    assert np.all(ind.obv(flat + np.arange(50), np.zeros(50)) == 0.0)
    assert np.all(np.isnan(ind.rsi(flat[:10], 14)))  # shorter than the lookback: all NaN
    assert np.all(np.isnan(ind.macd(flat[:33])[0]))
    _, _, c, _ = walk(20)
    np.testing.assert_array_equal(ind.sma(c, 1), c)
    assert ind.sma(np.array([]), 3).shape == (0,)
