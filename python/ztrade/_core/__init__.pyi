"""
ztrade native core: TA-Lib-exact indicators and per-symbol feature computation.
"""
from __future__ import annotations
import collections.abc
import numpy
import numpy.typing
import typing
from . import indicators
__all__: list[str] = ['FEATURE_NAMES', 'FeatureComputer', 'LiveRunner', 'MarketBar', 'WIRE_MAGIC', 'WIRE_VERSION', 'backtest_run', 'config_settings', 'engine_config', 'epoch_ns_of_ts', 'indicators', 'read_env_file', 'read_journal', 'read_recording', 'signal_problem', 'sim_commission', 'wire_check', 'wire_enums', 'wire_schema', 'wire_topics']
class MarketBar:
    """
    An OHLCV bar for one symbol. Immutable; validated at construction.
    
    Args:
        symbol: instrument name, e.g. "AAPL".
        open, high, low, close: prices (finite).
        volume: traded volume (finite, >= 0).
        timestamp: bar time in nanoseconds since the Unix epoch (UTC). Default 0.
    
    Raises:
        ValueError: a non-finite price or volume, or a negative volume.
    """
    def __getstate__(self) -> tuple[str, float, float, float, float, float, int]:
        ...
    def __init__(self, symbol: str, open: typing.SupportsFloat | typing.SupportsIndex, high: typing.SupportsFloat | typing.SupportsIndex, low: typing.SupportsFloat | typing.SupportsIndex, close: typing.SupportsFloat | typing.SupportsIndex, volume: typing.SupportsFloat | typing.SupportsIndex, timestamp: typing.SupportsInt | typing.SupportsIndex = 0) -> None:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, arg0: tuple) -> None:
        ...
    @property
    def close(self) -> float:
        ...
    @property
    def high(self) -> float:
        ...
    @property
    def low(self) -> float:
        ...
    @property
    def open(self) -> float:
        ...
    @property
    def symbol(self) -> str:
        ...
    @property
    def timestamp(self) -> int:
        """
        Nanoseconds since the Unix epoch (UTC).
        """
    @property
    def volume(self) -> float:
        ...
