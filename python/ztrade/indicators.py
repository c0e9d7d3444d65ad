"""TA-Lib-exact indicators, streaming (classes) and over numpy arrays (functions).

Classes keep state and take one bar at a time: ``update`` folds a value in, ``peek`` shows what
a still-forming bar would give without changing state. Functions run the same C++ code over
whole arrays with the GIL released and return float64 arrays (tuples of arrays for multi-output
indicators), NaN before each indicator's lookback.
"""
from ztrade._core.indicators import (
    ATR,
    EMA,
    MACD,
    OBV,
    RSI,
    SMA,
    VWAP,
    BollingerBands,
    LogReturn,
    StdDev,
    Stochastic,
    TrueRange,
    atr,
    bbands,
    ema,
    log_return,
    macd,
    obv,
    rsi,
    sma,
    stddev,
    stoch,
    trange,
    vwap,
)

__all__ = [
    "ATR", "EMA", "MACD", "OBV", "RSI", "SMA", "VWAP", "BollingerBands", "LogReturn", "StdDev",
    "Stochastic", "TrueRange", "atr", "bbands", "ema", "log_return", "macd", "obv", "rsi", "sma",
    "stddev", "stoch", "trange", "vwap",
]
