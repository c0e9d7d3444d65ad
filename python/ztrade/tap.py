"""The launcher's view of the bus: frames kept while a session runs, decoded afterwards into
counts, positions and per-hop latencies."""
from __future__ import annotations

import os
import struct
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np

from ztrade import wire

REJECT_REASONS = {int(r): r.name.lower() for r in wire.RejectReason}
EXEC_REJECTS = {int(r): r.name.lower() for r in wire.ExecReject}
EXEC_NAMES = {int(e): e.name.lower() for e in wire.ExecType}

# The topics the tap subscribes to, from the schema. It leaves raw trades and quotes to the
# components (each wake-up of a Python process costs the engine CPU on a small machine); their
# counts come from market-data's metrics.
TAP_TOPICS = tuple(wire.TOPICS[name].encode() for name in (
    "heartbeat", "bar", "features", "signal", "orders", "risk", "execution"))

_SPOOL_RECORD = struct.Struct("<HI")  # topic length, frame length


@dataclass
class Tap:
    """Everything the launcher learns from the bus. While the session runs the tap only keeps
    frames (and decodes heartbeats, which drive start-up and the end): decoding in Python takes
    tens of microseconds a message, CPU the engine's processes need on a small machine.
    finish() decodes the rest. Messages from different publishers reach the tap in no
    particular order (an order can arrive before the signal that caused it), so hop latencies
    are matched afterwards, in hops()."""
    live: Counter = field(default_factory=Counter)                # type byte -> frames so far
    pending: list[tuple] = field(default_factory=list)            # (topic, frame) to decode
    counts: Counter = field(default_factory=Counter)
    rejects: Counter = field(default_factory=Counter)
    exec_rejects: Counter = field(default_factory=Counter)        # ExecReject name -> count
    positions: dict[str, dict] = field(default_factory=dict)
    states: dict[str, int] = field(default_factory=dict)
    bars: dict[tuple, int] = field(default_factory=dict)          # (symbol, start) -> send
    features: list[tuple] = field(default_factory=list)           # (symbol, bar_ns, send)
    signals: dict[tuple, tuple] = field(default_factory=dict)     # (symbol, seq) -> (send, event)
    orders: dict[int, tuple] = field(default_factory=dict)        # id -> (send, symbol, sig seq)
    accepted: dict[int, int] = field(default_factory=dict)        # id -> send
    gaps: int = 0
    last_seq: dict[tuple, int] = field(default_factory=dict)
    decode_errors: Counter = field(default_factory=Counter)

    spool: BinaryIO | None = None  # frames kept on disk rather than in memory

    def spool_to(self, path: Path) -> None:
        """Keeps the session's frames in a file (deleted by finish()): a long or busy session
        costs disk, not the launcher's memory."""
        self.spool = open(path, "w+b")  # noqa: SIM115 - open until finish() or close()
        os.unlink(path)  # gone from the directory; the open file lives until closed

    def close(self) -> None:
        if self.spool is not None:
            self.spool.close()
            self.spool = None

    def on_frame(self, topic: bytes, frame: bytes) -> bool:
        """Keeps one frame; returns True for activity (anything but a heartbeat)."""
        kind = frame[3] if len(frame) >= wire.HEADER_SIZE else -1
        self.live[kind] += 1
        if kind == wire.TYPE_IDS["heartbeat"]:
            self._record(topic, frame)
            return False
        if self.spool is not None:
            self.spool.write(_SPOOL_RECORD.pack(len(topic), len(frame)) + topic + frame)
        else:
            self.pending.append((topic, frame))
        return True

    def live_count(self, msg_type: str) -> int:
        return self.live[wire.TYPE_IDS[msg_type]]

    def finish(self) -> None:
        """Decodes every frame kept during the session."""
        for topic, frame in self.pending:
            self._record(topic, frame)
        self.pending.clear()
        if self.spool is not None:
            self.spool.seek(0)
            while True:
                head = self.spool.read(_SPOOL_RECORD.size)
                if len(head) < _SPOOL_RECORD.size:
                    break
                topic_len, frame_len = _SPOOL_RECORD.unpack(head)
                topic = self.spool.read(topic_len)
                self._record(topic, self.spool.read(frame_len))
            self.close()

    def _record(self, topic: bytes, frame: bytes) -> None:
        try:
            msg = wire.decode(frame)
        except wire.WireError as exc:
            self.decode_errors[exc.reason] += 1
            return
        h, b, t = msg.header, msg.body, msg.type
        self._sequence(h["publisher_id"], topic, h["seq"])
        self.counts[t] += 1
        sent = h["send_ns"]
        if t == "heartbeat":
            self.states[b["component"]] = b["state"]
        elif t == "bar":
            self.bars[(b["symbol"], b["start_ns"])] = sent
        elif t == "features":
            self.features.append((b["symbol"], b["bar_ns"], sent))
        elif t == "signal":
            self.signals[(b["symbol"], h["seq"])] = (sent, h["event_ns"])
        elif t == "new_order":
            self.orders[b["client_order_id"]] = (sent, b["symbol"], b["signal_seq"])
        elif t == "risk_reject":
            self.rejects[REJECT_REASONS.get(b["reason"], str(b["reason"]))] += 1
        elif t == "execution_report":
            kind = EXEC_NAMES.get(b["exec_type"], "other")
            self.counts["report_" + kind] += 1
            if kind == "accepted":
                self.accepted[b["client_order_id"]] = sent
            elif kind == "rejected":
                self.exec_rejects[EXEC_REJECTS.get(b["reject_code"], str(b["reject_code"]))] += 1
        elif t == "position" and b["symbol"]:  # (an empty symbol ends execution's snapshot)
            self.positions[b["symbol"]] = b

    def _sequence(self, publisher: int, topic: bytes, seq: int) -> None:
        stream = (publisher, topic)
        prev = self.last_seq.get(stream)
        if prev is not None and seq > prev + 1:
            self.gaps += seq - prev - 1
        self.last_seq[stream] = seq

    def hops(self) -> dict[str, list[int]]:
        """Per-hop latencies (ns) from the publishers' send stamps, one host clock."""
        out: dict[str, list[int]] = defaultdict(list)
        for symbol, bar_ns, sent in self.features:
            if (symbol, bar_ns) in self.bars:
                out["market-data -> signal-bridge"].append(sent - self.bars[(symbol, bar_ns)])
        for oid, (sent, symbol, sig_seq) in self.orders.items():
            sig = self.signals.get((symbol, sig_seq))
            if sig:
                out["signal-bridge -> risk"].append(sent - sig[0])
            if oid in self.accepted:
                out["risk -> execution"].append(self.accepted[oid] - sent)
                if sig and (symbol, sig[1]) in self.bars:
                    out["bar -> order accepted (end to end)"].append(
                        self.accepted[oid] - self.bars[(symbol, sig[1])])
        return out


def percentiles(values: list[int]) -> dict | None:
    """Latency percentiles in microseconds of values in nanoseconds; None when empty."""
    if not values:
        return None
    a = np.asarray(values, dtype=np.float64) / 1000.0
    return {"count": int(a.size), "p50_us": float(np.percentile(a, 50)),
            "p99_us": float(np.percentile(a, 99)), "p999_us": float(np.percentile(a, 99.9)),
            "max_us": float(a.max())}