class FeatureComputer:
    """
    Streaming features for one symbol, TA-Lib-exact.
    
    Each update returns a float64 array of 12 features, in the order of ``feature_names``:
    close, rsi, macd_line, macd_signal, macd_hist, ema_fast, ema_slow, spread (= ema_fast -
    ema_slow), sma, dist_from_sma (= (close - sma) / sma), volume, range_pct (= (high - low) /
    close). A feature is NaN until its lookback is over; ``ready`` is True once all are defined.
    
    Args:
        rsi_period: RSI period (default 14).
        macd_fast, macd_slow, macd_signal: MACD periods (default 12, 26, 9); fast < slow.
        sma_period: SMA period (default 20).
        symbol: if given, bars of another symbol are rejected.
    
    Raises:
        ValueError: invalid periods.
    """
    def __init__(self, rsi_period: typing.SupportsInt | typing.SupportsIndex = 14, macd_fast: typing.SupportsInt | typing.SupportsIndex = 12, macd_slow: typing.SupportsInt | typing.SupportsIndex = 26, macd_signal: typing.SupportsInt | typing.SupportsIndex = 9, sma_period: typing.SupportsInt | typing.SupportsIndex = 20, symbol: str = '') -> None:
        ...
    def __repr__(self) -> str:
        ...
    def compute_batch(self, open: typing.Any, high: typing.Any = None, low: typing.Any = None, close: typing.Any = None, volume: typing.Any = None, *, out: typing.Any = None) -> numpy.ndarray:
        """
        Features for a whole series at once: an (n, 12) float64 array whose rows equal what update()
        would return bar by bar from a fresh state. Does not change this object's state. Runs without
        the GIL and without per-bar Python work.
        
        Call as compute_batch(df) with a pandas DataFrame (or any mapping) holding open, high, low,
        close and volume columns, or as compute_batch(open, high, low, close, volume) with arrays.
        Pass out= (a writable C-contiguous float64 array of shape (n, 12)) to fill an existing array,
        which avoids allocating ~96 bytes per bar on every call.
        
        Raises:
            ValueError: arrays not 1-D, of different lengths, or holding NaN/inf or negative volume
                (the message names the first bad row); a wrong `out`.
        """
    def compute_streaming(self, bar: MarketBar) -> numpy.ndarray:
        """
        Fold a closed bar in; returns the 12-feature float64 array (same as update(bar)).
        """
    @typing.overload
    def peek(self, bar: MarketBar) -> numpy.ndarray:
        """
        Features if this still-forming bar closed now; the state is left unchanged.
        """
    @typing.overload
    def peek(self, open: typing.SupportsFloat | typing.SupportsIndex, high: typing.SupportsFloat | typing.SupportsIndex, low: typing.SupportsFloat | typing.SupportsIndex, close: typing.SupportsFloat | typing.SupportsIndex, volume: typing.SupportsFloat | typing.SupportsIndex, timestamp: typing.SupportsInt | typing.SupportsIndex = 0) -> numpy.ndarray:
        ...
    def reset(self) -> None:
        """
        Forget all history.
        """
    @typing.overload
    def update(self, bar: MarketBar) -> numpy.ndarray:
        """
        Fold a closed MarketBar in; returns the 12-feature float64 array.
        """
    @typing.overload
    def update(self, open: typing.SupportsFloat | typing.SupportsIndex, high: typing.SupportsFloat | typing.SupportsIndex, low: typing.SupportsFloat | typing.SupportsIndex, close: typing.SupportsFloat | typing.SupportsIndex, volume: typing.SupportsFloat | typing.SupportsIndex, timestamp: typing.SupportsInt | typing.SupportsIndex = 0) -> numpy.ndarray:
        """
        Fold a closed bar given as OHLCV values in.
        """
    @property
    def bars_seen(self) -> int:
        ...
    @property
    def config(self) -> dict:
        ...
    @property
    def feature_names(self) -> tuple:
        """
        Names of the 12 features, in output order.
        """
    @property
    def lookback(self) -> int:
        """
        Bars consumed before every feature is defined (33 with the defaults).
        """
    @property
    def ready(self) -> bool:
        """
        True once every feature is defined.
        """
    @property
    def symbol(self) -> str:
        ...
class LiveRunner:
    """
    A Strategy against a running engine, the bus handled in C++ (ztrade.strategy.run_live wraps it).
    """
    def __init__(self, strategy: typing.Any, config_path: str = '', overrides: collections.abc.Mapping[str, str] = {}) -> None:
        ...
    def report(self, state: str) -> None:
        """
        Tells signal-bridge this strategy has ended: 'done' or 'failed'.
        """
    def run(self, should_stop: typing.Any = None, warn: typing.Any = None) -> dict:
        """
        Handles bus messages until the session ends or should_stop() is true; returns counters. A hook's exception propagates, noted with the hook, symbol and bar time.
        """
    def stats(self) -> dict:
        ...
    def warm_up(self, timeout_s: typing.SupportsFloat | typing.SupportsIndex = 2.0) -> int:
        """
        Feeds the recent bars market-data keeps through the hooks (their signals discarded); returns how many.
        """
def backtest_run(ts_ns: typing.Annotated[numpy.typing.ArrayLike, numpy.int64], open: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], high: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], low: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], close: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], volume: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], symbol: typing.Annotated[numpy.typing.ArrayLike, numpy.int32], symbols: collections.abc.Sequence[str], strategy: typing.Any, overrides: collections.abc.Mapping[str, str] = {}, fill: str = 'next_open', cash: typing.SupportsFloat | typing.SupportsIndex = 100000.0, progress: typing.Any = None, trade_ts: typing.Annotated[numpy.typing.ArrayLike, numpy.int64] = ..., trade_price: typing.Annotated[numpy.typing.ArrayLike, numpy.float64] = ..., trade_size: typing.Annotated[numpy.typing.ArrayLike, numpy.float64] = ..., trade_symbol: typing.Annotated[numpy.typing.ArrayLike, numpy.int32] = ..., config_path: str = '') -> dict:
    """
    The in-process backtest (ztrade.backtest.run wraps it): bars in time order (symbol: index into symbols), a Strategy or "macd_rsi", settings as a session's: the engine config file at config_path ("": the defaults) with ZTRADE__ overrides. Returns the fills, orders, equity per bar and positions as arrays.
    """
