"""A running engine with the gateway enabled, for the gateway's tests and the browser test:
a synthetic feed of several symbols with short bars, so bars, features, signals, orders, fills
and scanner results flow within seconds. Stopped (gracefully) when the test is done."""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from engine_helpers import free_port, wait_until
from ztrade.launcher import run_engine
from ztrade.supervisor import StopRequest

TOKEN = "gateway-test-token"
OPERATOR = "gateway-operator-token"
SYMBOLS = ("AAA", "BBB", "CCC", "DDD")


@dataclass
class GatewaySession:
    port: int
    ops_port: int
    thread: threading.Thread
    stop: StopRequest
    result: dict = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str, token: str | None = TOKEN) -> tuple[int, dict | list]:
        req = urllib.request.Request(self.base + path)
        if token is not None:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    def post(self, path: str, body: bytes, token: str) -> tuple[int, dict]:
        req = urllib.request.Request(self.base + path, data=body, method="POST",
                                     headers={"Authorization": f"Bearer {token}",
                                              "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    def finish(self) -> dict:
        self.stop.request("test done")
        self.thread.join(timeout=60)
        assert not self.thread.is_alive(), "the engine did not stop"
        if "error" in self.result:
            raise self.result["error"]
        return self.result["summary"]


def start(tmp_path, monkeypatch, ready_check=None, **extra: str) -> GatewaySession:
    """The session, once the gateway serves every symbol (or once `ready_check()` is true)."""
    monkeypatch.setenv("ZTRADE_GATEWAY_TOKEN", TOKEN)
    monkeypatch.setenv("ZTRADE_GATEWAY_OPERATOR_TOKEN", OPERATOR)
    port, ops_port = int(extra.get("ZTRADE__gateway__port", free_port())), free_port()
    overrides = {
        "ZTRADE__gateway__enabled": "true",
        "ZTRADE__gateway__port": str(port),
        "ZTRADE__gateway__ops_port": str(ops_port),
        "ZTRADE__market_data__venue": "synthetic",
        "ZTRADE__market_data__synthetic__symbols": json.dumps(list(SYMBOLS)),
        "ZTRADE__market_data__synthetic__rate_per_s": "4000",
        "ZTRADE__market_data__synthetic__duration_s": "0",
        "ZTRADE__market_data__synthetic__spread_bps": "5",
        "ZTRADE__market_data__synthetic__volatility": "0.002",
        "ZTRADE__market_data__bar_interval_s": "0.05",
        "ZTRADE__gateway__scanner__window_bars": "5",
        "ZTRADE__gateway__scanner__breakout_bars": "5",
        "ZTRADE__gateway__scanner__volume_mean_bars": "5",
        "ZTRADE__gateway__scanner__unusual_volume_ratio": "1.2",
        **extra,
    }
    stop = StopRequest()
    session = GatewaySession(port, ops_port, threading.Thread(daemon=True), stop)

    def target() -> None:
        try:
            session.result["summary"] = run_engine(
                run_dir=str(tmp_path / "run"), overrides=overrides, progress=lambda *a: None,
                timeout_s=300, stop=stop)
        except Exception as exc:  # surfaced by finish()
            session.result["error"] = exc

    session.thread = threading.Thread(target=target, daemon=True)
    session.thread.start()

    def symbols_seen() -> bool:
        if "error" in session.result:
            raise session.result["error"]
        try:
            status, body = session.get("/v1/symbols")
        except OSError:
            return False
        return status == 200 and len(body) == len(SYMBOLS)

    def checked() -> bool:
        if "error" in session.result:
            raise session.result["error"]
        return ready_check()

    wait_until(checked if ready_check else symbols_seen, timeout=60,
               what="the gateway serving every symbol")
    return session
