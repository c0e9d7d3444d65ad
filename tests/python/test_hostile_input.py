"""Hostile and faulty input against running engine processes (bounded in count and time, on
this machine only): control requests of every shape, tokens in odd places, a token longer
than a request buffer, and a crash of risk after an operator's HALT. No input may stop a
process, put a secret in a log, or resume trading without the token."""
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
import zmq

from engine_helpers import metrics, wait_until
from ztrade import _core, wire
from ztrade.launcher import default_config, find_binary

TOKEN = "s3cret-token-for-tests"


class Engine:
    """Engine processes started by hand (no launcher), so that one can be killed and
    restarted; a bus listener records what they publish."""

    def __init__(self, run_dir: Path, token: str = TOKEN, **overrides):
        self.run_dir = run_dir
        run_dir.mkdir(parents=True, exist_ok=True)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("ZTRADE")}
        self.env.update({"ZTRADE__engine__run_dir": str(run_dir),
                         "ZTRADE_CONTROL_TOKEN": token,
                         "ZTRADE__market_data__replay__file": str(
                             __import__("ztrade.data").data.sample_path())})
        for section in ("market_data", "signal_bridge", "risk", "execution"):
            self.env[f"ZTRADE__{section}__ops_port"] = "0"  # not needed: keep ports free
        self.env.update({f"ZTRADE__{k}": v for k, v in overrides.items()})
        self.config = str(default_config())
        self.cfg = _core.engine_config(self.config, {k: v for k, v in self.env.items()
                                                     if k.startswith("ZTRADE__")})
        self.procs = {}
        self.lock = threading.Lock()
        self.messages = []  # (topic, decoded message)
        self._stop = threading.Event()
        self._listener = None

    def listen(self):
        sock = zmq.Context.instance().socket(zmq.SUB)
        sock.setsockopt(zmq.SUBSCRIBE, b"")
        sock.setsockopt(zmq.RCVHWM, 0)
        for name in ("market_data", "signals", "risk", "execution"):
            sock.connect(self.cfg["endpoints"][name])

        def run():
            while not self._stop.is_set():
                if sock.poll(50):
                    topic, frame = sock.recv_multipart()
                    with self.lock:
                        self.messages.append((topic.decode(), wire.decode(frame)))
            sock.close(0)

        self._listener = threading.Thread(target=run)
        self._listener.start()
        return self

    def start(self, name):
        log = open(self.run_dir / f"{name}.log", "ab")
        self.procs[name] = subprocess.Popen([find_binary(f"ztrade-{name}"), "--config",
                                             self.config], env=self.env,
                                            stdout=subprocess.DEVNULL, stderr=log)
        log.close()
        return self.procs[name]

    def of_type(self, kind):
        with self.lock:
            return [(t, m) for t, m in self.messages if m.type == kind]

    def stop(self):
        for p in self.procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs.values():
            p.wait(15)
        self._stop.set()
        if self._listener:
            self._listener.join()

    def logs(self) -> str:
        return "".join(p.read_text(errors="replace") for p in self.run_dir.glob("*.log"))


def control(endpoint, *parts, timeout_ms=3000):
    req = zmq.Context.instance().socket(zmq.REQ)
    req.setsockopt(zmq.RCVTIMEO, timeout_ms)
    req.setsockopt(zmq.LINGER, 0)
    req.connect(endpoint)
    try:
        req.send_multipart([p.encode() if isinstance(p, str) else p for p in parts])
        return req.recv().decode(errors="replace")
    finally:
        req.close(0)


@pytest.fixture
def risk_alone(tmp_path):
    e = Engine(tmp_path / "run")
    e.start("risk")
    endpoint = e.cfg["endpoints"]["risk_control"]
    wait_until(lambda: Path(endpoint[len("ipc://"):]).exists(), what="risk's control socket")
    yield e, endpoint
    e.stop()


def test_no_control_request_shape_ends_risk(risk_alone):
    e, endpoint = risk_alone
    shapes = [["HALT", "x"], [""], ["STATE", "", ""], [b"\x00\xff" * 10], ["A" * 1_000_000],
              ["HALT " + "A" * 5000], [b"STATE"] * 5]
    for parts in shapes:
        reply = control(endpoint, *parts)
        assert reply.startswith(("ERROR", "DENIED", "OK")), (parts[:1], reply)
        assert e.procs["risk"].poll() is None, f"risk died on {str(parts)[:40]}"
    # A DEALER that skips REP's envelope: dropped by the socket, risk goes on.
    dealer = zmq.Context.instance().socket(zmq.DEALER)
    dealer.setsockopt(zmq.LINGER, 0)
    dealer.connect(endpoint)
    dealer.send_multipart([b"HALT", b"x", b"y"])
    dealer.close(0)
    assert control(endpoint, "STATE") == "OK REDUCING"  # no execution: positions unknown
    assert e.procs["risk"].poll() is None


