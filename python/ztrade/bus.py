"""Asyncio clients for the engine's bus (pyzmq), speaking the wire format of ztrade.wire.

    sub = Subscriber(["ipc://run/market-data.sock"], topics=["md.bar."])
    msg = await sub.recv()               # BusMessage(topic, message, received_ns) or None
    pub = SignalPublisher("ipc://run/signal-ingress.sock", strategy="mine")
    pub.send("AAPL", 0.5)

Subscribers count what they drop (undecodable frames) and per-stream sequence gaps, like the
C++ subscriber.
"""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import zmq
import zmq.asyncio

from ztrade import wire


def apply_curve(sock: zmq.Socket, curve: dict | None) -> None:
    """Makes `sock` a CURVE client of the engine when bus.curve is enabled (`curve` is the
    ``curve`` entry of ``ztrade._core.engine_config``); a no-op otherwise."""
    if not curve:
        return

    def key(name: str) -> bytes:
        with open(curve[name]) as f:
            k = f.readline().strip()
        if len(k) != 40:
            raise ValueError(f"bus.curve.{name}: {curve[name]} must hold a 40-character Z85 key")
        return k.encode()

    sock.curve_publickey = key("public_key_file")
    sock.curve_secretkey = key("secret_key_file")
    sock.curve_serverkey = key("server_public_key_file")


@dataclass
class BusMessage:
    topic: str
    message: wire.Message
    received_ns: int


class Subscriber:
    def __init__(self, endpoints: Sequence[str], topics: Iterable[str] = ("",),
                 context: zmq.asyncio.Context | None = None, hwm: int = 100_000,
                 curve: dict | None = None):
        self._ctx = context or zmq.asyncio.Context.instance()
        self._sock = self._ctx.socket(zmq.SUB)
        self._sock.setsockopt(zmq.RCVHWM, hwm)
        self._sock.setsockopt(zmq.LINGER, 0)
        apply_curve(self._sock, curve)
        for t in topics:
            self._sock.setsockopt(zmq.SUBSCRIBE, t.encode())
        for ep in endpoints:
            self._sock.connect(ep)
        self.dropped: Counter = Counter()
        self.gaps = 0
        self._last: dict = {}

    async def recv(self, timeout: float | None = None) -> BusMessage | None:
        """The next valid message, or None after `timeout` seconds. Bad frames are counted in
        ``dropped`` and skipped."""
        while True:
            if timeout is not None and not await self._sock.poll(timeout * 1000):
                return None
            parts = await self._sock.recv_multipart()
            if len(parts) != 2:
                self.dropped["malformed_parts"] += 1
                continue
            try:
                msg = wire.decode(parts[1])
            except wire.WireError as exc:
                self.dropped[exc.reason] += 1
                continue
            stream = (msg.header["publisher_id"], parts[0])
            prev = self._last.get(stream)
            if prev is not None and msg.header["seq"] > prev + 1:
                self.gaps += msg.header["seq"] - prev - 1
            self._last[stream] = msg.header["seq"]
            return BusMessage(parts[0].decode(errors="replace"), msg, time.time_ns())

    def close(self) -> None:
        self._sock.close(0)


def _signal_frame(strategy: str, seq: int, symbol: str, strength: float,
                  features: Sequence[float] | None, metadata: str,
                  event_ns: int | None) -> list[bytes]:
    if not -1.0 <= float(strength) <= 1.0:
        raise ValueError(f"strength must be in [-1, 1], got {strength}")
    now = time.time_ns()
    fields: dict[str, Any] = dict(
        symbol=symbol, strategy=strategy, signal_ns=now, strength=float(strength),
        direction=(strength > 0) - (strength < 0), metadata=metadata)
    if features is not None:
        vals = list(features)[: 12]
        fields.update(has_features=1, feature_count=len(vals), features=vals)
    frame = wire.encode("signal", seq=seq, event_ns=event_ns or now, send_ns=now, **fields)
    return [f"{wire.TOPICS['signal']}{strategy}.{symbol}".encode(), frame]


class SignalPublisher:
    """Pushes signals to the signal bridge's ingress (a PULL socket); the bridge validates them
    (known symbol, strength in [-1, 1], not stale) and stamps their market time before risk
    sees them. Blocking: ``send`` waits while the socket's queue is full (use
    AsyncSignalPublisher inside asyncio code)."""

    def __init__(self, ingress: str, strategy: str, context: zmq.Context | None = None,
                 curve: dict | None = None, hwm: int = 1000):
        if not 1 <= len(strategy.encode()) <= 16:
            raise ValueError("strategy name must be 1-16 bytes")
        self._ctx = context or zmq.Context.instance()
        self._sock = self._ctx.socket(zmq.PUSH)
        self._sock.setsockopt(zmq.LINGER, 1000)
        self._sock.setsockopt(zmq.SNDHWM, hwm)
        apply_curve(self._sock, curve)
        self._sock.connect(ingress)
        self.strategy = strategy
        self._seq = 0

    def send(self, symbol: str, strength: float, *, features: Sequence[float] | None = None,
             metadata: str = "", event_ns: int | None = None) -> None:
        self._seq += 1
        self._sock.send_multipart(_signal_frame(self.strategy, self._seq, symbol, strength,
                                                features, metadata, event_ns))

    def close(self) -> None:
        self._sock.close()


class AsyncSignalPublisher(SignalPublisher):
    """SignalPublisher for asyncio code: ``await send(...)`` yields to the event loop while
    the queue is full instead of blocking it."""

    def __init__(self, ingress: str, strategy: str,
                 context: zmq.asyncio.Context | None = None, curve: dict | None = None,
                 hwm: int = 1000):
        super().__init__(ingress, strategy, context or zmq.asyncio.Context.instance(), curve, hwm)

    async def send(self, symbol: str, strength: float, *,  # type: ignore[override]
                   features: Sequence[float] | None = None, metadata: str = "",
                   event_ns: int | None = None) -> None:
        self._seq += 1
        await self._sock.send_multipart(_signal_frame(self.strategy, self._seq, symbol, strength,
                                                      features, metadata, event_ns))
