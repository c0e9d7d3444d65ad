"""ztrade: a low-latency trading engine with TA-Lib-exact streaming features.

The native core (``ztrade._core``) is C++; this package re-exports it:

    >>> from ztrade import FeatureComputer, MarketBar
    >>> fc = FeatureComputer()                      # RSI 14, MACD 12/26/9, SMA 20
    >>> row = fc.compute_streaming(MarketBar("AAPL", 100, 101, 99, 100.5, 1e4, 0))

Indicators on their own live in :mod:`ztrade.indicators`.
"""
from ztrade import indicators, wire
from ztrade._core import FEATURE_NAMES, FeatureComputer, MarketBar, __version__

__all__ = ["FEATURE_NAMES", "FeatureComputer", "MarketBar", "__version__", "indicators", "wire"]