def test_no_control_request_shape_ends_market_data_while_it_waits_for_go(tmp_path):
    e = Engine(tmp_path / "run", market_data__start_gate="true",
               market_data__wait_for_downstream="false").listen()
    e.start("market-data")
    endpoint = e.cfg["endpoints"]["market_data_control"]
    try:
        wait_until(lambda: Path(endpoint[len("ipc://"):]).exists(), what="the control socket")
        for parts in (["GO", "x"], ["A" * 100000], [b"\xff\x00"], ["", ""]):
            assert control(endpoint, *parts).startswith("ERROR"), parts[:1]
            assert e.procs["market-data"].poll() is None
        assert not e.of_type("bar"), "nothing streams before GO"
        wait_until(lambda: e.of_type("heartbeat"), 30, "our subscription to be live")
        assert control(endpoint, "GO") == "OK"
        wait_until(lambda: e.of_type("bar"), 30, "bars after GO")
    finally:
        e.stop()


def test_the_token_never_reaches_a_log_and_no_line_can_be_forged(risk_alone):
    e, endpoint = risk_alone
    for attack in (TOKEN, "\t" + TOKEN, "HALT\n" + TOKEN, "x:" + TOKEN, TOKEN + " HALT",
                   "HALT\nFORGED line from a client", "RESUME wrong\nFORGED"):
        control(endpoint, attack)
    assert control(endpoint, "HALT " + TOKEN) == "OK HALTED"
    e.stop()
    logs = e.logs()
    assert TOKEN not in logs
    assert not any(line.startswith("FORGED") for line in logs.splitlines())


