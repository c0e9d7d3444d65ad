"""The external strategies of a session started with ``ztrade run --strategy FILE.py``: what
they change in the engine's settings, their processes (``ztrade strategy run``, one each,
children of the launcher), and the session manifest ``ztrade compare`` reads back.

Declared strategies make the session wait for them: signal-bridge reports ready only once each
has connected, so the replay starts when they are ready, and the replay then runs in lockstep
with them (market_data.lockstep). The built-in macd_rsi does not trade beside them unless the
config names it (signal_bridge.strategies).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomllib

from ztrade.errors import EngineError
from ztrade.supervisor import start

MANIFEST = "session.json"
RECORDING = "session.rec"


@dataclass
class DeclaredStrategy:
    file: str  # absolute
    params: dict[str, Any] = field(default_factory=dict)
    name: str = ""
    class_name: str = ""


def declare(files: list[str], params: dict[str, Any]) -> list[DeclaredStrategy]:
    """Loads each file's Strategy (as ``ztrade strategy run`` will) to learn its name; a file
    that cannot be used is an EngineError now, before the engine starts."""
    from ztrade.strategy import StrategyLoadError, load_strategy
    out = []
    for f in files:
        try:
            s = load_strategy(f, params)
        except StrategyLoadError as exc:
            raise EngineError(str(exc)) from None
        out.append(DeclaredStrategy(str(Path(f).resolve()), dict(params), s.name,
                                    type(s).__name__))
    names = [d.name for d in out]
    if len(set(names)) != len(names):
        raise EngineError(f"--strategy: two strategies share a name ({', '.join(names)}): each "
                          "needs its own `name`")
    return out


def overrides(declared: list[DeclaredStrategy], config: str,
              given: dict[str, str]) -> dict[str, str]:
    """The settings a session with these strategies runs under: they are declared (readiness,
    lockstep); the built-in macd_rsi is off unless the config or an override names its list;
    market data is recorded (for ``ztrade compare``) unless a recording is configured."""
    out = {"ZTRADE__strategy__names": "[" + ", ".join(json.dumps(d.name) for d in declared)
           + "]"}
    try:
        text = tomllib.loads(Path(config).read_text())
    except (OSError, tomllib.TOMLDecodeError):
        text = {}  # the engine's reader reports what is wrong with the file
    key = "ZTRADE__signal_bridge__strategies"
    from ztrade.launcher import default_config
    packaged = Path(config).resolve() == default_config().resolve()  # it lists every default
    explicit = (not packaged and "strategies" in text.get("signal_bridge", {})) or \
        key in given or key in os.environ
    if not explicit:
        out[key] = "[]"
    record_key = "ZTRADE__market_data__record_file"
    if not text.get("market_data", {}).get("record_file") and record_key not in given and \
            record_key not in os.environ:
        out[record_key] = json.dumps(RECORDING)
    return out


def start_all(declared: list[DeclaredStrategy], config: str, session: Path,
              env: dict[str, str]) -> dict[str, subprocess.Popen]:
    """One ``ztrade strategy run`` per strategy, logging to strategy-<name>.log."""
    procs = {}
    for d in declared:
        args = [sys.executable, "-m", "ztrade", "strategy", "run", d.file, "--config", config,
                "--run-dir", str(session), "--wait",
                "--stats-file", str(session / f"strategy-{d.name}.json")]
        for k, v in d.params.items():
            args += ["--param", f"{k}={v!r}"]
        procs[d.name] = start(f"strategy {d.name}", args, env, log_path(session, d.name))
    return procs


def log_path(session: Path, name: str) -> Path:
    return session / f"strategy-{name}.log"


def check_started(procs: dict[str, subprocess.Popen], session: Path) -> None:
    """An EngineError naming a strategy that exited before the session started."""
    from ztrade.supervisor import log_tail
    for name, p in procs.items():
        if p.poll() is not None:
            raise EngineError(f"strategy {name} exited with code {p.returncode} before the "
                              f"session started:\n{log_tail(log_path(session, name), 10)}")


def finish(procs: dict[str, subprocess.Popen], session: Path, wait_s: float = 10.0) -> dict:
    """Waits for each strategy to end with the session (then stops it); returns its results:
    exit code and the counters it wrote."""
    import time
    deadline = time.monotonic() + wait_s
    out: dict[str, dict] = {}
    for name, p in procs.items():
        try:
            p.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        stats_file = session / f"strategy-{name}.json"
        try:
            stats = json.loads(stats_file.read_text())
        except (OSError, ValueError):
            stats = {}
        out[name] = {"exit_code": p.returncode, **stats}
    return out


def write_manifest(session: Path, config: str, env_overrides: dict[str, str],
                   declared: list[DeclaredStrategy]) -> None:
    """What ``ztrade compare`` needs to run the session again as a backtest: the config, the
    settings changed for it (ZTRADE__ overrides - never secrets, which come from the
    environment under other names) and the strategies."""
    settings = {k: v for k, v in os.environ.items() if k.startswith("ZTRADE__")}
    settings.update(env_overrides)
    manifest = {"config": str(Path(config).resolve()), "overrides": settings,
                "strategies": [{"file": d.file, "params": {k: repr(v) for k, v in d.params.items()},
                                "name": d.name, "class": d.class_name} for d in declared]}
    (session / MANIFEST).write_text(json.dumps(manifest, indent=2))
