"""The gateway against a running engine: the REST API answers what the bus carried (and what
its OpenAPI document says it answers), the stream pushes it over WebSocket with acks and
errors, operator commands reach risk, and bad or hostile clients - no token, malformed HTTP,
huge headers and bodies, too many connections, too many requests, a client that stops
reading - get clear errors and limits while the gateway and the engine go on."""
from __future__ import annotations

import http.client
import json
import re
import socket
from pathlib import Path

import pytest

from engine_helpers import engine_ops_ports, metrics, wait_until
from gateway_session import OPERATOR, SYMBOLS, TOKEN, start

websockets_sync = pytest.importorskip("websockets.sync.client")
from websockets.exceptions import ConnectionClosed  # noqa: E402

ALLOWED_ORIGIN = "http://dashboard.example"


@pytest.fixture(scope="module")
def gw(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        session = start(tmp_path_factory.mktemp("gateway"), mp,
                        ZTRADE__gateway__max_connections="24",
                        ZTRADE__gateway__client_queue="64",
                        # fast enough that a client that stops reading falls behind in seconds
                        ZTRADE__market_data__synthetic__rate_per_s="20000",
                        ZTRADE__gateway__cors_origins=f'["{ALLOWED_ORIGIN}"]')
        yield session
        summary = session.finish()
    assert summary["exit_codes"]["engine" if "engine" in summary["exit_codes"] else "gateway"] == 0


def updates(ws, timeout: float = 10):
    """The stream's updates one by one (they come in JSON arrays; replies are objects)."""
    while True:
        m = json.loads(ws.recv(timeout=timeout))
        assert isinstance(m, list) and m, m
        yield from m


def reply(ws, timeout: float = 5) -> dict:
    """The next reply (an object), passing over updates still in flight."""
    while True:
        m = json.loads(ws.recv(timeout=timeout))
        if isinstance(m, dict):
            return m


def raw(gw, data: bytes) -> bytes:
    """Sends bytes on a fresh connection; what the gateway answers before closing."""
    with socket.create_connection(("127.0.0.1", gw.port), timeout=5) as s:
        s.sendall(data)
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            out += chunk
    return out


def test_rest_answers_what_the_bus_carried(gw):
    status, symbols = gw.get("/v1/symbols")
    assert status == 200 and sorted(s["symbol"] for s in symbols) == sorted(SYMBOLS)
    assert all(s["venue"] == "synthetic" for s in symbols)
    # Bars keep coming: the second answer holds later bars than the first.
    first = wait_until(lambda: len(b := gw.get("/v1/bars/AAA?limit=5")[1]["bars"]) == 5 and b,
                       30, "five bars")
    later = wait_until(lambda: (b := gw.get("/v1/bars/AAA?limit=5")[1]["bars"]) and
                       b[-1]["ts_ns"] > first[-1]["ts_ns"] and b, 30, "newer bars")
    assert len(later) == 5 and all(a["ts_ns"] < b["ts_ns"] for a, b in zip(later, later[1:]))
    quote = gw.get("/v1/quote/AAA")[1]
    assert quote["ask"] > quote["bid"] > 0
    features = wait_until(lambda: (f := gw.get("/v1/features/AAA")[1]) and f.get("ready") and f,
                          30, "ready features")
    assert {"rsi", "macd_line", "ema_fast"} <= set(features["values"])
    # Orders, fills and positions arrive once the strategies trade.
    orders = wait_until(lambda: [o for o in gw.get("/v1/orders?limit=100")[1] if o["filled"] > 0],
                        60, "a filled order")
    assert orders[0]["status"] and orders[0]["avg_price"] > 0
    positions = gw.get("/v1/positions")[1]
    assert positions and all("unrealized" in p for p in positions)
    pnl = gw.get("/v1/pnl")[1]
    assert pnl["total"] == pytest.approx(pnl["realized"] + pnl["unrealized"])
    summary = wait_until(lambda: (s := gw.get("/v1/summary")[1])["tick_to_order_us"]["count"] and s,
                         30, "tick-to-order samples")
    assert summary["risk_state"] == "ACTIVE" and summary["messages"]["bar"] > 0
    assert summary["tick_to_order_us"]["p99"] >= summary["tick_to_order_us"]["p50"] > 0
    assert summary["history"]["bars"] > 0
    # History answers too (what the writer has committed).
    hist = wait_until(lambda: gw.get("/v1/bars/AAA?source=history&limit=3")[1]["bars"], 30,
                      "bars in the history database")
    assert len(hist) == 3
    # 50 ms bars aggregated to 1 s: aligned buckets, each high the highest of its bars.
    status, agg = gw.get("/v1/bars/AAA?interval=1&limit=2")
    assert status == 200 and agg["bars"]
    assert all(b["interval_ns"] == 10**9 and b["ts_ns"] % 10**9 == 0 for b in agg["bars"])
    assert all(b["high"] >= max(b["open"], b["close"]) for b in agg["bars"])


def test_the_scanner_fills_from_streaming_features(gw):
    def any_rows():
        s = gw.get("/v1/scanner")[1]
        return s["most_active"] and (s["gainers"] or s["losers"]) and s
    s = wait_until(any_rows, 30, "scanner results")
    assert s["symbols"] == len(SYMBOLS) and len(s["most_active"]) == len(SYMBOLS)
    vols = [r["volume"] for r in s["most_active"]]
    assert vols == sorted(vols, reverse=True)


def test_every_route_in_the_openapi_document_answers(gw):
    status, spec = gw.get("/v1/openapi.json")
    assert status == 200 and spec["openapi"].startswith("3.")
    for path, ops in spec["paths"].items():
        for method in ops:
            if method == "get":
                status, body = gw.get(path.replace("{symbol}", "AAA"))
                assert status == 200, (path, body)
            else:  # the operator's POST: refused without its token, never 404
                assert gw.post(path, b"{}", TOKEN)[0] == 403
    # And nothing is served that the document does not describe.
    assert gw.get("/v1/secret")[0] == 404


def test_tokens_and_bad_requests_get_json_errors(gw):
    for token in (None, "", "wrong", TOKEN + "x"):
        status, body = gw.get("/v1/symbols", token=token)
        assert status == 401 and body["error"]["code"] == "unauthorized"
    assert gw.get("/v1/bars/NOPE")[0] == 404
    assert gw.get("/v1/bars/NOPE")[1]["error"]["code"] == "unknown_symbol"
    assert gw.get("/v1/bars/AAA?limit=100000")[0] == 400
    assert gw.get("/v1/bars/AAA?limit=-1")[0] == 400
    assert gw.get("/v1/bars/AAA?source=disk")[0] == 400
    assert gw.get("/v1/bars/" + "A" * 64)[0] == 404
    # Malformed HTTP, a huge header, a huge body: an answer with a JSON error, then closed.
    assert raw(gw, b"THIS IS NOT HTTP\r\n\r\n").startswith(b"HTTP/1.1 400")
    big_header = b"GET /v1/symbols HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n"
    assert raw(gw, big_header).startswith(b"HTTP/1.1 431")
    big_body = (b"POST /v1/control HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" +
                b"{" * 100000)
    answer = raw(gw, big_body)
    assert answer.startswith(b"HTTP/1.1 413") and b'"body_too_large"' in answer
    # Operator commands: the read-only token is not enough; bad commands are refused.
    assert gw.post("/v1/control", b'{"command":"HALT"}', TOKEN)[0] == 403
    assert gw.post("/v1/control", b'{"command":"SELL_EVERYTHING"}', OPERATOR)[0] == 400
    assert gw.post("/v1/control", b'not json', OPERATOR)[0] == 400
    assert gw.get("/v1/summary")[1]["risk_state"] == "ACTIVE"  # nothing reached risk
    wait_until(lambda: metrics(gw.ops_port).get(
        'ztrade_gateway_bad_requests_total{component="gateway"}', 0) >= 3, 10,
        "the bad requests counted")


def test_cors_answers_only_the_allowed_origins(gw):
    def ask(method: str, origin: str) -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection("127.0.0.1", gw.port, timeout=5)
        conn.request(method, "/v1/symbols", headers={
            "Origin": origin, "Authorization": f"Bearer {TOKEN}",
            "Access-Control-Request-Method": "GET"})
        r = conn.getresponse()
        r.read()
        conn.close()
        return r
    allowed = ask("GET", ALLOWED_ORIGIN)
    assert allowed.status == 200
    assert allowed.getheader("Access-Control-Allow-Origin") == ALLOWED_ORIGIN
    other = ask("GET", "http://evil.example")
    assert other.getheader("Access-Control-Allow-Origin") is None  # the browser refuses it
    preflight = ask("OPTIONS", ALLOWED_ORIGIN)
    assert preflight.status == 204
    assert "Authorization" in preflight.getheader("Access-Control-Allow-Headers")
    assert ask("OPTIONS", "http://evil.example").status == 403


def test_the_stream_acknowledges_and_pushes(gw):
    url = f"ws://127.0.0.1:{gw.port}/v1/stream"
    with websockets_sync.connect(url) as ws:
        ws.send(json.dumps({"action": "subscribe", "channels": ["bars"]}))
        refused = reply(ws)
        assert refused["type"] == "error" and refused["code"] == "unauthorized"
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=5)  # then closed
        assert ws.close_code == 1008
    with websockets_sync.connect(url) as ws:
        ws.send(json.dumps({"action": "auth", "token": TOKEN}))
        assert reply(ws) == {"type": "ack", "action": "auth"}
        ws.send("{not json")
        assert reply(ws)["code"] == "bad_request"
        ws.send(json.dumps({"action": "subscribe", "channels": ["telepathy"]}))
        assert reply(ws)["code"] == "bad_channel"
        ws.send(json.dumps({"action": "subscribe", "channels": ["bars", "features"],
                            "symbols": ["BBB"]}))
        ack = reply(ws)
        assert ack["type"] == "ack" and ack["symbols"] == ["BBB"]
        seen: dict[str, int] = {}
        for m in updates(ws):
            assert m["symbol"] == "BBB"  # only what was asked for
            seen[m["type"]] = seen.get(m["type"], 0) + 1
            if len(seen) == 2:
                break
        assert set(seen) == {"bar", "features"}
        ws.send(json.dumps({"action": "unsubscribe", "channels": ["bars", "features"],
                            "symbols": ["BBB"]}))
        ws.send(json.dumps({"action": "subscribe", "channels": ["orders"], "symbols": ["*"]}))
        # Replies (the unsubscribe's, the subscribe's) come as objects, then order updates.
        assert reply(ws)["type"] == "ack"
        assert reply(ws)["type"] == "ack"
        kinds = set()
        for m in updates(ws, timeout=30):
            kinds.add(m["type"])
            if "order" in kinds:
                break
    # A header token authenticates at once (for services rather than browsers).
    with websockets_sync.connect(url, additional_headers={"Authorization": f"Bearer {TOKEN}"}) as ws:
        ws.send(json.dumps({"action": "subscribe", "channels": ["trades"], "symbols": ["CCC"]}))
        assert reply(ws)["type"] == "ack"
        assert next(updates(ws))["type"] == "trade"