def test_long_tokens_work_and_too_long_ones_are_refused_at_start(tmp_path):
    token = "t" * 600  # more than the 255 bytes a request used to be read into
    e = Engine(tmp_path / "ok", token=token)
    e.start("risk")
    endpoint = e.cfg["endpoints"]["risk_control"]
    try:
        wait_until(lambda: Path(endpoint[len("ipc://"):]).exists(), what="control socket")
        assert control(endpoint, "HALT " + token) == "OK HALTED"
        assert control(endpoint, "RESUME " + token[:-1]) == "DENIED"
    finally:
        e.stop()
    e = Engine(tmp_path / "long", token="t" * 2000)
    r = subprocess.run([find_binary("ztrade-risk"), "--config", e.config], env=e.env,
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 1
    assert "2000 bytes; at most 1024" in r.stderr and "t" * 50 not in r.stderr


def test_a_halt_survives_a_crash_of_risk(tmp_path):
    e = Engine(tmp_path / "run", market_data__replay__speed="3000").listen()
    for name in ("execution", "risk", "signal-bridge", "market-data"):
        e.start(name)
    endpoint = e.cfg["endpoints"]["risk_control"]
    try:
        wait_until(lambda: len(e.of_type("new_order")) >= 2, 60, "the first orders")
        assert control(endpoint, "HALT " + TOKEN) == "OK HALTED"
        orders_at_halt = len(e.of_type("new_order"))
        e.procs["risk"].send_signal(signal.SIGKILL)
        e.procs["risk"].wait()
        e.start("risk")
        assert wait_until(lambda: control(endpoint, "STATE", timeout_ms=500)
                          if Path(endpoint[6:]).exists() else None, 30,
                          "the restarted risk") == "OK HALTED"
        # Signals go on (the bridge keeps deciding); each is refused, not one becomes an order.
        wait_until(lambda: len(e.of_type("risk_reject")) >= 3, 60, "signals refused")
        rejects = [m.body["text"] for _, m in e.of_type("risk_reject")]
        assert len(e.of_type("new_order")) == orders_at_halt
        assert all(t == "trading_halted" for t in rejects), rejects
    finally:
        e.stop()


def test_a_restarted_risk_sizes_from_executions_positions(tmp_path):
    e = Engine(tmp_path / "run", market_data__replay__speed="3000").listen()
    for name in ("execution", "risk", "signal-bridge", "market-data"):
        e.start(name)
    try:
        # Wait for a position, then crash risk while it holds one.
        wait_until(lambda: any(abs(m.body["quantity"]) == 100 for _, m in e.of_type("position")),
                   60, "a position")
        e.procs["risk"].send_signal(signal.SIGKILL)
        e.procs["risk"].wait()
        restart = len(e.of_type("new_order"))
        e.start("risk")
        wait_until(lambda: len(e.of_type("new_order")) >= restart + 2, 90,
                   "orders from the restarted risk")
        # Every order keeps the position within the +-100 target: none sized against "flat".
        for _, m in e.of_type("new_order")[restart:]:
            assert m.body["quantity"] in (100.0, 200.0), m.body
        positions = [m.body["quantity"] for t, m in e.of_type("position")
                     if m.body["symbol"] == "SAMPLE"]
        assert max(abs(q) for q in positions) <= 100.0
        # Back to ACTIVE once execution's positions arrived (REDUCING until then).
        assert control(e.cfg["endpoints"]["risk_control"], "STATE") == "OK ACTIVE"
    finally:
        e.stop()


# -- the signal ingress ---------------------------------------------------------------------

def rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


BRIDGE_OPS, RISK_OPS = 9212, 9213


@pytest.fixture
def streaming_engine(tmp_path):
    e = Engine(tmp_path / "run", market_data__replay__speed="3000",
               signal_bridge__ops_port=str(BRIDGE_OPS), risk__ops_port=str(RISK_OPS),
               risk__daily_loss_limit="500").listen()
    for name in ("execution", "risk", "signal-bridge", "market-data"):
        e.start(name)
    wait_until(lambda: len(e.of_type("bar")) >= 40, 60, "bars flowing")
    push = zmq.Context.instance().socket(zmq.PUSH)
    push.setsockopt(zmq.LINGER, 2000)
    push.connect(e.cfg["endpoints"]["signal_ingress"])
    yield e, push
    push.close()
    e.stop()


def signal_frame(strategy="outsider", symbol="SAMPLE", strength=0.5, **header):
    now = time.time_ns()
    return [f"sig.{strategy}.{symbol}".encode(),
            wire.encode("signal", symbol=symbol, strategy=strategy, strength=strength,
                        direction=(strength > 0) - (strength < 0), signal_ns=now,
                        **{"event_ns": now, **header})]


def test_a_client_controls_neither_time_nor_price(streaming_engine):
    e, push = streaming_engine
    bars_before = {m.body["start_ns"] for _, m in e.of_type("bar")}
    # A tiny "price" in the feature snapshot (risk once marked positions to it and halted), and
    # header times a year ahead and ten years back (once taken as the order's time).
    year = 365 * 24 * 3600 * 10**9
    bad_price = signal_frame(strength=1.0, event_ns=time.time_ns() + year)
    push.send_multipart(bad_price)
    frame = wire.encode("signal", symbol="SAMPLE", strategy="outsider", strength=-1.0,
                        direction=-1, signal_ns=time.time_ns(), event_ns=time.time_ns() - 10 * year,
                        has_features=1, feature_count=12, features=[1e-6] * 12)
    push.send_multipart([b"sig.outsider.SAMPLE", frame])
    wait_until(lambda: len([m for _, m in e.of_type("new_order")
                            if m.body["strategy"] == "outsider"]) >= 2, 30, "both orders")
    bars_after = {m.body["start_ns"] for _, m in e.of_type("bar")}
    for _topic, m in e.of_type("new_order"):
        if m.body["strategy"] == "outsider":
            # Stamped with the market time of a bar the bridge had seen, not the client's.
            assert m.header["event_ns"] in bars_after, m.header
    assert control(e.cfg["endpoints"]["risk_control"], "STATE") == "OK ACTIVE"
    assert not [m for _, m in e.of_type("risk_reject") if m.body["text"] == "daily_loss"]
    assert bars_before  # the session was running before
    # 200 flips pushed at once, dated a year ahead: the rate limit counts them on the market's
    # clock (the bars' times), so at most risk.max_orders_per_s (50) per second of it pass.
    # (A refused flip leaves the position where it was, so the next signal wants no order:
    # about 50 orders, 75 refusals and 75 signals already at their target.)
    for i in range(200):
        push.send_multipart(signal_frame(strategy="flipper", strength=1.0 if i % 2 else -1.0,
                                         event_ns=time.time_ns() + year))
    wait_until(lambda: len([m for _, m in e.of_type("new_order")
                            if m.body["strategy"] == "flipper"]) +
               len([m for _, m in e.of_type("risk_reject")
                    if m.body["strategy"] == "flipper"]) >= 120, 60, "the flips decided")
    per_second = {}
    for _, m in e.of_type("new_order"):
        if m.body["strategy"] == "flipper":
            second = m.header["event_ns"] // 10**9
            per_second[second] = per_second.get(second, 0) + 1
            assert m.header["event_ns"] in {b.body["start_ns"] for _, b in e.of_type("bar")}
    assert per_second and max(per_second.values()) <= 50, per_second
    assert any(m.body["text"] == "order_rate" for _, m in e.of_type("risk_reject"))


def test_ingress_floods_are_counted_logged_sparingly_and_bounded(streaming_engine):
    e, push = streaming_engine
    bridge = e.procs["signal-bridge"].pid
    rss_before = rss_mb(bridge)
    # 30,000 signals with an invented strategy id each (a topic each), a few reserved or
    # malformed ids, and 3,000 frames that are not signals.
    for i in range(30000):
        push.send_multipart(signal_frame(strategy=f"s{i}", strength=5.0))
    push.send_multipart(signal_frame(strategy="macd_rsi"))
    push.send_multipart(signal_frame(strategy="evil\nFORGED"))
    for _ in range(3000):
        push.send_multipart([b"sig.x", wire.encode("trade", symbol="SAMPLE", price=1.0)])
    # And 10,000 valid ones, each under a new id: they reach risk, whose state stays bounded.
    risk = e.procs["risk"].pid
    risk_before = rss_mb(risk)
    for i in range(10000):
        push.send_multipart(signal_frame(strategy=f"v{i}", strength=0.5 if i % 2 else -0.5))
    key = 'ztrade_external_signals_rejected_total{component="signal-bridge",reason="%s"}'
    wait_until(lambda: metrics(BRIDGE_OPS).get(key % "not_a_signal") == 3000, 60, "all counted")
    m = metrics(BRIDGE_OPS)
    assert m[key % "bad_strength"] == 30000
    assert m[key % "reserved_strategy"] == 1 and m[key % "bad_strategy_id"] == 1
    evicted = 'ztrade_sequence_streams_evicted_total{component="signal-bridge",socket="ingress"}'
    assert m[evicted] > 0
    assert rss_mb(bridge) - rss_before < 20, "per-stream state is bounded"
    wait_until(lambda: metrics(RISK_OPS).get(
        'ztrade_signals_received_total{component="risk"}', 0) >= 10000, 60, "risk saw them")
    assert metrics(RISK_OPS)['ztrade_sequence_streams_evicted_total{component="risk"}'] > 0
    assert rss_mb(risk) - risk_before < 20
    e.stop()
    log = (e.run_dir / "signal-bridge.log").read_text()
    assert len(log.splitlines()) < 200, "33,000 refusals logged at most once a second"
    assert not any(line.startswith("FORGED") for line in log.splitlines())


# -- the run directory ----------------------------------------------------------------------

def test_a_second_run_on_a_busy_run_dir_touches_nothing(tmp_path):
    run_dir = tmp_path / "run"
    first = subprocess.Popen([os.sys.executable, "-m", "ztrade", "run", "--run-dir", str(run_dir),
                              "--set", "market_data.replay.speed=3000"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: (run_dir / "control.token").exists() and
                   len(list(run_dir.glob("*.sock"))) == 7, 30, "the first session's sockets")
        token = (run_dir / "control.token").read_text()
        sockets = {p.name: p.stat().st_ino for p in run_dir.glob("*.sock")}
        r = subprocess.run([os.sys.executable, "-m", "ztrade", "run", "--run-dir", str(run_dir)],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 1 and "in use by another ztrade run" in r.stderr
        assert (run_dir / "control.token").read_text() == token
        assert {p.name: p.stat().st_ino for p in run_dir.glob("*.sock")} == sockets
        # The running session's kill switch still answers to its token.
        assert control(f"ipc://{run_dir}/risk-control.sock", "STATE").startswith("OK")
        assert control(f"ipc://{run_dir}/risk-control.sock", "HALT " + token) == "OK HALTED"
        # A component started by hand on the same directory refuses too, before binding.
        env = {**os.environ, "ZTRADE__engine__run_dir": str(run_dir), "ZTRADE__risk__ops_port": "0"}
        r = subprocess.run([find_binary("ztrade-risk"), "--config", str(default_config())],
                           env=env, capture_output=True, text=True, timeout=30)
        assert r.returncode == 1 and "risk already runs on the run directory" in r.stderr
        assert {p.name: p.stat().st_ino for p in run_dir.glob("*.sock")} == sockets
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=60)


@pytest.mark.parametrize("kind", ["file", "symlink_loop", "under_a_file"])
def test_an_unusable_run_dir_is_a_clear_error(tmp_path, kind):
    target = tmp_path / "run"
    if kind == "file":
        target.write_text("x")
    elif kind == "symlink_loop":
        (tmp_path / "a").symlink_to(tmp_path / "b")
        (tmp_path / "b").symlink_to(tmp_path / "a")
        target = tmp_path / "a" / "run"
    else:
        (tmp_path / "f").write_text("x")
        target = tmp_path / "f" / "run"
    env = {**os.environ, "ZTRADE__engine__run_dir": str(target), "ZTRADE__risk__ops_port": "0"}
    r = subprocess.run([find_binary("ztrade-risk"), "--config", str(default_config())], env=env,
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 1, r.stderr  # not 134 (an abort)
    assert "engine.run_dir" in r.stderr and "cannot use it as a directory" in r.stderr
    r = subprocess.run([os.sys.executable, "-m", "ztrade", "run", "--run-dir", str(target)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "cannot use" in r.stderr and "Traceback" not in r.stderr


def test_a_process_killed_under_the_launcher_leaves_a_summary(tmp_path):
    from ztrade.launcher import run_engine
    run_dir = tmp_path / "run"
    result = {}

    def run():
        result["summary"] = run_engine(run_dir=str(run_dir), progress=lambda *a: None,
                                       timeout_s=120,
                                       overrides={"ZTRADE__market_data__replay__speed": "3000"})

    t = threading.Thread(target=run)
    t.start()
    wait_until(lambda: (run_dir / "execution.journal").exists() and
               (run_dir / "execution.journal").stat().st_size > 0, 60, "the first order")
    lock = (run_dir / "risk.lock").read_text().strip()
    os.kill(int(lock), signal.SIGKILL)
    t.join(120)
    s = result["summary"]
    assert s["failed"] and "ztrade-risk exited with code -9" in s["failed"]
    assert s["bars"] > 0 and s["orders"] > 0
    assert (run_dir / "summary.json").exists()


def test_with_curve_each_client_key_speaks_only_for_its_strategies(tmp_path):
    engine_public, engine_secret = zmq.curve_keypair()
    alice_public, alice_secret = zmq.curve_keypair()
    (tmp_path / "engine.pub").write_bytes(engine_public + b"\n")
    (tmp_path / "engine.key").write_bytes(engine_secret + b"\n")
    (tmp_path / "authorized").write_bytes(alice_public + b"\n")
    e = Engine(tmp_path / "run", market_data__replay__speed="3000",
               signal_bridge__ops_port=str(BRIDGE_OPS), signal_bridge__strategies="[]",
               bus__curve__enabled="true",
               bus__curve__public_key_file=str(tmp_path / "engine.pub"),
               bus__curve__secret_key_file=str(tmp_path / "engine.key"),
               bus__curve__server_public_key_file=str(tmp_path / "engine.pub"),
               bus__curve__authorized_keys_file=str(tmp_path / "authorized"),
               signal_bridge__strategy_keys=f'{{ alpha = "{alice_public.decode()}" }}')
    for name in ("execution", "risk", "signal-bridge", "market-data"):
        e.start(name)
    push = zmq.Context.instance().socket(zmq.PUSH)
    push.setsockopt(zmq.LINGER, 2000)
    push.curve_publickey, push.curve_secretkey = alice_public, alice_secret
    push.curve_serverkey = engine_public
    push.connect(e.cfg["endpoints"]["signal_ingress"])
    key = 'ztrade_external_signals_rejected_total{component="signal-bridge",reason="%s"}'
    accepted = 'ztrade_external_signals_accepted_total{component="signal-bridge"}'
    try:
        wait_until(lambda: (metrics(BRIDGE_OPS).get(key % "unknown_symbol") or 0) == 0 and
                   metrics(BRIDGE_OPS).get('ztrade_features_published_total'
                                           '{component="signal-bridge"}', 0) > 0, 60, "bars")
        push.send_multipart(signal_frame(strategy="alpha"))  # alice's own strategy
        push.send_multipart(signal_frame(strategy="beta"))   # not bound to her key
        wait_until(lambda: metrics(BRIDGE_OPS).get(accepted) == 1 and
                   metrics(BRIDGE_OPS).get(key % "unauthorized_strategy") == 1, 30,
                   "both signals judged")
    finally:
        push.close()
        e.stop()
    # The binding needs CURVE authentication: refused at start without it.
    bad = {**e.env, "ZTRADE__bus__curve__enabled": "false"}
    r = subprocess.run([find_binary("ztrade-signal-bridge"), "--config", e.config], env=bad,
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "signal_bridge.strategy_keys: needs bus.curve" in r.stderr
