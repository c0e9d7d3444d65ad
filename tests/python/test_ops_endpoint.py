"""The HTTP ops endpoint of every process: /health, /live, /ready, /metrics (Prometheus text)
and /status (JSON), read while a session runs."""
import json
import socket
import threading
import time
import urllib.error
import urllib.request

from ztrade.launcher import run_engine


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
                time.sleep(1.2)  # a metrics refresh with traffic in it
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