def test_a_client_that_stops_reading_is_disconnected_and_others_go_on(gw):
    url = f"ws://127.0.0.1:{gw.port}/v1/stream"
    before = metrics(gw.ops_port)['ztrade_gateway_stream_slow_disconnects_total{component="gateway"}']
    slow = socket.create_connection(("127.0.0.1", gw.port))
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.sendall(b"GET /v1/stream HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                 b"Authorization: Bearer " + TOKEN.encode() + b"\r\n\r\n")
    assert slow.recv(4096).startswith(b"HTTP/1.1 101")

    def frame(text: str) -> bytes:  # a masked client text frame
        data = text.encode()
        return bytes([0x81, 0x80 | len(data)]) + b"\0\0\0\0" + data
    slow.sendall(frame(json.dumps({"action": "subscribe",
                                   "channels": ["trades", "quotes", "bars", "features"]})))
    # It never reads again. Meanwhile a well-behaved client keeps getting its updates.
    with websockets_sync.connect(url) as ws:
        ws.send(json.dumps({"action": "auth", "token": TOKEN}))
        ws.send(json.dumps({"action": "subscribe", "channels": ["bars"], "symbols": ["AAA"]}))
        wait_until(lambda: metrics(gw.ops_port).get(
            'ztrade_gateway_stream_slow_disconnects_total{component="gateway"}', 0) > before,
            60, "the slow client disconnected")
        assert reply(ws)["type"] == "ack"  # auth
        assert reply(ws)["type"] == "ack"  # subscribe
        got = 0
        for m in updates(ws):
            got += m["type"] == "bar"
            if got == 3:
                break
    slow.close()
    assert gw.get("/v1/summary")[1]["stream"]["slow_disconnects"] >= 1


def test_connection_limit(gw):
    # More connections than gateway.max_connections: the extra ones get 503 at once.
    held = [socket.create_connection(("127.0.0.1", gw.port)) for _ in range(30)]
    try:
        refused = wait_until(lambda: metrics(gw.ops_port).get(
            'ztrade_gateway_connections_refused_total{component="gateway"}', 0), 10,
            "connections refused")
        assert refused >= 6
        assert any(s.recv(4096).startswith(b"HTTP/1.1 503") for s in held[24:])
    finally:
        for s in held:
            s.close()
    wait_until(lambda: gw.get("/v1/symbols")[0] == 200, 10, "the gateway serving again")
    # More requests per second than allowed from one address: 429, then served again.


def test_operator_commands_reach_risk(gw):
    status, body = gw.post("/v1/control", b'{"command":"CANCEL_ALL"}', OPERATOR)
    assert status == 200 and body["reply"] == "OK ACTIVE"
    status, body = gw.post("/v1/control", b'{"command":"HALT"}', OPERATOR)
    assert status == 200 and body["reply"] == "OK HALTED"
    wait_until(lambda: gw.get("/v1/summary")[1]["risk_state"] == "HALTED", 10, "HALTED shown")
    status, body = gw.post("/v1/control", b'{"command":"RESUME"}', OPERATOR)
    assert status == 200 and body["reply"] == "OK ACTIVE"


GRAFANA = Path(__file__).resolve().parents[2] / "config" / "grafana" / "ztrade.json"


def test_every_metric_the_grafana_dashboard_queries_exists(gw):
    """config/grafana/ztrade.json queries only metrics the components export (read from every
    component's /metrics in this running session, the gateway's included)."""
    dashboard = json.loads(GRAFANA.read_text())
    queried: set[str] = set()
    for panel in dashboard["panels"]:
        if panel["type"] == "row":
            continue
        assert panel["datasource"]["uid"] == "${DS_PROMETHEUS}" and panel["targets"], panel["title"]
        for target in panel["targets"]:
            queried |= set(re.findall(r"\bztrade_[a-z0-9_]+", target["expr"]))
    assert len(queried) > 20
    ports = [*engine_ops_ports(), gw.ops_port]
    scraped = wait_until(lambda: (m := [metrics(port) for port in ports]) and all(m) and m, 15,
                         "every component's /metrics")
    exported = {key.split("{")[0] for per_port in scraped for key in per_port}
    assert queried <= exported, sorted(queried - exported)

