"""The HTTP ops endpoint of every process: /health, /live, /ready, /metrics (Prometheus text)
and /status (JSON), read while a session runs."""
import json
import socket
import threading
import time
import urllib.error
import urllib.request

from engine_helpers import free_port, metrics, wait_until
from ztrade.launcher import run_engine


def get(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=3) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def cli_status(ports):
    import os
    import subprocess
    import sys
    env = dict(os.environ, **{f"ZTRADE__{n}__ops_port": str(p) for n, p in ports.items()})
    return subprocess.run([sys.executable, "-m", "ztrade", "status"], env=env,
                          capture_output=True, text=True, timeout=30)


def _has_traffic(port, name):
    """The component's metrics snapshot was rendered after messages flowed through it."""
    m = metrics(port)
    component = name.replace("_", "-")
    if name == "signal_bridge":  # bars have arrived from market-data
        hop = 'ztrade_hop_latency_seconds_count{component="signal-bridge",hop="market-data->signal-bridge"}'
        return m.get(hop, 0) > 0
    return m.get(f'ztrade_messages_out_total{{component="{component}"}}', 0) > 0


def test_ops_endpoints_during_a_session(tmp_path):
    ports = {name: free_port() for name in ("market_data", "signal_bridge", "risk", "execution")}
    overrides = {f"ZTRADE__{name}__ops_port": str(p) for name, p in ports.items()}
    overrides["ZTRADE__market_data__replay__speed"] = "60000"  # ~5 s
    result = {}
    t = threading.Thread(target=lambda: result.update(summary=run_engine(
        run_dir=str(tmp_path / "run"), overrides=overrides, progress=lambda *a: None,
        timeout_s=120)))
    t.start()
    seen = {}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(seen) < 4:
        for name, port in ports.items():
            if name in seen:
                continue
            try:
                status, _ = get(port, "/ready")
            except OSError:
                continue
            if status == 200:
                wait_until(lambda port=port, name=name: _has_traffic(port, name), 10,
                           f"{name}'s metrics with traffic in them")
                if name == "execution":
                    seen["cli"] = cli_status(ports)
                seen[name] = {path: get(port, path) for path in
                              ("/health", "/live", "/metrics", "/status", "/nope")}
        time.sleep(0.1)
    t.join(120)
    cli = seen.pop("cli", None)
    assert set(seen) == set(ports), f"ready endpoints: {sorted(seen)}"
    assert cli is not None and "risk" in cli.stdout and "trading_state=ACTIVE" in cli.stdout, cli
    for name, r in seen.items():
        assert r["/health"] == (200, "ok\n") and r["/live"][0] == 200
        assert r["/nope"][0] == 404
        status = json.loads(r["/status"][1])
        assert status["component"] == name.replace("_", "-")
        metrics = r["/metrics"][1]
        assert f'ztrade_messages_out_total{{component="{name.replace("_", "-")}"}}' in metrics
        assert "ztrade_sequence_gaps_total" in metrics and "ztrade_dropped_total" in metrics
    assert 'ztrade_hop_latency_seconds_bucket{component="signal-bridge",hop="market-data->signal-bridge",le="+Inf"}' in seen["signal_bridge"]["/metrics"][1]
    assert 'ztrade_risk_rejects_total{component="risk",reason="max_position"}' in seen["risk"]["/metrics"][1]
    assert "ztrade_trading_state" in seen["risk"]["/metrics"][1]
    assert json.loads(seen["risk"]["/status"][1])["trading_state"] == "ACTIVE"
    assert "ztrade_fills_total" in seen["execution"]["/metrics"][1]
    assert result["summary"]["fills"] > 0


def raw_http(port, data: bytes, read=True) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(data)
        if not read:
            return b""
        chunks = []
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def risk_alone(tmp_path, port, nofile=None):
    """ztrade-risk on its own (its ops endpoint answers without the rest), optionally with a
    low limit on open files."""
    import os
    import resource
    import subprocess

    from ztrade.launcher import default_config, find_binary
    env = {**os.environ, "ZTRADE__engine__run_dir": str(tmp_path / "run"),
           "ZTRADE__risk__ops_port": str(port)}

    def limit():
        if nofile:
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

    p = subprocess.Popen([find_binary("ztrade-risk"), "--config", str(default_config())],
                         env=env, stderr=subprocess.PIPE, text=True, preexec_fn=limit)
    end = time.monotonic() + 30
    while time.monotonic() < end:
        try:
            if get(port, "/health")[0] == 200:
                return p
        except OSError:
            pass
        time.sleep(0.05)
    p.kill()
    raise AssertionError("risk's ops endpoint never answered")


def test_requests_that_are_not_plain_gets(tmp_path):
    port = free_port()
    p = risk_alone(tmp_path, port)
    try:
        assert get(port, "/health?probe=1")[0] == 200
        assert get(port, "/health/")[0] == 200
        assert get(port, "/metrics?x")[0] == 200
        # A GET with a body is refused before the body is read (it is never sent here).
        reply = raw_http(port, b"GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n")
        assert reply.startswith(b"HTTP/1.1 413")
        assert raw_http(port, b"NONSENSE\r\n\r\n").startswith(b"HTTP/1.1 400")
        assert raw_http(port, b"GET / HTTP/1.1\r\nX: " + b"a" * 20000 + b"\r\n\r\n").startswith(
            b"HTTP/1.1 400")
        assert get(port, "/health")[0] == 200 and p.poll() is None
        m = get(port, "/metrics")[1]
        assert "ztrade_ops_bad_requests_total 3" in m
    finally:
        p.terminate()
        p.communicate(timeout=15)


def test_ops_endpoint_outlives_running_out_of_file_descriptors(tmp_path):
    # With few descriptors allowed, held connections exhaust them: accept fails (EMFILE). Once
    # they close, the endpoint answers again - it used to stop accepting for good.
    import os
    limit = 48
    port = free_port()
    p = risk_alone(tmp_path, port, nofile=limit)
    held = []
    try:
        for _ in range(80):
            try:
                held.append(socket.create_connection(("127.0.0.1", port), timeout=2))
            except OSError:
                break
        # Every descriptor the process may have is in use: its next accept fails.
        end = time.monotonic() + 10
        while time.monotonic() < end and len(os.listdir(f"/proc/{p.pid}/fd")) < limit:
            time.sleep(0.02)
        assert len(os.listdir(f"/proc/{p.pid}/fd")) >= limit
        for s in held:
            s.close()
        held.clear()
        end = time.monotonic() + 15
        status = 0
        while time.monotonic() < end:
            try:
                status = get(port, "/health")[0]
            except OSError:
                status = 0
            if status == 200:
                break
            time.sleep(0.1)
        assert status == 200
        m = get(port, "/metrics")[1]
        errors = [line for line in m.splitlines() if line.startswith("ztrade_ops_accept_errors_total")]
        refused = [line for line in m.splitlines()
                   if line.startswith("ztrade_ops_connections_refused_total")]
        assert errors and refused
        assert float(errors[0].split()[1]) > 0
        assert p.poll() is None
    finally:
        for s in held:
            s.close()
        p.terminate()
        p.communicate(timeout=15)
