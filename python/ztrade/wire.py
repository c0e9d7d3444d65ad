"""Encode and decode ztrade bus frames in Python.

The layout is not restated here: it comes from the C++ definitions (``engine/bus/messages.hpp``)
through ``ztrade._core.wire_schema()``, and becomes one numpy structured dtype per message type.
A frame is ``header + body``; on the bus it travels as the second part of a
``[topic][frame]`` ZeroMQ multipart message. See docs/wire-format.md.

    >>> from ztrade import wire
    >>> frame = wire.encode("signal", symbol="AAPL", strategy="mine", strength=0.5, direction=1)
    >>> msg = wire.decode(frame)
    >>> msg.type, msg.body["symbol"], msg.header["seq"]
    ('signal', 'AAPL', 0)
"""
from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import numpy as np

from ztrade import _core

VERSION: int = _core.WIRE_VERSION
MAGIC: int = _core.WIRE_MAGIC


# The enums come from the C++ definitions too (no copy to drift): names upper-cased.
_ENUMS: dict[str, dict[str, int]] = _core.wire_enums()


def _enum(name: str) -> Any:
    return IntEnum(name, {k.upper(): v for k, v in _ENUMS[name].items()}, module=__name__)


Side = _enum("Side")
OrderType = _enum("OrderType")
TimeInForce = _enum("TimeInForce")
ExecType = _enum("ExecType")
ExecReject = _enum("ExecReject")  # why execution or the broker refused an order (reject_code)
RejectReason = _enum("RejectReason")  # why risk refused an order (RiskReject.reason)
TradingState = _enum("TradingState")  # risk's trading state (its /status, control replies)
SignalProblem = _enum("SignalProblem")  # why the signal bridge refused an external signal
ComponentState = _enum("ComponentState")  # a heartbeat's state
HeartbeatFlag = _enum("HeartbeatFlag")  # bits of a heartbeat's flags
BarrierKind = _enum("BarrierKind")  # a lockstep barrier's kind (data published / decided)

# Topic prefixes, by name ("bar" -> "md.bar.", ...), from engine/bus/topic.hpp.
TOPIC_TABLE: list[dict[str, str]] = _core.wire_topics()
TOPICS: dict[str, str] = {t["name"]: t["prefix"] for t in TOPIC_TABLE}


