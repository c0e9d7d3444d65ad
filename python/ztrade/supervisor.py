"""Starting and stopping the engine's processes: finding the executables, the child set-up that
ties them to the launcher, graceful and forced stops."""
from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ztrade.errors import EngineError


def find_binary(name: str) -> str:
    """An engine executable: $ZTRADE_BIN_DIR; the portable wheel's own copy (``ztrade.scripts``
    beside the package, where auditwheel puts it - the one in the venv's bin is a Python shim
    that execs it); next to this Python (a venv's bin); or PATH."""
    candidates = []
    if os.environ.get("ZTRADE_BIN_DIR"):
        candidates.append(Path(os.environ["ZTRADE_BIN_DIR"]) / name)
    candidates.append(Path(__file__).resolve().parent.parent / "ztrade.scripts" / name)
    candidates.append(Path(sys.executable).parent / name)
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return str(c)
    found = shutil.which(name)
    if not found:
        raise EngineError(f"cannot find the engine executable {name!r}: install ztrade with pip, "
                          "or set ZTRADE_BIN_DIR to the directory holding it")
    return found


class ForcedStop(BaseException):
    """A second interrupt: stop at once (raised from the signal handler; BaseException so that
    nothing on the way catches it as an error)."""


class StopRequest:
    """Asks a running session to stop. ``ztrade run`` wires SIGINT and SIGTERM to it: the first
    stops the engine gracefully (journals flushed, a summary of what ran so far printed and
    written), the second stops it at once."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.reason: str | None = None

    def request(self, reason: str) -> None:
        if self.event.is_set():
            raise ForcedStop(reason)
        self.reason = reason
        self.event.set()

    def install(self) -> None:
        """Routes SIGINT and SIGTERM here (main thread only)."""
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda signum, _frame: self.request(signal.Signals(signum).name))


def child_setup(launcher_pid: int) -> Callable[[], None]:
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


def start(name: str, args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Starts one engine process, its stderr appended to ``log``."""
    with open(log, "ab") as log_file:  # the child keeps its own descriptor
        return subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=log_file,
                                preexec_fn=child_setup(os.getpid()))


def stop_all(procs: dict[str, subprocess.Popen], at_once: bool) -> None:
    """SIGTERM (or SIGKILL when ``at_once``) to every live process, then waits up to 10 s for
    them before killing what remains."""
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


def peak_rss_mb(pid: int) -> float | None:
    """Peak resident set size (VmHWM) of a live process, in MB; None where /proc lacks it."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except (OSError, ValueError, IndexError):
        pass
    return None


def log_tail(path: Path, lines: int = 15) -> str:
    try:
        return "".join(path.read_text(errors="replace").splitlines(True)[-lines:])
    except OSError:
        return ""


def wait_unless_forced(seconds: float) -> None:
    """time.sleep, in slices, so that a second Ctrl-C (ForcedStop) lands at once."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(min(0.05, max(0.0, end - time.monotonic())))
