"""Every indicator and FeatureComputer against TA-Lib 0.6.4's output for the shared sample,
through the Python module: batch functions, streaming classes and the feature vector."""
import numpy as np

import ztrade
from conftest import assert_matches
from ztrade import FeatureComputer, MarketBar
from ztrade import indicators as ind


def test_batch_functions_match_reference(sample, ref):
    c, h, l, v = sample["close"], sample["high"], sample["low"], sample["volume"]
    assert_matches(ind.sma(c, 20), ref["sma20"], "sma20")
    assert_matches(ind.ema(c, 12), ref["ema12"], "ema12")
    assert_matches(ind.ema(c, 26), ref["ema26"], "ema26")
    assert_matches(ind.rsi(c, 14), ref["rsi14"], "rsi14")
    line, signal, hist = ind.macd(c, 12, 26, 9)
    assert_matches(line, ref["macd"], "macd")
    assert_matches(signal, ref["macd_signal"], "macd_signal")
    assert_matches(hist, ref["macd_hist"], "macd_hist")
    upper, middle, lower = ind.bbands(c, 20, 2.0, 2.0)
    for name, ours in (("bb_upper", upper), ("bb_middle", middle), ("bb_lower", lower)):
        assert_matches(ours, ref[name], name, rel=1e-11, scale=c)
    assert_matches(ind.atr(h, l, c, 14), ref["atr14"], "atr14")
    assert_matches(ind.obv(c, v), ref["obv"], "obv")
    k, d = ind.stoch(h, l, c, 14, 3, 3)
    assert_matches(k, ref["stoch_k"], "stoch_k")
    assert_matches(d, ref["stoch_d"], "stoch_d")


def test_batch_is_bit_exact_with_reference(sample, ref):
    # Same operation order as TA-Lib, so not merely within tolerance: identical doubles
    # (all but the Bollinger deviation, which is numerically stable by design).
    np.testing.assert_array_equal(ind.rsi(sample["close"], 14), ref["rsi14"])
    np.testing.assert_array_equal(ind.macd(sample["close"])[1], ref["macd_signal"])
    np.testing.assert_array_equal(ind.bbands(sample["close"])[1], ref["bb_middle"])


def test_streaming_classes_match_reference(sample, ref):
    rsi, macd, bb = ind.RSI(14), ind.MACD(12, 26, 9), ind.BollingerBands(20, 2.0, 2.0)
    atr, stoch, obv = ind.ATR(14), ind.Stochastic(14, 3, 3), ind.OBV()
    out = {k: [] for k in ("rsi14", "macd_hist", "bb_lower", "atr14", "stoch_d", "obv")}
    for _o, h, l, c, v in zip(sample["open"], sample["high"], sample["low"], sample["close"],
                             sample["volume"]):
        out["rsi14"].append(rsi.update(c))
        out["macd_hist"].append(macd.update(c)[2])
        out["bb_lower"].append(bb.update(c)[2])
        out["atr14"].append(atr.update(h, l, c))
        out["stoch_d"].append(stoch.update(h, l, c)[1])
        out["obv"].append(obv.update(c, v))
    for name, values in out.items():
        scale = sample["close"] if name.startswith("bb") else None
        assert_matches(values, ref[name], name, rel=1e-11 if scale is not None else 1e-12,
                       scale=scale)


def _feature_reference(sample, ref):
    c, h, l = sample["close"], sample["high"], sample["low"]
    return np.column_stack([
        c, ref["rsi14"], ref["macd"], ref["macd_signal"], ref["macd_hist"], ref["ema12"],
        ref["ema26"], ref["ema12"] - ref["ema26"], ref["sma20"], (c - ref["sma20"]) / ref["sma20"],
        sample["volume"], (h - l) / c,
    ])


def test_feature_computer_streaming_and_batch_match_reference(sample, ref):
    expected = _feature_reference(sample, ref)
    fc = FeatureComputer()
    batch = fc.compute_batch(sample["open"], sample["high"], sample["low"], sample["close"],
                             sample["volume"])
    assert batch.dtype == np.float64 and batch.shape == (len(sample["close"]), 12)
    np.testing.assert_array_equal(batch, expected)
    rows = []
    for i in range(len(sample["close"])):
        bar = MarketBar("SAMPLE", sample["open"][i], sample["high"][i], sample["low"][i],
                        sample["close"][i], sample["volume"][i], int(sample["ts"][i]) * 10**9)
        rows.append(fc.compute_streaming(bar))
        assert fc.ready == (i >= 33)
    np.testing.assert_array_equal(np.array(rows), expected)
    assert list(fc.feature_names) == list(ztrade.FEATURE_NAMES)
    assert fc.feature_names[7] == "spread"
