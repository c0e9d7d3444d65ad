"""Crash recovery across processes: execution is killed with SIGKILL mid-session and restarted.
Its journal restores orders and positions; risk re-sends what went unacknowledged while it was
down; nothing executes twice; the session ends in the same position as an uninterrupted one."""
import json
import os
import signal
import subprocess
import threading
import urllib.error
import urllib.request
from collections import defaultdict

import zmq

from engine_helpers import metrics, ops_port, wait_until
from ztrade import _core, wire
from ztrade.launcher import default_config, find_binary
from ztrade.tap import Tap


def _status(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=1) as r:
            return json.loads(r.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None


def test_kill_dash_nine_of_execution_mid_run(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    env = dict(os.environ)
    env.update({"ZTRADE__engine__run_dir": str(run_dir),
                "ZTRADE__market_data__replay__file": str(
                    __import__("ztrade.data").data.sample_path()),
                "ZTRADE__market_data__replay__speed": "25000",  # ~12 s for the sample
                # The market goes on while execution is down (a lockstep replay would wait
                # for it: market_data.lockstep).
                "ZTRADE__market_data__lockstep": "false",
                "ZTRADE_CONTROL_TOKEN": "test-token"})
    config = str(default_config())
    cfg = _core.engine_config(config, {k: v for k, v in env.items() if k.startswith("ZTRADE__")})
    tap, lock, stop = Tap(), threading.Lock(), threading.Event()
    sock = zmq.Context.instance().socket(zmq.SUB)
    sock.setsockopt(zmq.SUBSCRIBE, b"")
    sock.setsockopt(zmq.RCVHWM, 0)
    # Reconnect to the restarted execution before risk does (libzmq's default is 100 ms for
    # both): risk has execution re-report every unfinished order as soon as it hears the new
    # process, and this observer must not miss those reports.
    sock.setsockopt(zmq.RECONNECT_IVL, 5)
    for name in ("market_data", "signals", "risk", "execution"):
        sock.connect(cfg["endpoints"][name])
    reports = []

    def listen():
        from ztrade import wire
        while not stop.is_set():
            if sock.poll(100):
                topic, frame = sock.recv_multipart()
                with lock:
                    tap.on_frame(topic, frame)
                    tap.finish()  # decode now: the test reads counts while running
                    m = wire.decode(frame)
                    if m.type == "execution_report":
                        reports.append(m.body)

    listener = threading.Thread(target=listen)
    listener.start()

    def start(name):
        log = open(run_dir / f"{name}.log", "ab")
        return subprocess.Popen([find_binary(f"ztrade-{name}"), "--config", config], env=env,
                                stdout=subprocess.DEVNULL, stderr=log)

    procs = {n: start(n) for n in ("execution", "risk", "signal-bridge", "market-data")}

    def count(what):
        with lock:
            return tap.counts[what]

    try:
        wait_until(lambda: count("report_fill") >= 8, 60, "fills before the kill")
        procs["execution"].send_signal(signal.SIGKILL)
        procs["execution"].wait()
        bars_then, orders_then = count("bar"), count("new_order")
        # Bars and orders flow on while execution is dead.
        wait_until(lambda: count("bar") >= bars_then + 50 and count("new_order") > orders_then,
                   30, "orders during the outage")
        procs["execution"] = start("execution")
        # The restarted execution resumed from its journal, with what the first one recorded.
        status = wait_until(lambda: _status(ops_port("execution")), 30,
                            "the restarted execution's /status")
        assert status["restored_records"] > 0, status
        wait_until(lambda: tap.states.get("market-data") == wire.ComponentState.DONE, 60,
                   "the end of the market data")
        # Every order risk sent is finished: re-sent ones filled.
        wait_until(lambda: metrics(ops_port("risk")).get('ztrade_orders_unfinished{component="risk"}') == 0,
                   30, "risk's orders to finish")
        # The outage really lost orders and risk re-sent them; risk saw the restart and had
        # execution re-report every unfinished order, so fills whose reports died with the
        # killed process are not counted again as pending.
        risk = wait_until(lambda: metrics(ops_port("risk")), 10, "risk's metrics")
        assert risk['ztrade_orders_resent_total{component="risk"}'] > 0
        assert risk['ztrade_execution_restarts_total{component="risk"}'] == 1
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs.values():
            p.wait(15)
        stop.set()
        listener.join()
        sock.close(0)

    assert all(p.returncode == 0 for p in procs.values()), {n: p.returncode for n, p in procs.items()}

    # No order executed twice: per order, the cumulative quantity never exceeds the order's,
    # and the position equals the sum of the (deduplicated) fills.
    orders = {}
    with lock:
        for oid, (_, symbol, _) in tap.orders.items():
            orders[oid] = symbol
    cum = defaultdict(float)
    side = {}
    for r in reports:
        cum[r["client_order_id"]] = max(cum[r["client_order_id"]], r["cum_qty"])
        side[r["client_order_id"]] = r["side"]
    net = sum(q if side[o] == 1 else -q for o, q in cum.items())
    final = tap.positions["SAMPLE"]
    assert final["quantity"] == net
    for oid, q in cum.items():
        assert q <= 200.0, (oid, q)  # orders are 100 or 200 units
    # Everything risk decided was eventually executed: the same end position as an
    # uninterrupted session (the fill prices of orders made during the outage may differ).
    assert final["quantity"] == -100.0
