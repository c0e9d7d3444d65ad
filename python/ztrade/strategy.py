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
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, List, Optional, Union

import numpy as np

from ztrade import FEATURE_NAMES, FeatureComputer
from ztrade.bus import SignalPublisher, Subscriber


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

    __slots__ = ("values", "ready")

    def __init__(self, values, ready: bool):
        self.values = np.asarray(values, dtype=np.float64)
        self.ready = bool(ready)

    def __getitem__(self, name: str) -> float:
        return float(self.values[FEATURE_NAMES.index(name)])

    def __repr__(self) -> str:
        return "Features(" + ", ".join(f"{n}={v:.4g}" for n, v in zip(FEATURE_NAMES, self.values)) + ")"


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

    def on_features(self, symbol: str, features: Features, bar_ns: int) -> SignalResult:  # pragma: no cover
        return None

    def on_fill(self, fill: Fill) -> SignalResult:  # pragma: no cover - default
        return None


def _signals(result: SignalResult) -> List[Signal]:
    if result is None:
        return []
    if isinstance(result, Signal):
        return [result]
    return list(result)


def backtest(strategy: Strategy, bars, symbol: str = "SYMBOL", **feature_periods) -> List[dict]:
    """Run `strategy` over a DataFrame (or mapping) of bars with open/high/low/close/volume
    (and optionally ts_ns) columns; returns the signals it emitted with their bar index."""
    fc = FeatureComputer(**feature_periods)
    matrix = fc.compute_batch(bars)
    ts = np.asarray(bars["ts_ns"]) if "ts_ns" in bars else np.arange(len(matrix))
    out = []
    for i, row in enumerate(matrix):
        bar = {k: float(np.asarray(bars[k])[i]) for k in ("open", "high", "low", "close", "volume")}
        ready = i >= fc.lookback
        for sig in _signals(strategy.on_bar(symbol, bar)) + _signals(
                strategy.on_features(symbol, Features(row, ready), int(ts[i]))):
            out.append({"bar": i, "symbol": sig.symbol, "strength": sig.strength,
                        "metadata": sig.metadata})
    return out


async def run_live(strategy: Strategy, endpoints: dict, *, stop: Optional[asyncio.Event] = None,
                   curve: Optional[dict] = None) -> dict:
    """Connect `strategy` to a running engine until `stop` is set; returns counters.
    `endpoints` and `curve` are those of ``ztrade._core.engine_config``."""
    sub = Subscriber([endpoints["market_data"], endpoints["signals"], endpoints["execution"]],
                     topics=["md.bar.", "feat.", "exec.report."], curve=curve)
    pub = SignalPublisher(endpoints["signal_ingress"], strategy.name, curve=curve)
    stop = stop or asyncio.Event()
    stats = {"bars": 0, "features": 0, "fills": 0, "signals": 0}
    try:
        while not stop.is_set():
            msg = await sub.recv(timeout=0.2)
            if msg is None:
                continue
            body, t = msg.message.body, msg.message.type
            result: SignalResult = None
            if t == "bar":
                stats["bars"] += 1
                result = strategy.on_bar(body["symbol"], body)
            elif t == "features":
                stats["features"] += 1
                f = Features(body["values"][: body["count"]], body["ready"])
                result = strategy.on_features(body["symbol"], f, body["bar_ns"])
                # Features carry their close: a signal made now is about that bar.
                for s in _signals(result):
                    pub.send(s.symbol, s.strength, features=f.values, metadata=s.metadata,
                             event_ns=body["bar_ns"])
                    stats["signals"] += 1
                continue
            elif t == "execution_report" and body["exec_type"] in (3, 4):
                stats["fills"] += 1
                result = strategy.on_fill(Fill(body["symbol"], "buy" if body["side"] == 1 else "sell",
                                               body["last_qty"], body["last_price"],
                                               body["client_order_id"]))
            for s in _signals(result):
                pub.send(s.symbol, s.strength, metadata=s.metadata)
                stats["signals"] += 1
    finally:
        sub.close()
        pub.close()
    return stats


def load_strategy(path: str) -> Strategy:
    """Import FILE and instantiate its Strategy subclass (the only one, or the one named
    like the file)."""
    spec = importlib.util.spec_from_file_location(Path(path).stem, path)
    if spec is None or spec.loader is None:
        raise ValueError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    classes = [c for _, c in inspect.getmembers(module, inspect.isclass)
               if issubclass(c, Strategy) and c is not Strategy and c.__module__ == module.__name__]
    if len(classes) != 1:
        raise ValueError(f"{path} must define exactly one Strategy subclass, found "
                         f"{[c.__name__ for c in classes]}")
    return classes[0]()
