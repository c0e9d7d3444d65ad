"""
TA-Lib-exact indicators: streaming classes and functions over numpy arrays.
"""
from __future__ import annotations
import typing
import ztrade._core
__all__: list[str] = ['ATR', 'BollingerBands', 'EMA', 'LogReturn', 'MACD', 'OBV', 'RSI', 'SMA', 'StdDev', 'Stochastic', 'TrueRange', 'VWAP', 'atr', 'bbands', 'ema', 'log_return', 'macd', 'obv', 'rsi', 'sma', 'stddev', 'stoch', 'trange', 'vwap']
class SMA:
    """
    Simple moving average (TA-Lib TA_SMA). First value at bar period-1.
    """
    def __init__(self, period: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def peek(self, value: typing.SupportsFloat | typing.SupportsIndex) -> typing.Any:
        """
        The value update(value) would return, leaving the state unchanged.
        """
    def reset(self) -> None:
        """
        Forget all history.
        """
    def update(self, value: typing.SupportsFloat | typing.SupportsIndex) -> typing.Any:
        """
        Fold the next value in and return the indicator (NaN before its lookback).
        """
    @property
    def lookback(self) -> int:
        """
        Inputs consumed before the first value (TA-Lib's lookback).
        """
    @property
    def ready(self) -> bool:
        """
        True once values are defined.
        """
class EMA:
    """
    Exponential moving average (TA-Lib TA_EMA): SMA seed of the first `period` values, k = 2/(period+1). First value at bar period-1.
    """
    def __init__(self, period: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def peek(self, value: typing.SupportsFloat | typing.SupportsIndex) -> typing.Any:
        """
        The value update(value) would return, leaving the state unchanged.
        """
    def reset(self) -> None:
        """
        Forget all history.
        """
    def update(self, value: typing.SupportsFloat | typing.SupportsIndex) -> typing.Any:
        """
        Fold the next value in and return the indicator (NaN before its lookback).
        """
    @property
    def lookback(self) -> int:
        """
        Inputs consumed before the first value (TA-Lib's lookback).
        """
    @property
    def ready(self) -> bool:
        """
        True once values are defined.
        """
class RSI:
    """
    Wilder's RSI (TA-Lib TA_RSI). First value at bar `period`; 0 over a flat window.
    """
    def __init__(self, period: typing.SupportsInt | typing.SupportsIndex = 14) -> None:
        ...
    def peek(self, value: typing.SupportsFloat | typing.SupportsIndex) -> typing.Any:
        """
        The value update(value) would return, leaving the state unchanged.
        """
    def reset(self) -> None:
        """
        Forget all history.
        """
    def update(self, value: typing.SupportsFloat | typing.SupportsIndex) -> typing.Any:
        """
        Fold the next value in and return the indicator (NaN before its lookback).
        """
    @property
    def lookback(self) -> int:
        """
        Inputs consumed before the first value (TA-Lib's lookback).
        """
    @property
    def ready(self) -> bool:
        """
        True once values are defined.
        """
class StdDev:
    """
    Rolling population standard deviation (TA-Lib TA_STDDEV, nbdev 1).
    """
    def __init__(self, period: typing.SupportsInt | typing.SupportsIndex = 20) -> None:
        ...
    def peek(self, value: typing.SupportsFloat | typing.SupportsIndex) -> typing.Any:
        """
        The value update(value) would return, leaving the state unchanged.
        """
    def reset(self) -> None:
        """
        Forget all history.
        """
    def update(self, value: typing.SupportsFloat | typing.SupportsIndex) -> typing.Any:
        """
        Fold the next value in and return the indicator (NaN before its lookback).
        """
    @property
    def lookback(self) -> int:
        """
        Inputs consumed before the first value (TA-Lib's lookback).
        """
    @property
    def ready(self) -> bool:
        """
        True once values are defined.
        """
class LogReturn:
    """
    ln(close / previous close); prices must be > 0.
    """
    def __init__(self) -> None:
        ...
    def peek(self, value: typing.SupportsFloat | typing.SupportsIndex) -> typing.Any:
        """
        The value update(value) would return, leaving the state unchanged.
        """
    def reset(self) -> None:
        """
        Forget all history.
        """
    def update(self, value: typing.SupportsFloat | typing.SupportsIndex) -> typing.Any:
        """
        Fold the next value in and return the indicator (NaN before its lookback).
        """
    @property
    def lookback(self) -> int:
        """
        Inputs consumed before the first value (TA-Lib's lookback).
        """
    @property
    def ready(self) -> bool:
        """
        True once values are defined.
        """
class MACD:
    """
    MACD (TA-Lib TA_MACD): update returns (line, signal, hist), all defined from bar slow+signal-2.
    """
    def __init__(self, fast: typing.SupportsInt | typing.SupportsIndex = 12, slow: typing.SupportsInt | typing.SupportsIndex = 26, signal: typing.SupportsInt | typing.SupportsIndex = 9) -> None:
        ...
    def peek(self, value: typing.SupportsFloat | typing.SupportsIndex) -> typing.Any:
        """
        The value update(value) would return, leaving the state unchanged.
        """
    def reset(self) -> None:
        """
        Forget all history.
        """
    def update(self, value: typing.SupportsFloat | typing.SupportsIndex) -> typing.Any:
        """
        Fold the next value in and return the indicator (NaN before its lookback).
        """
    @property
    def lookback(self) -> int:
        """
        Inputs consumed before the first value (TA-Lib's lookback).
        """
    @property
    def ready(self) -> bool:
        """
        True once values are defined.
        """
class BollingerBands:
    """
    Bollinger Bands around an SMA (TA-Lib TA_BBANDS, population std): update returns (upper, middle, lower).
    """
    def __init__(self, period: typing.SupportsInt | typing.SupportsIndex = 20, nbdev_up: typing.SupportsFloat | typing.SupportsIndex = 2.0, nbdev_down: typing.SupportsFloat | typing.SupportsIndex = 2.0) -> None:
        ...
    def peek(self, value: typing.SupportsFloat | typing.SupportsIndex) -> typing.Any:
        """
        The value update(value) would return, leaving the state unchanged.
        """
    def reset(self) -> None:
        """
        Forget all history.
        """
    def update(self, value: typing.SupportsFloat | typing.SupportsIndex) -> typing.Any:
        """
        Fold the next value in and return the indicator (NaN before its lookback).
        """
    @property
    def lookback(self) -> int:
        """
        Inputs consumed before the first value (TA-Lib's lookback).
        """
    @property
    def ready(self) -> bool:
        """
        True once values are defined.
        """
class ATR:
    """
    Wilder's average true range (TA-Lib TA_ATR). First value at bar `period`.
    """
    def __init__(self, period: typing.SupportsInt | typing.SupportsIndex = 14) -> None:
        ...
    def peek(self, high: typing.SupportsFloat | typing.SupportsIndex, low: typing.SupportsFloat | typing.SupportsIndex, close: typing.SupportsFloat | typing.SupportsIndex) -> typing.Any:
        ...
    def reset(self) -> None:
        ...
    def update(self, high: typing.SupportsFloat | typing.SupportsIndex, low: typing.SupportsFloat | typing.SupportsIndex, close: typing.SupportsFloat | typing.SupportsIndex) -> typing.Any:
        ...
    @property
    def lookback(self) -> int:
        ...
    @property
    def ready(self) -> bool:
        ...
class TrueRange:
    """
    True range (TA-Lib TA_TRANGE). NaN on the first bar.
    """
    def __init__(self) -> None:
        ...
    def peek(self, high: typing.SupportsFloat | typing.SupportsIndex, low: typing.SupportsFloat | typing.SupportsIndex, close: typing.SupportsFloat | typing.SupportsIndex) -> typing.Any:
        ...
    def reset(self) -> None:
        ...
    def update(self, high: typing.SupportsFloat | typing.SupportsIndex, low: typing.SupportsFloat | typing.SupportsIndex, close: typing.SupportsFloat | typing.SupportsIndex) -> typing.Any:
        ...
    @property
    def lookback(self) -> int:
        ...
    @property
    def ready(self) -> bool:
        ...
class Stochastic:
    """
    Slow stochastic (TA-Lib TA_STOCH with SMA smoothing): update returns (slow_k, slow_d).
    """
    def __init__(self, fastk_period: typing.SupportsInt | typing.SupportsIndex = 14, slowk_period: typing.SupportsInt | typing.SupportsIndex = 3, slowd_period: typing.SupportsInt | typing.SupportsIndex = 3) -> None:
        ...
    def peek(self, high: typing.SupportsFloat | typing.SupportsIndex, low: typing.SupportsFloat | typing.SupportsIndex, close: typing.SupportsFloat | typing.SupportsIndex) -> typing.Any:
        ...
    def reset(self) -> None:
        ...
    def update(self, high: typing.SupportsFloat | typing.SupportsIndex, low: typing.SupportsFloat | typing.SupportsIndex, close: typing.SupportsFloat | typing.SupportsIndex) -> typing.Any:
        ...
    @property
    def lookback(self) -> int:
        ...
    @property
    def ready(self) -> bool:
        ...
class OBV:
    """
    On-balance volume (TA-Lib TA_OBV); starts at the first volume.
    """
    def __init__(self) -> None:
        ...
    def peek(self, close: typing.SupportsFloat | typing.SupportsIndex, volume: typing.SupportsFloat | typing.SupportsIndex) -> float:
        ...
    def reset(self) -> None:
        ...
    def update(self, close: typing.SupportsFloat | typing.SupportsIndex, volume: typing.SupportsFloat | typing.SupportsIndex) -> float:
        ...
    @property
    def lookback(self) -> int:
        ...
    @property
    def ready(self) -> bool:
        ...
class VWAP:
    """
    Anchored volume-weighted average price: sum(price*volume)/sum(volume) since the anchor.
    
    Args:
        anchor_period_ns: restart the sums whenever floor((t - offset)/period) changes, e.g.
            86_400_000_000_000 for daily sessions. 0 (default): only reset() re-anchors.
        anchor_offset_ns: where periods start, e.g. the session open as an offset from midnight UTC.
    """
    def __init__(self, anchor_period_ns: typing.SupportsInt | typing.SupportsIndex = 0, anchor_offset_ns: typing.SupportsInt | typing.SupportsIndex = 0) -> None:
        ...
    def peek(self, price: typing.SupportsFloat | typing.SupportsIndex, volume: typing.SupportsFloat | typing.SupportsIndex, timestamp: typing.SupportsInt | typing.SupportsIndex = 0) -> float:
        ...
    def reset(self) -> None:
        """
        Anchor here: the next update starts new sums.
        """
    def update(self, price: typing.SupportsFloat | typing.SupportsIndex, volume: typing.SupportsFloat | typing.SupportsIndex, timestamp: typing.SupportsInt | typing.SupportsIndex = 0) -> float:
        """
        Add a trade (or any price/volume pair); returns the VWAP (NaN before any volume).
        """
    def update_bar(self, bar: ztrade._core.MarketBar) -> float:
        """
        Add a MarketBar at its typical price (high+low+close)/3.
        """
    @property
    def ready(self) -> bool:
        ...
    @property
    def value(self) -> float:
        ...
def atr(high: typing.Any, low: typing.Any, close: typing.Any, period: typing.SupportsInt | typing.SupportsIndex = 14) -> typing.Any:
    ...
def bbands(close: typing.Any, period: typing.SupportsInt | typing.SupportsIndex = 20, nbdev_up: typing.SupportsFloat | typing.SupportsIndex = 2.0, nbdev_down: typing.SupportsFloat | typing.SupportsIndex = 2.0) -> typing.Any:
    """
    (upper, middle, lower) arrays.
    """
def ema(close: typing.Any, period: typing.SupportsInt | typing.SupportsIndex) -> typing.Any:
    ...
def log_return(close: typing.Any) -> typing.Any:
    ...
def macd(close: typing.Any, fast: typing.SupportsInt | typing.SupportsIndex = 12, slow: typing.SupportsInt | typing.SupportsIndex = 26, signal: typing.SupportsInt | typing.SupportsIndex = 9) -> typing.Any:
    """
    (line, signal, hist) arrays.
    """
def obv(close: typing.Any, volume: typing.Any) -> typing.Any:
    ...
def rsi(close: typing.Any, period: typing.SupportsInt | typing.SupportsIndex = 14) -> typing.Any:
    ...
def sma(close: typing.Any, period: typing.SupportsInt | typing.SupportsIndex) -> typing.Any:
    """
    SMA over an array; NaN before bar period-1.
    """
def stddev(close: typing.Any, period: typing.SupportsInt | typing.SupportsIndex = 20) -> typing.Any:
    ...
def stoch(high: typing.Any, low: typing.Any, close: typing.Any, fastk_period: typing.SupportsInt | typing.SupportsIndex = 14, slowk_period: typing.SupportsInt | typing.SupportsIndex = 3, slowd_period: typing.SupportsInt | typing.SupportsIndex = 3) -> typing.Any:
    """
    (slow_k, slow_d) arrays.
    """
def trange(high: typing.Any, low: typing.Any, close: typing.Any) -> typing.Any:
    ...
def vwap(price: typing.Any, volume: typing.Any, timestamps: typing.Any = None, anchor_period_ns: typing.SupportsInt | typing.SupportsIndex = 0, anchor_offset_ns: typing.SupportsInt | typing.SupportsIndex = 0) -> typing.Any:
    """
    Anchored VWAP over arrays (pass (high+low+close)/3 as price for bars).
    """
