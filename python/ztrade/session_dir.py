"""The run directory of a session: chosen, created private, locked against a second launcher,
checked for ipc path length and for an earlier session's journal."""
from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from typing import IO

from ztrade.errors import EngineError

MAX_IPC_PATH = 107  # sockaddr_un.sun_path, less the terminating NUL


def choose(run_dir: str | None) -> Path:
    """``run_dir`` resolved, or a new ``run/session-<date>-<time>[-n]``."""
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


def prepare(session: Path) -> None:
    """Creates the directory (mode 0700) or checks an existing one is a writable directory."""
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


def lock(session: Path) -> IO[str]:
    """An exclusive lock on <session>/session.lock for as long as the returned file is open:
    a second `ztrade run` on the same directory stops here, before it could re-bind the
    running session's sockets or replace its control token."""
    f = open(session / "session.lock", "a+")  # noqa: SIM115 - held open: the lock's lifetime
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


def check_socket_paths(cfg: dict) -> None:
    too_long = [e for e in cfg["endpoints"].values()
                if e.startswith("ipc://") and len(e[len("ipc://"):].encode()) > MAX_IPC_PATH]
    if too_long:
        raise EngineError(f"the run directory {cfg['run_dir']} is too long for ipc sockets "
                          f"({too_long[0]} has more than {MAX_IPC_PATH} bytes): choose a "
                          "shorter --run-dir")


def check_resume(journal: Path, resume: bool) -> bool:
    """True when this run continues an earlier session (its journal has records)."""
    earlier = journal.is_file() and journal.stat().st_size > 0
    if earlier and not resume:
        raise EngineError(
            f"{journal.parent} holds an earlier session (its journal {journal.name} has "
            f"{journal.stat().st_size} bytes of orders and fills): pass --resume to continue it, "
            "or choose another --run-dir")
    return earlier
