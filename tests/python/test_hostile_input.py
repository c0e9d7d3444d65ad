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

from ztrade import _core, wire
from ztrade.launcher import default_config, find_binary

TOKEN = "s3cret-token-for-tests"


def wait_until(condition, timeout=30.0, what="condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


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
