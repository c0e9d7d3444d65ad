"""The gateway over TLS (gateway.tls_cert, tls_key) - https and wss with the configured
certificate, nothing for plain HTTP - and its per-client request rate limit. A module of its
own: its session must not overlap test_gateway.py's (the components' ops ports)."""
from __future__ import annotations

import http.client
import json
import socket

import pytest

from engine_helpers import free_port, metrics, wait_until
from gateway_session import SYMBOLS, TOKEN, start
from test_gateway import raw, reply

websockets_sync = pytest.importorskip("websockets.sync.client")
from websockets.exceptions import InvalidStatus  # noqa: E402


def test_tls_only_and_the_request_rate_limit(tmp_path, monkeypatch):
    """With gateway.tls_cert and tls_key the gateway speaks TLS only: https and wss with the
    configured certificate answer; plain http gets nothing. More requests than
    gateway.requests_per_s from one address get 429."""
    import ssl

    import trustme
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    cert_file, key_file = tmp_path / "gateway.pem", tmp_path / "gateway.key"
    cert.cert_chain_pems[0].write_to_path(str(cert_file))
    cert.private_key_pem.write_to_path(str(key_file))
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    monkeypatch.setenv("ZTRADE_GATEWAY_TOKEN", TOKEN)

    ready = {}

    def https_get(path: str) -> tuple[int, object]:
        conn = http.client.HTTPSConnection("127.0.0.1", ready["port"], context=client_ctx,
                                           timeout=5)
        try:
            conn.request("GET", path, headers={"Authorization": f"Bearer {TOKEN}"})
            r = conn.getresponse()
            return r.status, json.loads(r.read())
        finally:
            conn.close()

    gw = start_tls(tmp_path, monkeypatch, cert_file, key_file, ready, https_get)
    try:
        # (start_tls waited for https to list every symbol.)
        def wss_auth() -> bool:
            try:
                with websockets_sync.connect(f"wss://127.0.0.1:{gw.port}/v1/stream",
                                             ssl=client_ctx) as ws:
                    ws.send(json.dumps({"action": "auth", "token": TOKEN}))
                    assert reply(ws) == {"type": "ack", "action": "auth"}
                    return True
            except InvalidStatus as e:  # 429 while the polling above used up the rate
                assert e.response.status_code == 429
                return False
        wait_until(wss_auth, 10, "wss answering")
        # Plain HTTP on the TLS port: no HTTP answer.
        assert not raw(gw, b"GET /v1/symbols HTTP/1.1\r\nHost: x\r\n\r\n").startswith(b"HTTP/")
        wait_until(lambda: metrics(gw.ops_port).get(
            'ztrade_gateway_tls_failures_total{component="gateway"}', 0) >= 1, 10,
            "the failed handshake counted")
        # 300 requests pipelined on one connection reach the gateway together; the bucket
        # holds 20 (gateway.requests_per_s) and refills 20 a second.
        request = (f"GET /v1/symbols HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}"
                   "\r\n\r\n").encode()
        with socket.create_connection(("127.0.0.1", gw.port), timeout=10) as plain, \
                client_ctx.wrap_socket(plain, server_hostname="127.0.0.1") as s:
            s.sendall(request * 300)
            answers = b""
            while answers.count(b"HTTP/1.1 ") < 300:
                chunk = s.recv(1 << 20)
                assert chunk, "the gateway closed the connection"
                answers += chunk
        statuses = [int(a[:3]) for a in answers.split(b"HTTP/1.1 ")[1:]]
        assert statuses.count(429) >= 200 and b"Retry-After: 1" in answers, statuses
        wait_until(lambda: https_get("/v1/symbols")[0] == 200, 10, "served again")
    finally:
        gw.finish()


def start_tls(tmp_path, monkeypatch, cert_file, key_file, ready, https_get):
    """A gateway session with TLS, ready once https answers."""
    port = free_port()
    ready["port"] = port

    def serving() -> bool:
        try:
            status, symbols = https_get("/v1/symbols")
        except OSError:
            return False
        return status == 200 and len(symbols) == len(SYMBOLS)
    return start(tmp_path, monkeypatch, ready_check=serving,
                 ZTRADE__gateway__requests_per_s="20", ZTRADE__gateway__port=str(port), ZTRADE__gateway__tls_cert=str(cert_file),
                 ZTRADE__gateway__tls_key=str(key_file))
