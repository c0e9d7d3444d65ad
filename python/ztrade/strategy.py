"""Write a strategy once; run it in a backtest or against the live engine.

A strategy subclasses :class:`Strategy` and implements any of ``on_bar``, ``on_features`` and
``on_fill``. Each hook may return a :class:`Signal`, a list of them, or None::

    class Momentum(Strategy):
        name = "momentum"

        def on_features(self, symbol, features, bar_ns):
            if not features.ready:
                return None
            if features["macd_hist"] > 0 and features["rsi"] < 70:
                return Signal(symbol, 1.0)
            if features["macd_hist"] < 0:
                return Signal(symbol, -1.0)

``ztrade strategy run FILE.py`` connects such a class to a running engine: it receives bars,
features and fills from the bus, and its signals go to the signal bridge's ingress, which
validates them before risk sizes them. :func:`backtest` runs the same class over a DataFrame of
bars with the same FeatureComputer and returns its signals - no engine needed.
"""
from __future__ import annotations

import asyncio
import importlib.util
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

import numpy as np

from ztrade import FEATURE_NAMES, FeatureComputer, _core, wire
from ztrade.bus import AsyncSignalPublisher, Subscriber
from ztrade.data import index_ns


@dataclass
class Signal:
    symbol: str
    strength: float  # in [-1, 1]: the target position as a fraction of risk.order_size
    metadata: str = ""

    @property
    def direction(self) -> int:
        return (self.strength > 0) - (self.strength < 0)


class Features:
    """A feature vector with names: ``f["rsi"]``, ``f.values`` (numpy), ``f.ready``."""

    __slots__ = ("ready", "values")

    def __init__(self, values: np.ndarray, ready: bool):
        self.values = np.asarray(values, dtype=np.float64)
        self.ready = bool(ready)

    def __getitem__(self, name: str) -> float:
        return float(self.values[FEATURE_NAMES.index(name)])

    def __repr__(self) -> str:
        pairs = ", ".join(f"{n}={v:.4g}" for n, v in zip(FEATURE_NAMES, self.values))
        return f"Features({pairs})"


@dataclass
class Fill:
    symbol: str
    side: str  # "buy" or "sell"
    quantity: float
    price: float
    client_order_id: int


SignalResult = Union[None, Signal, Iterable[Signal]]


class Strategy:
    """Base class. ``name`` identifies the strategy on the bus (1-16 characters)."""

    name: str = "python"

    def on_bar(self, symbol: str, bar: dict) -> SignalResult:  # pragma: no cover - default
        return None

    def on_features(  # pragma: no cover
            self, symbol: str, features: Features, bar_ns: int) -> SignalResult:
        return None

    def on_fill(self, fill: Fill) -> SignalResult:  # pragma: no cover - default
        return None


def _signals(result: SignalResult) -> list[Signal]:
    if result is None:
        return []
    if isinstance(result, Signal):
        return [result]
    return list(result)


def check_signal(signal: Signal, strategy: str) -> str:
    """The signal bridge's verdict on `signal` (the live engine's own checks, from C++):
    "none" when it would be accepted, else the reason it would be refused."""
    try:
        strength = float(signal.strength)
    except (TypeError, ValueError):
        return "bad_strength"
    return _core.signal_problem(strength, signal.direction if strength == strength else 0,
                                strategy)


def _bar_times(bars: Any, n: int) -> np.ndarray:
    """ns since the epoch per bar: a ts_ns column, a ts column (seconds), a DatetimeIndex, or
    0..n-1 when the data has no time."""
    if "ts_ns" in bars:
        return np.asarray(bars["ts_ns"], dtype=np.int64)
    if "ts" in bars:
        return np.round(np.asarray(bars["ts"], dtype=np.float64) * 1e9).astype(np.int64)
    index = getattr(bars, "index", None)
    if index is not None and hasattr(index, "asi8"):
        return index_ns(index)
    return np.arange(n, dtype=np.int64)


