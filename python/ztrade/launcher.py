"""Run the engine: start the four processes (or the threads deployment), wait until they are
ready, follow the bus while the session runs, stop when the market data ends, and summarise.

Used by ``ztrade run``; importable for tests and notebooks (``run_engine(...)`` returns the
summary as a dict). The parts: ``supervisor`` (processes), ``session_dir`` (the run directory),
``tap`` (the bus), ``metrics`` (ops endpoints), ``summary`` (what is printed).
"""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import zmq

from ztrade import _core, session_dir, session_strategies, wire
from ztrade.bus import apply_curve
from ztrade.data import sample_path
from ztrade.errors import EngineError
from ztrade.metrics import bus_losses, component_metrics, execution_status, health
from ztrade.summary import format_summary, print_summary, resume_line
from ztrade.supervisor import (
    ForcedStop,
    StopRequest,
    find_binary,
    log_tail,
    peak_rss_mb,
    start,
    stop_all,
    wait_unless_forced,
)
from ztrade.tap import TAP_TOPICS, Tap, percentiles

__all__ = ["PROCESSES", "EngineError", "ForcedStop", "StopRequest", "default_config",
           "find_binary", "format_summary", "print_summary", "run_engine"]

PROCESSES = ("execution", "risk", "signal-bridge", "market-data")
# How long after market data ends the session waits for execution to settle its orders with
# the broker (its own limit, e.g. execution.alpaca.settle_timeout_s, normally ends it first).
SETTLE_LIMIT_S = 120.0
# The gateway only observes: when it dies mid-session it is restarted (after 0.5 s, then 1, 2,
# 4 ... up to GATEWAY_BACKOFF_MAX_S) while trading goes on, at most GATEWAY_MAX_RESTARTS times.
GATEWAY_MAX_RESTARTS = 10
GATEWAY_BACKOFF_MAX_S = 10.0


class _GatewayKeeper:
    """Restarts a dead ztrade-gateway with bounded backoff; counts and says each death."""

    def __init__(self, restart: Callable[[], subprocess.Popen], log: Path,
                 progress: Callable[[str], None]):
        self.restart, self.log, self.progress = restart, log, progress
        self.restarts = 0
        self.deaths: list[int] = []  # exit codes
        self._due: float | None = None

    def check(self, proc: subprocess.Popen) -> subprocess.Popen | None:
        """The process to keep (a new one once restarted); None when out of restarts."""
        if proc.poll() is None:
            return proc
        now = time.monotonic()
        if self._due is None:
            self.deaths.append(proc.returncode)
            if self.restarts >= GATEWAY_MAX_RESTARTS:
                self.progress(f"ztrade-gateway exited with code {proc.returncode} for the "
                              f"{len(self.deaths)}th time; not restarted again (trading goes on)")
                self._due = float("inf")
                return proc
            delay = min(0.5 * 2 ** self.restarts, GATEWAY_BACKOFF_MAX_S)
            self._due = now + delay
            self.progress(f"ztrade-gateway exited with code {proc.returncode}; trading goes on, "
                          f"restarting it in {delay:.1f} s\n{log_tail(self.log, 5)}")
        if now < self._due:
            return proc
        self._due = None
        self.restarts += 1
        return self.restart()


def default_config() -> Path:
    return Path(__file__).resolve().parent / "data" / "ztrade.toml"


def _send_go(ctx: zmq.Context, endpoint: str, curve: dict | None) -> None:
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


