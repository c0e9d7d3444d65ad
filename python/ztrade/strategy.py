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

import importlib.util
import inspect
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

import numpy as np

from ztrade import FEATURE_NAMES, FeatureComputer, _core
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


def run_live(strategy: Strategy, config_path: str = "", overrides: dict | None = None, *,
             stop: threading.Event | None = None, warm_up: bool = True,
             warn: Callable[[str], None] | None = None) -> dict:
    """Connects `strategy` to the running engine that the config at `config_path` (with
    ZTRADE__ `overrides`, e.g. the run directory) describes, until the session ends or `stop`
    is set; returns counters. The bus is handled in C++ (``ztrade._core.LiveRunner``): it
    subscribes only to what the strategy's hooks use, and the hooks receive the same objects
    as in ``ztrade.backtest.run``. With ``warm_up`` the recent bars market-data keeps are fed
    through the hooks first (their signals discarded), so features and the strategy's own
    state are ready. A hook's exception propagates, with a note naming the hook, the symbol and
    the bar; the caller reports it (``runner.report("failed")``, see ``ztrade strategy run``).
    """
    runner = _core.LiveRunner(strategy, config_path, dict(overrides or {}))
    return drive(runner, stop=stop, warm_up=warm_up, warn=warn)


def drive(runner: Any, *, stop: threading.Event | None = None, warm_up: bool = True,
          warn: Callable[[str], None] | None = None) -> dict:
    """Runs a ``_core.LiveRunner`` to the end of the session (or `stop`); reports "done"."""
    if warm_up:
        runner.warm_up()
    stats = runner.run(should_stop=(stop.is_set if stop is not None else None), warn=warn)
    runner.report("done")
    return dict(stats)


def parse_params(pairs: Iterable[str]) -> dict[str, Any]:
    """KEY=VALUE pairs (``--param``) as constructor arguments: each value read as a Python
    literal (``20``, ``0.5``, ``True``, ``"abc"``, ``[1, 2]``), else kept as text."""
    import ast
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise StrategyLoadError(f"--param {pair!r}: expected NAME=VALUE (NAME a Python "
                                    "identifier, as the constructor's parameter)")
        try:
            out[key] = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            out[key] = text
    return out


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


def load_strategy(path: str, params: dict[str, Any] | None = None) -> Strategy:
    """Import FILE and instantiate its Strategy subclass (the only one, or the one named like
    the file) with ``params`` as keyword arguments (``--param``, the names a sweep grid uses).
    The file's folder is importable while it loads (a module beside it can be imported). Every
    problem - a missing file, a syntax error, an import that fails, a parameter the class does
    not take, a bad ``name`` - is a StrategyLoadError with one line that says what and where."""
    file = Path(path)
    if not file.is_file():
        raise StrategyLoadError(f"{path}: no such file")
    folder = str(file.resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(file.stem, file)
    if spec is None or spec.loader is None:
        raise StrategyLoadError(f"{path}: not a Python file that can be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # pickling and dataclasses look it up there
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
    params = dict(params or {})
    shown = ", ".join(f"{k}={v!r}" for k, v in params.items())
    try:
        strategy = cls(**params)
    except TypeError as exc:
        if params:
            raise StrategyLoadError(f"{path}: {cls.__name__}({shown}): {exc}") from None
        raise StrategyLoadError(
            f"{path}: {cls.__name__}() cannot be created without arguments ({exc}); give its "
            "__init__ parameters defaults, or pass them with --param NAME=VALUE") from None
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
