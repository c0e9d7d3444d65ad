"""Runs ztrade-market-data on its own (market_data.wait_for_downstream = false) against a test
server, and reads what it publishes on the bus and on /metrics."""
from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from pathlib import Path

import zmq

from engine_helpers import free_port
from ztrade import _core, wire
from ztrade.launcher import default_config, find_binary


class FeedHandler:
    def __init__(self, tmp_path: Path, overrides: dict[str, str], env: dict | None = None,
                 servers=()):
        """servers: test servers to open() once this subscriber is live."""
        self.run_dir = tmp_path / "run"
        self.ops_port = free_port()
        self.overrides = {"ZTRADE__engine__run_dir": str(self.run_dir),
                          "ZTRADE__market_data__venue": "live",
                          "ZTRADE__market_data__wait_for_downstream": "false",
                          "ZTRADE__market_data__ops_port": str(self.ops_port),
                          **overrides}
        cfg = _core.engine_config(str(default_config()), self.overrides)
        self.ctx = zmq.Context.instance()
        self.sub = self.ctx.socket(zmq.SUB)
        self.sub.setsockopt(zmq.SUBSCRIBE, b"")
        self.sub.setsockopt(zmq.RCVHWM, 0)
        self.sub.connect(cfg["endpoints"]["market_data"])
        self.log = self.run_dir / "market-data.log"
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [find_binary("ztrade-market-data"), "--config", str(default_config())],
            env={**os.environ, **(env or {}), **self.overrides}, stdout=subprocess.DEVNULL,
            stderr=open(self.log, "wb"))
        self.seen: list[tuple[str, wire.Message]] = []
        # The first heartbeat proves the subscription is live (no slow-joiner loss after it).
        self.wait_for(lambda: any(m.type == "heartbeat" for _, m in self.seen), 10, "heartbeat")
        for s in servers:
            s.open()

    def poll(self, timeout: float = 0.05) -> None:
        if self.proc.poll() is not None:
            raise AssertionError(f"ztrade-market-data exited with {self.proc.returncode}:\n"
                                 + self.log.read_text(errors="replace")[-3000:])
        while self.sub.poll(int(timeout * 1000)):
            topic, frame = self.sub.recv_multipart()
            self.seen.append((topic.decode(), wire.decode(frame)))
            timeout = 0

    def wait_for(self, predicate, timeout: float = 10, what: str = "condition") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.poll()
            if predicate():
                return
        raise AssertionError(f"timed out waiting for {what}; log:\n"
                             + self.log.read_text(errors="replace")[-3000:])

    def messages(self, kind: str) -> list[tuple[str, dict]]:
        return [(t, m.body) for t, m in self.seen if m.type == kind]

    def metrics(self) -> dict[str, float]:
        """/metrics as {name{labels}: value} (the snapshot is refreshed once a second)."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.ops_port}/metrics", timeout=2) as r:
            text = r.read().decode()
        out = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                out[name] = float(value)
        return out

    def metric(self, name: str, venue: str) -> float:
        key = f'{name}{{component="market-data",venue="{venue}"}}'
        return self.metrics().get(key, float("nan"))

    def wait_for_metric(self, name: str, venue: str, predicate, timeout: float = 10) -> float:
        deadline = time.monotonic() + timeout
        value = float("nan")
        while time.monotonic() < deadline:
            self.poll()
            try:
                value = self.metric(name, venue)
            except OSError:
                value = float("nan")
            if value == value and predicate(value):
                return value
            time.sleep(0.2)
        raise AssertionError(f"{name} for {venue} never satisfied the test: last {value}")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.sub.close(0)
        return self.proc.returncode