def run_engine(config: str | None = None, run_dir: str | None = None,
               threads: bool = False, overrides: dict[str, str] | None = None,
               timeout_s: float = 600.0, progress: Callable[[str], None] = print, *,
               resume: bool = False,
               stop: StopRequest | None = None,
               deployment: str | None = None,
               strategies: list[str] | None = None,
               strategy_params: dict | None = None) -> dict:
    """Start the engine, follow the session to its end, stop it, and return the summary.

    ``deployment`` ("processes", "threads" or "inline") overrides engine.deployment;
    ``threads=True`` is ``deployment="threads"``.

    ``strategies``: Strategy files run with the session (``ztrade strategy run``, one process
    each, with ``strategy_params`` as constructor arguments): the replay starts when they are
    ready and runs in lockstep with them; the built-in macd_rsi is off unless configured.

    A run directory that holds an earlier session's journal is refused unless ``resume``.
    ``stop`` (a StopRequest) ends the session early: the summary then covers what ran and
    says why it stopped (``summary["interrupted"]``).

    Raises:
        EngineError: bad config, a missing executable, a process that died, or the timeout.
        ForcedStop: a second stop request; every engine process was killed.
    """
    config = str(config or default_config())
    session = session_dir.choose(run_dir)
    # The launcher opens market-data's start gate once its own tap hears every component, so
    # the summary sees every message from the first bar on.
    env_overrides = {"ZTRADE__engine__run_dir": str(session),
                     "ZTRADE__market_data__start_gate": "true"}
    if threads or deployment:
        env_overrides["ZTRADE__engine__deployment"] = deployment or "threads"
    declared = session_strategies.declare(strategies or [], strategy_params or {})
    if declared:
        env_overrides.update(session_strategies.overrides(declared, config, overrides or {}))
    env_overrides.update(overrides or {})
    try:
        cfg = _core.engine_config(config, env_overrides)
    except ValueError as exc:
        raise EngineError(str(exc)) from None
    if cfg["venue"] == "replay" and not cfg["replay_file"]:
        env_overrides["ZTRADE__market_data__replay__file"] = str(sample_path())
        cfg = _core.engine_config(config, env_overrides)
    session_dir.prepare(session)
    session_dir.check_socket_paths(cfg)
    session_lock = session_dir.lock(session)  # before anything in it is touched
    session_strategies.write_manifest(session, config, env_overrides, declared)
    tap = Tap()
    try:
        resuming = session_dir.check_resume(Path(cfg["journal"]), resume)
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

        ctx: zmq.Context = zmq.Context.instance()
        tap_sock = ctx.socket(zmq.SUB)
        tap_sock.setsockopt(zmq.RCVHWM, 0)  # the tap must not drop: it counts
        for topic in TAP_TOPICS:
            tap_sock.setsockopt(zmq.SUBSCRIBE, topic)
        apply_curve(tap_sock, cfg["curve"])
        gateway = cfg["gateway"]
        for name in ("market_data", "signals", "risk", "execution") + \
                (("gateway",) if gateway["enabled"] else ()):
            tap_sock.connect(cfg["endpoints"][name])
        if gateway["enabled"]:
            for key, file in (("token_env", "gateway.token"),
                              ("operator_token_env", "gateway-operator.token")):
                if not env.get(gateway[key]):
                    # Per-session gateway tokens, like the kill switch's: in files, never printed.
                    env[gateway[key]] = secrets.token_hex(16)
                    (session / file).touch(mode=0o600)
                    (session / file).write_text(env[gateway[key]])
            scheme = "https" if gateway["tls"] else "http"
            token_file = session / "gateway.token"
            where = f" or {token_file}" if token_file.exists() else ""
            progress(f"gateway: {scheme}://{gateway['bind']}:{gateway['port']}/ (dashboard, REST "
                     f"/v1, stream /v1/stream); token: ${gateway['token_env']}{where}")
        expected = len(PROCESSES) + (1 if gateway["enabled"] else 0)

        deployment = cfg["deployment"]
        programs = ["engine"] if deployment in ("threads", "inline") else list(PROCESSES)
        if gateway["enabled"] and deployment not in ("threads", "inline"):
            programs.append("gateway")
        procs: dict[str, subprocess.Popen] = {}
        strategy_procs: dict[str, subprocess.Popen] = {}
        strategy_results: dict = {}
        strategy_exits_said: set[str] = set()
        keeper: _GatewayKeeper | None = None
        logs: dict[str, Path] = {}
        tap.spool_to(session / "tap.spool")
        metrics: dict[str, dict[str, float]] = {}
        final_status: dict = {}
        restored: dict | None = None
        interrupted: str | None = None
        failed: str | None = None
        forced = False
        started = time.monotonic()
        try:
            for name in programs:
                exe = find_binary(f"ztrade-{name}")
                logs[name] = session / f"{name}.log"
                procs[name] = start(name, [exe, "--config", config], env, logs[name])
            strategy_procs = session_strategies.start_all(declared, config, session, env)
            keeper = (_GatewayKeeper(lambda: start("gateway", [find_binary("ztrade-gateway"),
                                                              "--config", config], env,
                                                    logs["gateway"]), logs["gateway"], progress)
                      if "gateway" in procs else None)
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
                if keeper is not None and ready_at is not None:
                    procs["gateway"] = keeper.check(procs["gateway"]) or procs["gateway"]
                died = next((n for n, p in procs.items() if p.poll() is not None and
                             not (n == "gateway" and keeper is not None and
                                  ready_at is not None)), None)
                if ready_at is None:
                    session_strategies.check_started(strategy_procs, session)
                else:
                    for name, p in strategy_procs.items():
                        if p.poll() not in (None, 0) and name not in strategy_exits_said:
                            strategy_exits_said.add(name)
                            progress(f"strategy {name} exited with code {p.returncode} "
                                     f"(strategy.on_error); see "
                                     f"{session_strategies.log_path(session, name)}")
                if died is not None and ready_at is None:  # could not start: nothing ran
                    raise EngineError(f"ztrade-{died} exited with code "
                                      f"{procs[died].returncode}:\n{log_tail(logs[died])}")
                if died is not None:
                    # Mid-session: stop the rest and account for what ran until then.
                    failed = (f"ztrade-{died} exited with code {procs[died].returncode}; "
                              "the other processes were stopped")
                    progress(f"{failed}\n{log_tail(logs[died], 5)}")
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
                if ready_at is None and len(s) >= expected and \
                        all(v >= wire.ComponentState.READY for v in s.values()):
                    ready_at = last_report = time.monotonic()
                    if resuming:
                        restored = execution_status(cfg["ops_ports"]) or {}
                        progress(resume_line(restored))
                    _send_go(ctx, cfg["endpoints"]["market_data_control"], cfg["curve"])
                    progress(f"ready after {ready_at - started:.2f} s: "
                             f"{', '.join(sorted(s))}; streaming")
                if s.get("market-data") == wire.ComponentState.DONE and done_at is None:
                    done_at = time.monotonic()
                # Execution is done once its broker has settled the session's orders (at once
                # for the simulator; a real broker's fills take their time).
                settled = s.get("execution") == wire.ComponentState.DONE
                if ready_at is not None and time.monotonic() - last_report > 1.0:
                    last_report = time.monotonic()
                    n = tap.live_count
                    progress(f"  bars {n('bar')}  signals {n('signal')}  orders {n('new_order')}  "
                             f"risk rejects {n('risk_reject')}  execution reports "
                             f"{n('execution_report')}")
                # Finished: the source is done, execution has settled and the pipeline has been
                # quiet (bar heartbeats).
                if done_at is not None and settled and time.monotonic() - last_msg > 0.3 and \
                        time.monotonic() - done_at > 0.5:
                    break
                if done_at is not None and time.monotonic() - done_at > SETTLE_LIMIT_S:
                    progress(f"execution did not settle within {SETTLE_LIMIT_S:.0f} s of the end "
                             "of market data; stopping")
                    break
            # The components render their metrics once a second: wait for a snapshot taken after
            # the session's last message before reading their loss counters.
            wait_unless_forced(1.1)
            metrics = component_metrics(cfg["ops_ports"])
            final_status = execution_status(cfg["ops_ports"]) or {}
        except ForcedStop:
            forced = True
            raise
        finally:
            peak_rss = {name: peak_rss_mb(p.pid) for name, p in procs.items() if p.poll() is None}
            # The strategies end with the session (they see market data end); stopped otherwise.
            strategy_results = session_strategies.finish(
                strategy_procs, session, 0.0 if (forced or interrupted or failed) else 10.0)
            stop_all(procs, at_once=forced)
            tap_sock.close(0)

        exit_codes = {name: p.returncode for name, p in procs.items()}
        tap.finish()
        c = tap.counts
        md = metrics.get("market-data", {})
        positions = {sym: {"quantity": p["quantity"], "avg_price": p["avg_price"],
                           "realized_pnl": p["realized_pnl"], "unrealized_pnl": p["unrealized_pnl"],
                           "mark_price": p["mark_price"]}
                     for sym, p in sorted(tap.positions.items())}
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
            # Why execution or the broker refused orders (wire.ExecReject names).
            "exec_reject_reasons": dict(tap.exec_rejects),
            # ... as risk counted them (None with its ops endpoint off).
            "exec_rejects_seen_by_risk": (int(metrics["risk"].get("ztrade_exec_rejects_total", 0))
                                          if "risk" in metrics else None),
            # The broker's own view at the end (a real broker: its positions, whether it
            # found state the journal could not explain); None for the simulator.
            "broker": final_status.get("broker"),
            "positions": positions,
            "realized_pnl": sum(p["realized_pnl"] for p in positions.values()),
            "unrealized_pnl": sum(p["unrealized_pnl"] for p in positions.values()),
            "latency": {hop: percentiles(v) for hop, v in tap.hops().items()},
            "bus_gaps_seen_by_tap": tap.gaps,
            "bus_losses": bus_losses(metrics),
            # Counters that are zero in a healthy session (metrics.HEALTH_METRICS).
            "health": health(metrics),
            "decode_errors": dict(tap.decode_errors),
            "exit_codes": exit_codes,
            # The gateway's deaths mid-session (exit codes) and restarts (processes
            # deployment); trading went on through them.
            "gateway_restarts": keeper.restarts if keeper else 0,
            "gateway_deaths": keeper.deaths if keeper else [],
            "peak_rss_mb": {k: round(v, 1) for k, v in peak_rss.items() if v is not None},
            # The external strategies (ztrade run --strategy): exit code and counters each.
            "strategies": strategy_results,
            # market-data's lockstep with them (batches, and timeouts that broke it).
            "lockstep": ({"batches": int(md.get("ztrade_lockstep_batches_total", 0)),
                          "timeouts": int(md.get("ztrade_lockstep_timeouts_total", 0)),
                          "wait_s": round(md.get("ztrade_lockstep_wait_seconds_total", 0.0), 3)}
                         if cfg["lockstep"] and md else None),
        }
        (session / "summary.json").write_text(json.dumps(summary, indent=2))
        return summary
    finally:
        tap.close()
        session_lock.close()
