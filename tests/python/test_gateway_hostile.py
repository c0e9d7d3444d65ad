"""The gateway under hostile clients (hostile input, round 3): what one client can cost the
others and the engine. A client that writes and never reads, connections that never
authenticate, a token-less flood, framing and encoding tricks, and the gateway's own death -
none of them stops trading or locks out the clients with a token."""
from __future__ import annotations

import base64
import json
import os
import signal
import socket
import sqlite3
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from engine_helpers import free_port, metrics, wait_until
from gateway_session import OPERATOR, TOKEN, start
from test_gateway import raw

websockets_sync = pytest.importorskip("websockets.sync.client")
from websockets.exceptions import InvalidStatus  # noqa: E402


def _gateway_pid() -> int:
    """The ztrade-gateway process this test started (a descendant of this pytest process)."""
    me = os.getpid()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text.split("(", 1)[1].rsplit(")", 1)[0]
        if name != "ztrade-gateway":
            continue
        pid, ppid = int(stat.parent.name), int(text.rsplit(")", 1)[1].split()[1])
        while ppid > 1:
            if ppid == me:
                return pid
            try:
                ppid = int(Path(f"/proc/{ppid}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                break
    raise AssertionError("no ztrade-gateway of this test")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _ws_frame(payload: bytes) -> bytes:
    """A client's (masked) text frame."""
    mask = os.urandom(4)
    n = len(payload)
    head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else
                            bytes([0x80 | 126]) + n.to_bytes(2, "big"))
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def _ws_open(port: int, token: str | None) -> socket.socket:
    """A WebSocket upgrade by hand (to write without ever reading); returns the socket. Tried
    again while the rate limit (spent by the session's start-up polling) answers 429."""
    return wait_until(lambda: _ws_try(port, token), 10, "a WebSocket upgrade")


def _ws_try(port: int, token: str | None) -> socket.socket | None:
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    key = base64.b64encode(os.urandom(16)).decode()
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    s.sendall((f"GET /v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
               f"Sec-WebSocket-Version: 13\r\n{auth}\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(1)
        assert chunk, "closed during the upgrade"
        head += chunk
    if head.startswith(b"HTTP/1.1 429"):
        s.close()
        return None
    assert head.startswith(b"HTTP/1.1 101"), head
    return s


@pytest.fixture
def gw(tmp_path, monkeypatch):
    session = start(tmp_path, monkeypatch, ZTRADE__gateway__max_connections="16",
                    ZTRADE__gateway__requests_per_s="50")
    yield session
    session.finish()


@pytest.fixture
def fast_gw(tmp_path, monkeypatch):
    """A gateway at normal priority (not SCHED_IDLE, not niced): it reads a flooding client as
    fast as the attacker writes, as on an idle machine."""
    session = start(tmp_path, monkeypatch, ZTRADE__gateway__idle_priority="false",
                    ZTRADE__gateway__nice="0", ZTRADE__gateway__requests_per_s="50")
    yield session
    session.finish()


def test_a_client_that_writes_and_never_reads_costs_bounded_memory(fast_gw):
    gw = fast_gw
    pid = _gateway_pid()
    before = _rss_mb(pid)
    s = _ws_open(gw.port, TOKEN)
    s.settimeout(2.0)
    # Each message earns an answer (an ack) and no updates: only answers pile up for it.
    message = _ws_frame(json.dumps({"action": "unsubscribe", "channels": ["bars"],
                                    "symbols": ["AAA"]}).encode())
    chunk = message * 100
    sent, end = 0, time.monotonic() + 30
    try:
        # Write and never read, until TCP pushes back (a send waits 2 s) - 30 s or 200 MB at
        # most. Before the bound, the gateway read on and queued every answer: 865 MB in 7 s.
        while sent < 200 << 20 and time.monotonic() < end:
            try:
                s.sendall(chunk)
            except TimeoutError:
                break
            sent += len(chunk)
        grown = _rss_mb(pid) - before
        assert grown < 40, f"the gateway grew {grown:.0f} MB"
        # It stopped reading us on purpose (answers past its bound), and counted it.
        wait_until(lambda: metrics(gw.ops_port).get(
            'ztrade_gateway_stream_reads_paused_total{component="gateway"}', 0) >= 1, 10,
            f"the paused reads counted (sent {sent >> 20} MB)")
        # Everyone else is served meanwhile.
        assert gw.get("/v1/symbols")[0] == 200
    finally:
        s.close()


def test_connections_that_never_authenticate_leave_room_and_time_out(gw):
    # max_connections 16: a quarter (4) for stream connections that have not authenticated.
    idle = [_ws_open(gw.port, None) for _ in range(4)]
    try:
        with pytest.raises(InvalidStatus) as refused:
            websockets_sync.connect(f"ws://127.0.0.1:{gw.port}/v1/stream", open_timeout=5)
        assert refused.value.response.status_code == 503
        # A client with its token still gets in at once.
        with websockets_sync.connect(f"ws://127.0.0.1:{gw.port}/v1/stream",
                                     additional_headers={"Authorization": f"Bearer {TOKEN}"},
                                     open_timeout=5) as ws:
            ws.send(json.dumps({"action": "subscribe", "channels": ["bars"]}))
            assert json.loads(ws.recv(timeout=5))
        # Who does not authenticate within the deadline is closed, and frees the slot.
        wait_until(lambda: metrics(gw.ops_port).get(
            'ztrade_gateway_stream_auth_timeouts_total{component="gateway"}', 0) >= 4, 15,
            "the unauthenticated connections timed out")
        with websockets_sync.connect(f"ws://127.0.0.1:{gw.port}/v1/stream",
                                     open_timeout=5) as ws:
            ws.send(json.dumps({"action": "auth", "token": TOKEN}))
            assert json.loads(ws.recv(timeout=5)) == {"type": "ack", "action": "auth"}
    finally:
        for s in idle:
            s.close()


def test_a_token_less_flood_does_not_lock_out_clients_with_a_token(gw):
    flood = b"GET /v1/symbols HTTP/1.1\r\nHost: x\r\n\r\n" * 300
    with socket.create_connection(("127.0.0.1", gw.port), timeout=10) as s:
        s.sendall(flood)
        answers = b""
        while answers.count(b"HTTP/1.1 ") < 300:
            chunk = s.recv(1 << 20)
            assert chunk
            answers += chunk
    assert answers.count(b"HTTP/1.1 429") >= 200  # token-less: rate-limited
    # From the same address, with the token: served at once; the dashboard's page too.
    assert gw.get("/v1/symbols")[0] == 200
    with urllib.request.urlopen(gw.base + "/", timeout=5) as r:
        assert r.status == 200 and b"<html" in r.read().lower()
    assert gw.post("/v1/control", b'{"command":"RESUME"}', OPERATOR)[0] == 200


def test_framing_and_encoding_tricks_get_clean_refusals(gw):
    # RFC 9112 section 6.3: a transfer coding other than chunked cannot frame a request.
    answer = raw(gw, (f"POST /v1/control HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                      f"{OPERATOR}\r\nTransfer-Encoding: gzip\r\nContent-Length: 5\r\n\r\n"
                      "hello").encode())
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    # Invalid UTF-8 in a path never reaches the JSON answer as it is.
    answer = raw(gw, (b"GET /v1/bars/\xff\xfe\xc3 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                      TOKEN.encode() + b"\r\nConnection: close\r\n\r\n"))
    body = answer.split(b"\r\n\r\n", 1)[1]
    json.loads(body.decode("utf-8"))  # strict UTF-8, valid JSON
    assert gw.get("/v1/symbols")[0] == 200


def test_a_gateway_killed_mid_session_is_restarted_and_trading_goes_on(tmp_path, monkeypatch):
    from ztrade.launcher import run_engine

    monkeypatch.setenv("ZTRADE_GATEWAY_TOKEN", TOKEN)
    monkeypatch.setenv("ZTRADE_GATEWAY_OPERATOR_TOKEN", OPERATOR)
    port = free_port()
    result: dict = {}
    run_dir = tmp_path / "run"

    def target() -> None:
        try:
            result["summary"] = run_engine(
                run_dir=str(run_dir), progress=lambda *a: None, timeout_s=240,
                overrides={"ZTRADE__gateway__enabled": "true",
                           "ZTRADE__gateway__port": str(port),
                           "ZTRADE__market_data__replay__speed": "15000"})
        except Exception as exc:  # surfaced below
            result["error"] = exc

    t = threading.Thread(target=target, daemon=True)
    t.start()

    def stored_bars() -> int:
        try:
            db = sqlite3.connect(f"file:{run_dir / 'gateway-history.sqlite'}?mode=ro", uri=True)
            try:
                return db.execute("SELECT COUNT(*) FROM bars").fetchone()[0]
            finally:
                db.close()
        except sqlite3.Error:
            return 0

    wait_until(lambda: stored_bars() >= 50, 60, "the gateway storing bars")
    first = _gateway_pid()
    os.kill(first, signal.SIGKILL)
    wait_until(lambda: (p := _try(_gateway_pid)) and p != first, 30, "a new gateway")
    t.join(240)
    assert "error" not in result, result.get("error")
    s = result["summary"]
    assert s["failed"] is None and s["bars"] == 5000
    assert s["orders"] > 10 and s["fills"] == s["orders"]
    assert s["gateway_restarts"] >= 1 and s["gateway_deaths"][0] == -signal.SIGKILL
    # What went by while it was down is marked as a gap in its history.
    db = sqlite3.connect(str(run_dir / "gateway-history.sqlite"))
    gaps = db.execute("SELECT start_ns, end_ns FROM gaps WHERE symbol = 'SAMPLE'").fetchall()
    db.close()
    assert gaps and all(end > start for start, end in gaps)


def _try(fn):
    try:
        return fn()
    except AssertionError:
        return None