def backtest(strategy: Strategy, bars: Any, symbol: str = "SYMBOL",
             **feature_periods: Any) -> list[dict]:
    """Run `strategy` over a DataFrame (or mapping) of bars with open/high/low/close/volume
    (and optionally ts_ns, or ts in seconds) columns; returns the signals it emitted with their
    bar index and time.

    Raises:
        ValueError: the strategy emitted a signal the live engine would refuse (e.g. a strength
            outside [-1, 1]), naming the bar and the reason.
    """
    fc = FeatureComputer(**feature_periods)
    matrix = fc.compute_batch(bars)
    ts = _bar_times(bars, len(matrix))
    columns = {k: np.asarray(bars[k], dtype=np.float64)
               for k in ("open", "high", "low", "close", "volume")}
    out = []
    for i, row in enumerate(matrix):
        bar = {k: float(v[i]) for k, v in columns.items()}
        ready = i >= fc.lookback
        for sig in _signals(strategy.on_bar(symbol, bar)) + _signals(
                strategy.on_features(symbol, Features(row, ready), int(ts[i]))):
            problem = check_signal(sig, strategy.name)
            if problem != "none":
                raise ValueError(f"bar {i} (ts_ns {int(ts[i])}): {type(strategy).__name__} "
                                 f"returned {sig!r}, which the live engine refuses "
                                 f"({problem})")
            out.append({"bar": i, "ts_ns": int(ts[i]), "symbol": sig.symbol,
                        "strength": sig.strength, "metadata": sig.metadata})
    return out


async def run_live(strategy: Strategy, endpoints: dict, *, stop: asyncio.Event | None = None,
                   curve: dict | None = None,
                   log: Callable[[str], None] | None = None) -> dict:
    """Connect `strategy` to a running engine until `stop` is set; returns counters. Signals
    the engine would refuse are counted in ``rejected`` (by reason) and not sent.
    `endpoints` and `curve` are those of ``ztrade._core.engine_config``."""
    sub = Subscriber([endpoints["market_data"], endpoints["signals"], endpoints["execution"]],
                     topics=[wire.TOPICS[t] for t in ("bar", "features", "execution_report")],
                     curve=curve)
    pub = AsyncSignalPublisher(endpoints["signal_ingress"], strategy.name, curve=curve)
    stop = stop or asyncio.Event()
    stats: dict = {"bars": 0, "features": 0, "fills": 0, "signals": 0, "rejected": {}}

    async def send(result: SignalResult, **extra: Any) -> None:
        for s in _signals(result):
            problem = check_signal(s, strategy.name)
            if problem != "none":
                stats["rejected"][problem] = stats["rejected"].get(problem, 0) + 1
                if log:
                    log(f"signal not sent ({problem}): {s!r}")
                continue
            await pub.send(s.symbol, s.strength, metadata=s.metadata, **extra)
            stats["signals"] += 1

    try:
        while not stop.is_set():
            msg = await sub.recv(timeout=0.2)
            if msg is None:
                continue
            body, t = msg.message.body, msg.message.type
            if t == "bar":
                stats["bars"] += 1
                await send(strategy.on_bar(body["symbol"], body))
            elif t == "features":
                stats["features"] += 1
                f = Features(body["values"][: body["count"]], body["ready"])
                # Features carry their close: a signal made now is about that bar.
                await send(strategy.on_features(body["symbol"], f, body["bar_ns"]),
                           features=f.values, event_ns=body["bar_ns"])
            elif t == "execution_report" and body["exec_type"] in (wire.ExecType.PARTIAL_FILL,
                                                                   wire.ExecType.FILL):
                stats["fills"] += 1
                await send(strategy.on_fill(Fill(body["symbol"],
                                                 "buy" if body["side"] == wire.Side.BUY
                                                 else "sell",
                                                 body["last_qty"], body["last_price"],
                                                 body["client_order_id"])))
    finally:
        sub.close()
        pub.close()
    return stats