class WireError(ValueError):
    """A frame that is not valid ztrade wire data, or a recording the engine would not replay
    (``bad_recording``). For a frame ``reason`` matches the C++ decoder's names:
    too_short, bad_magic, bad_version, unknown_type, size_mismatch."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def _dtype(spec: dict[str, Any]) -> np.dtype:
    names: list[str] = []
    formats: list[Any] = []
    offsets: list[int] = []
    for name, offset, kind, size, _meaning in spec["fields"]:
        fmt: Any
        if kind == "S":
            fmt = f"S{size}"
        elif kind == "V":
            fmt = f"V{size}"
        elif kind == "f8[]":
            fmt = ("<f8", (size // 8,))
        else:
            fmt = "<" + kind
        names.append(name)
        formats.append(fmt)
        offsets.append(offset)
    return np.dtype({"names": names, "formats": formats, "offsets": offsets,
                     "itemsize": spec["size"]})


_SCHEMA = _core.wire_schema()
HEADER_DTYPE: np.dtype = _dtype(_SCHEMA[0])
HEADER_SIZE: int = HEADER_DTYPE.itemsize
BODY_DTYPES: dict[str, np.dtype] = {s["name"]: _dtype(s) for s in _SCHEMA[1:]}
TYPE_IDS: dict[str, int] = {s["name"]: s["type"] for s in _SCHEMA[1:]}
TYPE_NAMES: dict[int, str] = {v: k for k, v in TYPE_IDS.items()}


@dataclass
class Message:
    type: str
    header: dict[str, int]
    body: dict[str, Any]


def _to_python(value):
    if isinstance(value, bytes):
        return value.rstrip(b"\0").decode("utf-8", errors="replace")
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, np.generic):
        return value.item()
    return value


def encode(msg_type: str, *, publisher_id: int = 0, seq: int = 0, event_ns: int = 0,
           send_ns: int = 0, **fields: Any) -> bytes:
    """Build a frame of type ``msg_type`` ("bar", "trade", "signal", ...) from body fields.

    Unset fields are zero. Text fields take str and must fit their size; array fields take any
    sequence of floats up to their length.

    Raises:
        ValueError: unknown type or field, text too long, a value out of its integer range.
    """
    if msg_type not in BODY_DTYPES:
        raise ValueError(f"unknown message type {msg_type!r}; known: {', '.join(TYPE_IDS)}")
    dtype = BODY_DTYPES[msg_type]
    body = np.zeros(1, dtype=dtype)
    names = dtype.names or ()
    layout: Mapping[str, Any] = dtype.fields or {}
    for name, value in fields.items():
        if name not in names or name == "reserved":
            raise ValueError(f"{msg_type} has no field {name!r}; fields: "
                             f"{', '.join(n for n in names if n != 'reserved')}")
        kind = layout[name][0]
        if kind.kind == "S":
            raw = str(value).encode("utf-8")
            if len(raw) > kind.itemsize or b"\0" in raw:
                raise ValueError(f"{msg_type}.{name}: {value!r} does not fit in {kind.itemsize} "
                                 "bytes (or contains NUL)")
            body[name] = raw
        elif kind.subdtype is not None:
            arr = np.full(kind.shape, np.nan)
            vals = np.asarray(value, dtype=np.float64).ravel()
            if vals.size > arr.size:
                raise ValueError(f"{msg_type}.{name}: at most {arr.size} values")
            arr[:vals.size] = vals
            body[name] = arr
        elif kind.kind in "iu":
            info = np.iinfo(kind)
            if not (info.min <= int(value) <= info.max):
                raise ValueError(f"{msg_type}.{name}: {value} outside [{info.min}, {info.max}]")
            body[name] = int(value)
        else:
            body[name] = float(value)
    header = np.zeros(1, dtype=HEADER_DTYPE)
    header["magic"] = MAGIC
    header["version"] = VERSION
    header["type"] = TYPE_IDS[msg_type]
    header["publisher_id"] = publisher_id
    header["body_size"] = dtype.itemsize
    header["seq"] = seq
    header["event_ns"] = event_ns
    header["send_ns"] = send_ns
    return header.tobytes() + body.tobytes()


def decode(frame: bytes) -> Message:
    """Validate and decode a frame, with the same checks as the C++ decoder.

    Raises:
        WireError: the frame is short, not ztrade data, another wire version, an unknown type,
            or its size does not match its type.
    """
    frame = bytes(frame)
    if len(frame) < HEADER_SIZE:
        raise WireError("too_short", f"{len(frame)} bytes, a header needs {HEADER_SIZE}")
    h = np.frombuffer(frame, dtype=HEADER_DTYPE, count=1)[0]
    if int(h["magic"]) != MAGIC:
        raise WireError("bad_magic")
    if int(h["version"]) != VERSION:
        raise WireError("bad_version", f"version {int(h['version'])}, this build speaks {VERSION}")
    type_name = TYPE_NAMES.get(int(h["type"]))
    if type_name is None:
        raise WireError("unknown_type", f"type {int(h['type'])}")
    dtype = BODY_DTYPES[type_name]
    if int(h["body_size"]) != dtype.itemsize or len(frame) != HEADER_SIZE + dtype.itemsize:
        raise WireError("size_mismatch", f"{type_name} needs {HEADER_SIZE + dtype.itemsize} bytes, "
                                         f"got {len(frame)}")
    b = np.frombuffer(frame, dtype=dtype, count=1, offset=HEADER_SIZE)[0]
    header = {name: int(h[name]) for name in HEADER_DTYPE.names or ()}
    body = {name: _to_python(b[name]) for name in dtype.names or () if name != "reserved"}
    return Message(type_name, header, body)


def read_recording(path: str | os.PathLike[str]) -> Iterator[tuple[str, Message]]:
    """Yield ``(topic, message)`` for every record of a market-data recording
    (``market_data.record_file``; layout in docs/wire-format.md), read by the engine's own
    reader (``ztrade._core.read_recording``): what Python accepts, a replay accepts. A
    cut-short last record, as a killed recorder leaves, is skipped.

    Raises:
        WireError: not a recording, or a record that is not a valid bar, trade or quote frame
            (the message names its byte offset).
    """
    try:
        records, _truncated = _core.read_recording(os.fspath(path))
    except ValueError as exc:
        raise WireError("bad_recording", str(exc)) from None
    for topic, frame in records:
        yield topic, decode(frame)
