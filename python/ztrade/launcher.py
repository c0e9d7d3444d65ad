"""Run the engine: start the four processes (or the threads deployment), wait until they are
ready, follow the bus while the session runs, stop when the market data ends, and summarise.

Used by ``ztrade run``; importable for tests and notebooks (``run_engine(...)`` returns the
summary as a dict).
"""
from __future__ import annotations

import ctypes
import fcntl
import json
import os
import secrets
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Dict, List, Optional

import numpy as np
import zmq

from ztrade import _core, wire
from ztrade.bus import apply_curve
from ztrade.data import sample_path

PROCESSES = ("execution", "risk", "signal-bridge", "market-data")
REJECT_REASONS = {int(r): r.name.lower() for r in wire.RejectReason}
_EXEC_NAMES = {int(e): e.name.lower() for e in wire.ExecType}


class EngineError(RuntimeError):
    """The engine could not be started or failed while running."""


def default_config() -> Path:
    return Path(__file__).resolve().parent / "data" / "ztrade.toml"


def find_binary(name: str) -> str:
    """An engine executable: $ZTRADE_BIN_DIR, next to this Python (a venv's bin), or PATH."""
    candidates = []
    if os.environ.get("ZTRADE_BIN_DIR"):
        candidates.append(Path(os.environ["ZTRADE_BIN_DIR"]) / name)
    candidates.append(Path(sys.executable).parent / name)
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return str(c)
    found = shutil.which(name)
    if not found:
        raise EngineError(f"cannot find the engine executable {name!r}: install ztrade with pip, "
                          "or set ZTRADE_BIN_DIR to the directory holding it")
    return found


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
    pending: List[tuple] = field(default_factory=list)            # (topic, frame) to decode
    counts: Counter = field(default_factory=Counter)
    rejects: Counter = field(default_factory=Counter)
    positions: Dict[str, dict] = field(default_factory=dict)
    states: Dict[str, int] = field(default_factory=dict)
    bars: Dict[tuple, int] = field(default_factory=dict)          # (symbol, start) -> send
    features: List[tuple] = field(default_factory=list)           # (symbol, bar_ns, send)
    signals: Dict[tuple, tuple] = field(default_factory=dict)     # (symbol, seq) -> (send, event)
    orders: Dict[int, tuple] = field(default_factory=dict)        # id -> (send, symbol, sig seq)
    accepted: Dict[int, int] = field(default_factory=dict)        # id -> send
    gaps: int = 0
    last_seq: Dict[tuple, int] = field(default_factory=dict)
    decode_errors: Counter = field(default_factory=Counter)

    spool: Optional[BinaryIO] = None  # frames kept on disk rather than in memory

    def spool_to(self, path: Path) -> None:
        """Keeps the session's frames in a file (deleted by finish()): a long or busy session
        costs disk, not the launcher's memory."""
        self.spool = open(path, "w+b")
        os.unlink(path)  # gone from the directory; the open file lives until closed

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
            self.spool.close()
            self.spool = None

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
            kind = _EXEC_NAMES.get(b["exec_type"], "other")
            self.counts["report_" + kind] += 1
            if kind == "accepted":
                self.accepted[b["client_order_id"]] = sent
        elif t == "position" and b["symbol"]:  # (an empty symbol ends execution's snapshot)
            self.positions[b["symbol"]] = b

    def _sequence(self, publisher: int, topic: bytes, seq: int) -> None:
        stream = (publisher, topic)
        prev = self.last_seq.get(stream)
        if prev is not None and seq > prev + 1:
            self.gaps += seq - prev - 1
        self.last_seq[stream] = seq

    def hops(self) -> Dict[str, List[int]]:
        """Per-hop latencies (ns) from the publishers' send stamps, one host clock."""
        out: Dict[str, List[int]] = defaultdict(list)
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


def _send_go(ctx: zmq.Context, endpoint: str, curve: Optional[dict]) -> None:
    req = ctx.socket(zmq.REQ)
    req.setsockopt(zmq.LINGER, 0)
    apply_curve(req, curve)
    req.setsockopt(zmq.RCVTIMEO, 5000)
    req.connect(endpoint)
    try:
        req.send(b"GO")
        if req.recv() != b"OK":
            raise EngineError("market-data refused GO")
    except zmq.Again:
        raise EngineError("market-data did not answer GO within 5 s") from None
    finally:
        req.close(0)