def config_settings(path: str = '', overrides: collections.abc.Mapping[str, str] = {}) -> list:
    """
    Every configuration setting: a list of {key, type, value, constraint, doc}, from the engine's one definition of each (engine/ops/config.cpp). Without a path the values are the defaults; with one, what that file (and ZTRADE__* overrides, then `overrides`) sets. Raises ValueError listing every problem of an invalid file.
    """
def engine_config(path: str, overrides: collections.abc.Mapping[str, str] = {}) -> dict:
    """
    Load and validate an engine config (ZTRADE__* environment overrides apply, then `overrides`); returns the endpoints and the settings tools need. Raises ValueError listing every problem.
    """
def epoch_ns_of_ts(text: str) -> typing.Any:
    """
    Nanoseconds since the epoch of one `ts` value as a file holds it (seconds, ms, us or ns, told apart by magnitude: engine/core/epoch_time.hpp), or None when it is not a time between 1970 and 2262.
    """
def read_env_file(path: str) -> dict:
    """
    The KEY=VALUE pairs of an env file, read as the engine's processes read --env-file (comments, `export ` and quotes handled). Raises ValueError naming the file and line.
    """
def read_journal(path: str) -> tuple[list, int]:
    """
    The records of an execution journal, read-only, in order: (list of dicts with kind - 0 new, else the ExecType number -, client_order_id, ts_ns, symbol, strategy, side, quantity, price; bytes of a torn tail ignored).
    """
def read_recording(path: str) -> tuple[list, int]:
    """
    Reads a market-data recording with the engine's own reader: ([(topic, frame)], bytes of a cut-short last record skipped). Raises ValueError, naming the byte offset, for anything the engine would refuse to replay.
    """
def signal_problem(strength: typing.SupportsFloat | typing.SupportsIndex, direction: typing.SupportsInt | typing.SupportsIndex, strategy: str) -> str:
    """
    The signal bridge's verdict on a signal: 'none' when it would be accepted, else the reason it would be refused (e.g. 'bad_strength').
    """
def sim_commission(config_path: str, overrides: collections.abc.Mapping[str, str], qty: typing.SupportsFloat | typing.SupportsIndex, price: typing.SupportsFloat | typing.SupportsIndex) -> float:
    """
    The simulated broker's commission of one fill under a session's settings (the backtest's own formula).
    """
def wire_check(frame: bytes) -> tuple:
    """
    The C++ decoder's verdict on a frame: (error name, type name or None).
    """
def wire_enums() -> dict:
    """
    Every enum of the wire and of the engine's verdicts, name -> value, as the C++ engine defines them (ztrade.wire builds its IntEnums from this).
    """
def wire_schema() -> list:
    """
    The wire layout: a list of {name, type, size, meaning, fields=[(name, offset, kind, size, meaning)]}, the header first.
    """
def wire_topics() -> list:
    """
    Every topic of the bus: a list of {name, prefix, suffix, body, publisher, meaning} (ztrade.wire.TOPICS maps name -> prefix).
    """
FEATURE_NAMES: tuple = ('close', 'rsi', 'macd_line', 'macd_signal', 'macd_hist', 'ema_fast', 'ema_slow', 'spread', 'sma', 'dist_from_sma', 'volume', 'range_pct')
WIRE_MAGIC: int = 21594
WIRE_VERSION: int = 1
__version__: str = '0.1.0'
