"""What the engine tests share: waiting on a condition (never on a fixed sleep) and reading a
component's /metrics and /ready."""
from __future__ import annotations

import os
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from typing import Callable, TypeVar

T = TypeVar("T")


def wait_until(condition: Callable[[], T], timeout: float = 30.0, what: str = "condition") -> T:
    """The first truthy value of condition(), polled every 20 ms; AssertionError on timeout."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def metrics(port: int) -> dict[str, float]:
    """name{labels} -> value from a component's /metrics (empty if it does not answer)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as r:
            text = r.read().decode()
    except (urllib.error.URLError, OSError):
        return {}
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            out[key] = float(value)
    return out


# The ops ports of the components, as conftest.py's isolation fixture gives each test its own
# (ZTRADE__<section>__ops_port in the environment); the configured defaults otherwise.
OPS_SECTIONS = {"market-data": "market_data", "signal-bridge": "signal_bridge", "risk": "risk",
                "execution": "execution", "gateway": "gateway"}
DEFAULT_OPS_PORTS = {"market-data": 9101, "signal-bridge": 9102, "risk": 9103, "execution": 9104,
                     "gateway": 9105}


def ops_port(component: str) -> int:
    """The ops port `component` listens on in this test (e.g. ops_port("execution"))."""
    value = os.environ.get(f"ZTRADE__{OPS_SECTIONS[component]}__ops_port")
    return int(value) if value else DEFAULT_OPS_PORTS[component]


def engine_ops_ports() -> tuple[int, ...]:
    """The four engine components' ops ports (gateway excluded)."""
    return tuple(ops_port(c) for c in ("market-data", "signal-bridge", "risk", "execution"))


def gateway_port() -> int:
    return int(os.environ.get("ZTRADE__gateway__port", "9200"))  # noqa: SIM112 - the engine's name


def all_ready(ports: Iterable[int] | None = None) -> bool:
    """Every component's /ready answers 200 (by default the four engine components')."""
    for port in engine_ops_ports() if ports is None else ports:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=1) as r:
                if r.status != 200:
                    return False
        except (urllib.error.URLError, OSError):
            return False
    return True