def _percentiles(values: List[int]) -> Optional[dict]:
    if not values:
        return None
    a = np.asarray(values, dtype=np.float64) / 1000.0  # microseconds
    return {"count": int(a.size), "p50_us": float(np.percentile(a, 50)),
            "p99_us": float(np.percentile(a, 99)), "p999_us": float(np.percentile(a, 99.9)),
            "max_us": float(a.max())}


def _peak_rss_mb(pid: int) -> Optional[float]:
    """Peak resident set size (VmHWM) of a live process, in MB; None where /proc lacks it."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except (OSError, ValueError, IndexError):
        pass
    return None


_LOSS_METRICS = {"ztrade_sequence_missing_total": "missing", "ztrade_dropped_total": "dropped",
                 "ztrade_send_failures_total": "send_failures",
                 "ztrade_sequence_reordered_total": "reordered",
                 "ztrade_sequence_restarts_total": "restarts"}
# The tap leaves raw trades and quotes to the components (each wake-up of a Python process
# costs the engine CPU on a small machine); their counts come from market-data's metrics.
TAP_TOPICS = (b"hb.", b"md.bar.", b"feat.", b"sig.", b"ord.", b"risk.", b"exec.")


def _component_metrics(ops_ports: Dict[str, int]) -> Dict[str, Dict[str, float]]:
    """Each component's /metrics, as metric name -> value summed over its labels. A component
    whose ops endpoint is off or does not answer is left out."""
    out: Dict[str, Dict[str, float]] = {}
    for name, port in ops_ports.items():
        if not port:
            continue
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as r:
                text = r.read().decode()
        except (urllib.error.URLError, OSError, ValueError):
            continue
        values: Dict[str, float] = defaultdict(float)
        for line in text.splitlines():
            if line and not line.startswith("#"):
                try:
                    values[line.split("{", 1)[0].split(" ", 1)[0]] += float(line.rsplit(" ", 1)[1])
                except (IndexError, ValueError):
                    continue
        out[name] = dict(values)
    return out


def _bus_losses(metrics: Dict[str, Dict[str, float]]) -> Dict[str, dict]:
    """What each component's own subscribers missed (sequence gaps) or dropped (bad frames),
    and what its publisher failed to send."""
    return {name: {label: int(m.get(metric, 0)) for metric, label in _LOSS_METRICS.items()}
            for name, m in metrics.items()}


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "".join(path.read_text(errors="replace").splitlines(True)[-lines:])
    except OSError:
        return ""


class ForcedStop(BaseException):
    """A second interrupt: stop at once (raised from the signal handler; BaseException so that
    nothing on the way catches it as an error)."""


class StopRequest:
    """Asks a running session to stop. ``ztrade run`` wires SIGINT and SIGTERM to it: the first
    stops the engine gracefully (journals flushed, a summary of what ran so far printed and
    written), the second stops it at once."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.reason: Optional[str] = None

    def request(self, reason: str) -> None:
        if self.event.is_set():
            raise ForcedStop(reason)
        self.reason = reason
        self.event.set()

    def install(self) -> None:
        """Routes SIGINT and SIGTERM here (main thread only)."""
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda signum, _frame: self.request(signal.Signals(signum).name))


def _child_setup(launcher_pid: int):
    """What each engine child does before exec. Its own process group: a terminal's Ctrl-C
    reaches the launcher only, which then stops the engine in order (metrics read, journals
    flushed). And SIGTERM when the launcher dies, however it dies (even kill -9), so no engine
    process outlives it holding its ports and sockets."""
    def setup() -> None:
        os.setpgrp()
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # not Linux
            return
        if os.getppid() != launcher_pid:  # the launcher died before prctl took effect
            os._exit(1)
    return setup


