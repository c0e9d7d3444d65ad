"""Property-based conformance against the ta-lib wheel as a live reference: generated series of
varied length, price level and shape (flat stretches, gaps, zero volume), indicator by indicator,
with the tolerance |a-b| <= 1e-9 + 1e-12*|ref| (Bollinger: 1e-9 + 1e-11*price)."""
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ztrade import FeatureComputer
from ztrade import indicators as ind

if os.environ.get("CI"):
    import talib  # CI installs the test extra: a missing reference is a failure, not a skip
else:
    talib = pytest.importorskip("talib", reason="the ta-lib wheel is not installed")


@st.composite
def bar_series(draw):
    n = draw(st.integers(min_value=1, max_value=400))
    level = draw(st.sampled_from([0.5, 3.0, 100.0, 2_500.0, 50_000.0]))
    seed = draw(st.integers(min_value=0, max_value=2**32 - 1))
    flat_share = draw(st.sampled_from([0.0, 0.3, 0.9]))
    gap_share = draw(st.sampled_from([0.0, 0.05]))
    zero_volume = draw(st.booleans())
    rng = np.random.default_rng(seed)
    steps = rng.normal(0, 0.01, n)
    steps[rng.random(n) < flat_share] = 0.0  # flat stretches: unchanged closes
    steps += np.where(rng.random(n) < gap_share, rng.choice([-0.15, 0.15], n), 0.0)  # gaps
    tick = level * 1e-5
    close = np.maximum(np.round(level * np.exp(np.cumsum(steps)) / tick) * tick, tick)
    open_ = np.concatenate([[close[0]], close[:-1]])
    wick = np.where(steps == 0.0, 0.0, rng.uniform(0, 0.004, n))
    high = np.maximum(open_, close) * (1 + wick)
    low = np.minimum(open_, close) * (1 - wick)
    volume = np.zeros(n) if zero_volume else rng.integers(0, 10_000, n).astype(float)
    return open_, high, low, close, volume


def close_enough(ours, ref, rel=1e-12, scale=None):
    ours, ref = np.asarray(ours, float), np.asarray(ref, float)
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(ref))
    ok = ~np.isnan(ref)
    scale = np.abs(ref) if scale is None else np.abs(scale)
    diff = np.abs(ours[ok] - ref[ok])
    assert np.all(diff <= 1e-9 + rel * scale[ok]), f"worst diff {diff.max():.3e}"


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(bar_series(), st.integers(1, 40))
def test_moving_averages_and_stddev(bars, period):
    _, _, _, c, _ = bars
    if period >= 2:  # TA-Lib's own minimum for these
        close_enough(ind.sma(c, period), talib.SMA(c, timeperiod=period))
        close_enough(ind.ema(c, period), talib.EMA(c, timeperiod=period))
        close_enough(ind.stddev(c, period), talib.STDDEV(c, timeperiod=period, nbdev=1),
                     rel=1e-11, scale=c)


@SETTINGS
@given(bar_series(), st.integers(2, 40))
def test_rsi(bars, period):
    c = bars[3]
    close_enough(ind.rsi(c, period), talib.RSI(c, timeperiod=period))


@SETTINGS
@given(bar_series(), st.integers(2, 20), st.integers(1, 30), st.integers(1, 15))
def test_macd(bars, fast, extra, signal):
    c = bars[3]
    slow = fast + extra
    for ours, theirs in zip(ind.macd(c, fast, slow, signal),
                            talib.MACD(c, fastperiod=fast, slowperiod=slow, signalperiod=signal)):
        close_enough(ours, theirs)


@SETTINGS
@given(bar_series(), st.integers(2, 40), st.sampled_from([1.0, 2.0, 2.5]))
def test_bollinger(bars, period, dev):
    c = bars[3]
    for ours, theirs in zip(ind.bbands(c, period, dev, dev),
                            talib.BBANDS(c, timeperiod=period, nbdevup=dev, nbdevdn=dev, matype=0)):
        close_enough(ours, theirs, rel=1e-11, scale=c)


@SETTINGS
@given(bar_series(), st.integers(1, 30))
def test_atr_trange_obv(bars, period):
    _, h, l, c, v = bars
    close_enough(ind.atr(h, l, c, period), talib.ATR(h, l, c, timeperiod=period))
    close_enough(ind.trange(h, l, c), talib.TRANGE(h, l, c))
    close_enough(ind.obv(c, v), talib.OBV(c, v))


@SETTINGS
@given(bar_series(), st.integers(1, 20), st.integers(1, 5), st.integers(1, 5))
def test_stochastic(bars, fastk, slowk, slowd):
    _, h, l, c, _ = bars
    theirs = talib.STOCH(h, l, c, fastk_period=fastk, slowk_period=slowk, slowk_matype=0,
                         slowd_period=slowd, slowd_matype=0)
    for ours, ref in zip(ind.stoch(h, l, c, fastk, slowk, slowd), theirs):
        close_enough(ours, ref)


@SETTINGS
@given(bar_series())
def test_feature_computer_against_talib(bars):
    o, h, l, c, v = bars
    got = FeatureComputer().compute_batch(o, h, l, c, v)
    line, signal, hist = talib.MACD(c, 12, 26, 9)
    ema12, ema26, sma20 = talib.EMA(c, 12), talib.EMA(c, 26), talib.SMA(c, 20)
    expected = [c, talib.RSI(c, 14), line, signal, hist, ema12, ema26, ema12 - ema26, sma20,
                (c - sma20) / sma20, v, (h - l) / c]
    for j, ref in enumerate(expected):
        close_enough(got[:, j], ref)