class StrategyLoadError(ValueError):
    """A strategy file that cannot be used, with a one-line reason."""


def _class_for_file(classes: list[type[Strategy]], path: Path) -> type[Strategy]:
    """The Strategy class of a file: the only one, or the one named like the file
    (momentum_strategy.py -> MomentumStrategy, case and underscores aside)."""
    if len(classes) == 1:
        return classes[0]
    wanted = path.stem.replace("_", "").lower()
    named = [c for c in classes if c.__name__.lower() == wanted]
    if not classes:
        raise StrategyLoadError(f"{path} defines no subclass of ztrade.strategy.Strategy")
    if len(named) != 1:
        raise StrategyLoadError(
            f"{path} defines {len(classes)} Strategy subclasses "
            f"({', '.join(sorted(c.__name__ for c in classes))}) and none is named like the file "
            f"(e.g. {''.join(w.capitalize() for w in path.stem.split('_'))}): keep one, or name "
            "the one to run like the file")
    return named[0]


def load_strategy(path: str) -> Strategy:
    """Import FILE and instantiate its Strategy subclass: the only one, or the one named like
    the file. Every problem - a missing file, a syntax error, an import that fails, a class
    that needs constructor arguments, a bad ``name`` - is a StrategyLoadError with one line
    that says what and where."""
    file = Path(path)
    if not file.is_file():
        raise StrategyLoadError(f"{path}: no such file")
    spec = importlib.util.spec_from_file_location(file.stem, file)
    if spec is None or spec.loader is None:
        raise StrategyLoadError(f"{path}: not a Python file that can be imported")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise StrategyLoadError(f"{exc.filename or path}:{exc.lineno}: syntax error: "
                                f"{exc.msg}") from None
    except ImportError as exc:
        raise StrategyLoadError(f"{path}: cannot import {exc.name or ''}: {exc}".replace(
            "cannot import : ", "")) from None
    except Exception as exc:  # noqa: BLE001 - the module's own code raised while importing
        line = _user_line(exc, file)
        raise StrategyLoadError(f"{path}{line}: {type(exc).__name__} while importing: "
                                f"{exc}") from None
    classes = [c for _, c in inspect.getmembers(module, inspect.isclass)
               if issubclass(c, Strategy) and c is not Strategy and c.__module__ == module.__name__]
    cls = _class_for_file(classes, file)
    try:
        strategy = cls()
    except TypeError as exc:
        raise StrategyLoadError(
            f"{path}: {cls.__name__}() cannot be created without arguments ({exc}); give its "
            "__init__ parameters defaults") from None
    except Exception as exc:  # noqa: BLE001 - the strategy's own __init__ raised
        line = _user_line(exc, file)
        raise StrategyLoadError(f"{path}{line}: {cls.__name__}() raised "
                                f"{type(exc).__name__}: {exc}") from None
    name = getattr(strategy, "name", None)
    problem = strategy_name_problem(name)
    if problem:
        raise StrategyLoadError(f"{path}: {cls.__name__}.name {name!r} {problem}")
    return strategy


def strategy_name_problem(name: object) -> str | None:
    """Why `name` cannot identify a strategy on the bus, or None: 1-16 bytes of letters,
    digits, '_', '-' or '.' (the signal bridge's own rule, from C++)."""
    if not isinstance(name, str) or not name:
        return "must be a non-empty string"
    if len(name.encode()) > 16:
        return f"is {len(name.encode())} bytes; the bus carries at most 16"
    if _core.signal_problem(0.0, 0, name) == "bad_strategy_id":
        return "may hold only ASCII letters, digits, '_', '-' and '.'"
    return None


def _user_line(exc: BaseException, file: Path) -> str:
    """':N' for the deepest traceback frame in the strategy file, else ''."""
    tb, line = exc.__traceback__, ""
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename).resolve() == file.resolve():
            line = f":{tb.tb_lineno}"
        tb = tb.tb_next
    return line