def _new_session_dir(run_dir: Optional[str]) -> Path:
    if run_dir:
        try:
            return Path(run_dir).resolve()
        except (RuntimeError, OSError) as exc:  # a symlink loop, ...
            raise EngineError(f"cannot use {run_dir} as the run directory: {exc}") from None
    base = Path("run") / time.strftime("session-%Y%m%d-%H%M%S")
    candidate, n = base, 1
    while candidate.exists():  # two runs in one second get their own directories
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate.resolve()


def _prepare_session_dir(session: Path) -> None:
    try:
        session.mkdir(mode=0o700, parents=True, exist_ok=True)
    except FileExistsError:
        raise EngineError(f"cannot use {session} as the run directory: a file of that name "
                          "exists") from None
    except OSError as exc:
        raise EngineError(f"cannot use {session} as the run directory: "
                          f"{exc.strerror or exc}") from None
    if not session.is_dir():
        raise EngineError(f"cannot use {session} as the run directory: not a directory")
    if not os.access(session, os.W_OK | os.X_OK):
        raise EngineError(f"cannot use {session} as the run directory: not writable")


def _lock_session(session: Path):
    """An exclusive lock on <session>/session.lock for as long as the returned file is open:
    a second `ztrade run` on the same directory stops here, before it could re-bind the
    running session's sockets or replace its control token."""
    f = open(session / "session.lock", "a+")
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        f.seek(0)
        holder = f.read().strip()
        f.close()
        raise EngineError(f"{session} is in use by another ztrade run"
                          f"{f' (pid {holder})' if holder else ''}: stop it first, or choose "
                          "another --run-dir") from None
    f.truncate(0)
    f.write(str(os.getpid()))
    f.flush()
    return f


_MAX_IPC_PATH = 107  # sockaddr_un.sun_path, less the terminating NUL


def _check_socket_paths(cfg: dict) -> None:
    too_long = [e for e in cfg["endpoints"].values()
                if e.startswith("ipc://") and len(e[len("ipc://"):].encode()) > _MAX_IPC_PATH]
    if too_long:
        raise EngineError(f"the run directory {cfg['run_dir']} is too long for ipc sockets "
                          f"({too_long[0]} has more than {_MAX_IPC_PATH} bytes): choose a "
                          "shorter --run-dir")


def _check_resume(journal: Path, resume: bool) -> bool:
    """True when this run continues an earlier session (its journal has records)."""
    earlier = journal.is_file() and journal.stat().st_size > 0
    if earlier and not resume:
        raise EngineError(
            f"{journal.parent} holds an earlier session (its journal {journal.name} has "
            f"{journal.stat().st_size} bytes of orders and fills): pass --resume to continue it, "
            "or choose another --run-dir")
    return earlier


def _execution_status(ops_ports: Dict[str, int]) -> Optional[dict]:
    port = ops_ports.get("execution")
    if not port:
        return None
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=2) as r:
            return json.loads(r.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None


def _stop_children(procs: Dict[str, subprocess.Popen], at_once: bool) -> None:
    for p in procs.values():
        if p.poll() is None:
            p.send_signal(signal.SIGKILL if at_once else signal.SIGTERM)
    deadline = time.monotonic() + 10
    for p in procs.values():
        try:
            p.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def run_engine(config: Optional[str] = None, run_dir: Optional[str] = None,
               threads: bool = False, overrides: Optional[Dict[str, str]] = None,
               timeout_s: float = 600.0, progress=print, *, resume: bool = False,
               stop: Optional[StopRequest] = None) -> dict:
    """Start the engine, follow the session to its end, stop it, and return the summary.

    A run directory that holds an earlier session's journal is refused unless ``resume``.
    ``stop`` (a StopRequest) ends the session early: the summary then covers what ran and
    says why it stopped (``summary["interrupted"]``).

    Raises:
        EngineError: bad config, a missing executable, a process that died, or the timeout.
        ForcedStop: a second stop request; every engine process was killed.
    """
    config = str(config or default_config())
    session = _new_session_dir(run_dir)
    # The launcher opens market-data's start gate once its own tap hears every component, so
    # the summary sees every message from the first bar on.
    env_overrides = {"ZTRADE__engine__run_dir": str(session),
                     "ZTRADE__market_data__start_gate": "true"}
    if threads:
        env_overrides["ZTRADE__engine__deployment"] = "threads"
    env_overrides.update(overrides or {})
    try:
        cfg = _core.engine_config(config, env_overrides)
    except ValueError as exc:
        raise EngineError(str(exc)) from None
    if cfg["venue"] == "replay" and not cfg["replay_file"]:
        env_overrides["ZTRADE__market_data__replay__file"] = str(sample_path())
        cfg = _core.engine_config(config, env_overrides)
    _prepare_session_dir(session)
    _check_socket_paths(cfg)
    session_lock = _lock_session(session)  # before anything in it is touched
    tap = Tap()
    try:
        resuming = _check_resume(Path(cfg["journal"]), resume)
        if resume and not resuming:
            progress(f"--resume: {session} has no earlier session to resume; starting a new one")
        env = dict(os.environ)
        env.update(env_overrides)
        if not env.get(cfg["control_token_env"]):
            # A per-session kill-switch token; never printed (ztrade control reads it from here).
            env[cfg["control_token_env"]] = secrets.token_hex(16)
            token_file = session / "control.token"
            token_file.touch(mode=0o600)
            token_file.write_text(env[cfg["control_token_env"]])

        ctx = zmq.Context.instance()
        tap_sock = ctx.socket(zmq.SUB)
        tap_sock.setsockopt(zmq.RCVHWM, 0)  # the tap must not drop: it counts
        for topic in TAP_TOPICS:
            tap_sock.setsockopt(zmq.SUBSCRIBE, topic)
        apply_curve(tap_sock, cfg["curve"])
        for name in ("market_data", "signals", "risk", "execution"):
            tap_sock.connect(cfg["endpoints"][name])

        deployment = cfg["deployment"]
        programs = ["engine"] if deployment == "threads" else list(PROCESSES)
        procs: Dict[str, subprocess.Popen] = {}
        logs: Dict[str, Path] = {}
        tap.spool_to(session / "tap.spool")
        metrics: Dict[str, Dict[str, float]] = {}
        restored: Optional[dict] = None
        interrupted: Optional[str] = None
        failed: Optional[str] = None
        forced = False
        started = time.monotonic()
        try:
            for name in programs:
                exe = find_binary(f"ztrade-{name}")
                logs[name] = session / f"{name}.log"
                with open(logs[name], "ab") as log_file:  # the child keeps its own descriptor
                    procs[name] = subprocess.Popen([exe, "--config", config], env=env,
                                                   stdin=subprocess.DEVNULL,
                                                   stdout=subprocess.DEVNULL, stderr=log_file,
                                                   preexec_fn=_child_setup(os.getpid()))
            progress(f"session {session} ({deployment}"
                     f"{', RESUMING an earlier session' if resuming else ''}); "
                     "waiting for the engine to be ready...")
            ready_at = None
            done_at = None
            last_msg = time.monotonic()
            last_report = 0.0
            poller = zmq.Poller()
            poller.register(tap_sock, zmq.POLLIN)
            while True:
                if stop is not None and stop.event.is_set():
                    interrupted = stop.reason or "stop requested"
                    progress(f"{interrupted}: stopping the engine (again to stop at once)...")
                    break
                now = time.monotonic()
                if now - started > timeout_s:
                    raise EngineError(f"session did not finish within {timeout_s:.0f} s "
                                      "(--timeout sets the limit)")
                died = next((n for n, p in procs.items() if p.poll() is not None), None)
                if died is not None and ready_at is None:  # could not start: nothing ran
                    raise EngineError(f"ztrade-{died} exited with code "
                                      f"{procs[died].returncode}:\n{_tail(logs[died])}")
                if died is not None:
                    # Mid-session: stop the rest and account for what ran until then.
                    failed = (f"ztrade-{died} exited with code {procs[died].returncode}; "
                              "the other processes were stopped")
                    progress(f"{failed}\n{_tail(logs[died], 5)}")
                    break
                if poller.poll(100):
                    while True:
                        try:
                            topic, frame = tap_sock.recv_multipart(zmq.NOBLOCK)[:2]
                        except zmq.Again:
                            break
                        except ValueError:
                            tap.decode_errors["malformed_parts"] += 1
                            continue
                        if tap.on_frame(topic, frame):
                            last_msg = time.monotonic()
                s = tap.states
                if ready_at is None and len(s) >= 4 and all(v >= 1 for v in s.values()):
                    ready_at = last_report = time.monotonic()
                    if resuming:
                        restored = _execution_status(cfg["ops_ports"]) or {}
                        progress(_resume_line(restored))
                    _send_go(ctx, cfg["endpoints"]["market_data_control"], cfg["curve"])
                    progress(f"ready after {ready_at - started:.2f} s: "
                             f"{', '.join(sorted(s))}; streaming")
                if s.get("market-data") == 2 and done_at is None:
                    done_at = time.monotonic()
                if ready_at is not None and time.monotonic() - last_report > 1.0:
                    last_report = time.monotonic()
                    n = tap.live_count
                    progress(f"  bars {n('bar')}  signals {n('signal')}  orders {n('new_order')}  "
                             f"risk rejects {n('risk_reject')}  execution reports "
                             f"{n('execution_report')}")
                # Finished: the source is done and the pipeline has been quiet (bar heartbeats).
                if done_at is not None and time.monotonic() - last_msg > 0.3 and \
                        time.monotonic() - done_at > 0.5:
                    break
                if done_at is not None and time.monotonic() - done_at > 30:
                    break
            # The components render their metrics once a second: wait for a snapshot taken after
            # the session's last message before reading their loss counters.
            _wait_unless_forced(1.1)
            metrics = _component_metrics(cfg["ops_ports"])
        except ForcedStop:
            forced = True
            raise
        finally:
            peak_rss = {name: _peak_rss_mb(p.pid) for name, p in procs.items() if p.poll() is None}
            _stop_children(procs, at_once=forced)
            tap_sock.close(0)

        exit_codes = {name: p.returncode for name, p in procs.items()}
        tap.finish()
        c = tap.counts
        md = metrics.get("market-data", {})
        positions = {sym: {"quantity": p["quantity"], "avg_price": p["avg_price"],
                           "realized_pnl": p["realized_pnl"], "unrealized_pnl": p["unrealized_pnl"],
                           "mark_price": p["mark_price"]} for sym, p in sorted(tap.positions.items())}
        summary = {
            "session": str(session),
            "deployment": deployment,
            "interrupted": interrupted,
            "failed": failed,
            "resumed": ({"journal_records": (restored or {}).get("restored_records"),
                         "positions": (restored or {}).get("positions")} if resuming else None),
            "duration_s": round(time.monotonic() - started, 3),
            "bars": c["bar"], "features": c["features"],
            # From market-data's metrics (None with its ops endpoint off): the tap skips them.
            "trades": int(md["ztrade_trades_published_total"]) if md else None,
            "quotes": int(md["ztrade_quotes_published_total"]) if md else None,
            "stream_s": md.get("ztrade_stream_seconds"),
            "signals": c["signal"], "orders": c["new_order"], "rejects": dict(tap.rejects),
            "accepted": c["report_accepted"], "fills": c["report_fill"],
            # Orders neither filled nor canceled when the session ended (from execution's
            # metrics; None with its ops endpoint off).
            "open_orders": (int(metrics["execution"].get("ztrade_open_orders", 0))
                            if "execution" in metrics else None),
            "partial_fills": c["report_partial_fill"], "exec_rejects": c["report_rejected"],
            "positions": positions,
            "realized_pnl": sum(p["realized_pnl"] for p in positions.values()),
            "unrealized_pnl": sum(p["unrealized_pnl"] for p in positions.values()),
            "latency": {hop: _percentiles(v) for hop, v in tap.hops().items()},
            "bus_gaps_seen_by_tap": tap.gaps,
            "bus_losses": _bus_losses(metrics),
            "decode_errors": dict(tap.decode_errors),
            "exit_codes": exit_codes,
            "peak_rss_mb": {k: round(v, 1) for k, v in peak_rss.items() if v is not None},
        }
        (session / "summary.json").write_text(json.dumps(summary, indent=2))
        return summary
    finally:
        if tap.spool is not None:
            tap.spool.close()
        session_lock.close()


def _wait_unless_forced(seconds: float) -> None:
    """time.sleep, in slices, so that a second Ctrl-C (ForcedStop) lands at once."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(min(0.05, max(0.0, end - time.monotonic())))


def _resume_line(status: dict) -> str:
    if not status:
        return ("RESUMING an earlier session from its journal (execution's ops endpoint is off, "
                "so what was restored is not shown)")
    held = ", ".join(f"{sym} {p['quantity']:g} @ {p['avg_price']:.4f}"
                     for sym, p in sorted(status.get("positions", {}).items())) or "flat"
    return (f"RESUMING an earlier session: restored {status.get('restored_records')} journal "
            f"records, {status.get('open_orders')} open orders; positions: {held}")


def _count(n: Optional[int]) -> str:
    return "n/a (market-data ops endpoint off)" if n is None else str(n)


def format_summary(s: dict) -> str:
    lines = [""]
    if s.get("interrupted"):
        lines.append(f"INTERRUPTED ({s['interrupted']}): the summary covers what ran until then")
    if s.get("failed"):
        lines.append(f"FAILED: {s['failed']}; the summary covers what ran until then")
    if s.get("resumed"):
        r = s["resumed"]
        lines.append(f"RESUMED an earlier session: {r.get('journal_records')} journal records "
                     "restored; positions include its fills")
    lines += [
        f"Session summary ({s['deployment']}, {s['duration_s']:.2f} s) - {s['session']}",
        f"  market data   bars {s['bars']}, trades {_count(s['trades'])}, quotes {_count(s['quotes'])}",
        f"  signals       {s['signals']} (features published: {s['features']})",
        f"  orders        {s['orders']} sent, {s['accepted']} accepted, "
        f"{s['exec_rejects']} rejected by execution",
        f"  risk rejects  {sum(s['rejects'].values())}"
        + ("".join(f"\n                  {k}: {v}" for k, v in sorted(s['rejects'].items()))),
        f"  fills         {s['fills']} complete, {s['partial_fills']} partial"
        + (f"; {s['open_orders']} order(s) still open at the end (unfilled limit orders, or "
           "decided on the last bar)" if s.get("open_orders") else ""),
        "  positions",
    ]
    if not s["positions"]:
        lines.append("                  (flat)")
    for sym, p in s["positions"].items():
        lines.append(f"                  {sym:<10} qty {p['quantity']:>10.2f}  avg {p['avg_price']:>10.4f}"
                     f"  mark {p['mark_price']:>10.4f}  realized {p['realized_pnl']:>10.2f}"
                     f"  unrealized {p['unrealized_pnl']:>10.2f}")
    lines.append(f"  P&L           realized {s['realized_pnl']:.2f}, unrealized "
                 f"{s['unrealized_pnl']:.2f}, total {s['realized_pnl'] + s['unrealized_pnl']:.2f}")
    lines.append("  latency (us)  hop                                      count      p50      p99    p99.9      max")
    for hop, p in s["latency"].items():
        if p:
            lines.append(f"                {hop:<38} {p['count']:>7} {p['p50_us']:>8.1f} {p['p99_us']:>8.1f}"
                         f" {p['p999_us']:>8.1f} {p['max_us']:>8.1f}")
    lines.append(f"  bus           gaps seen by the tap: {s['bus_gaps_seen_by_tap']}, undecodable "
                 f"frames: {sum(s['decode_errors'].values())}")
    for name, loss in sorted(s.get("bus_losses", {}).items()):
        lines.append(f"                {name:<14} missed {loss['missing']}, dropped {loss['dropped']}, "
                     f"send failures {loss['send_failures']}, reordered {loss['reordered']}, "
                     f"publisher restarts {loss['restarts']}")
    if s.get("peak_rss_mb"):
        lines.append("  peak RSS      " + ", ".join(f"{k} {v:.1f} MB" for k, v in s["peak_rss_mb"].items()))
    bad = {k: v for k, v in s["exit_codes"].items() if v != 0}
    if bad:
        lines.append(f"  WARNING: non-zero exit codes: {bad}")
    return "\n".join(lines)
