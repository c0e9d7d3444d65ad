"""The engine end to end: the four processes (and the threads and inline deployments) on the
bundled sample, checked order by order against an independent Python model of the same pipeline;
invalid configuration; bad frames pushed at the signal ingress; a Python strategy's signal
making the round trip to a fill."""
import json
import subprocess
import threading
import time
import urllib.error
import urllib.request

import numpy as np
import pytest
import zmq

from engine_helpers import metrics, ops_port, wait_until
from ztrade import FeatureComputer, wire
from ztrade.data import load_bars_csv, sample_path
from ztrade.launcher import StopRequest, find_binary, run_engine
from ztrade.strategy import Signal, Strategy, run_live

# macd_rsi with short periods and open RSI gates, and risk limits out of the way: most bars
# become orders.
ORDERS_ON_MOST_BARS = {
    **{f"ZTRADE__signal_bridge__{k}": v for k, v in
       {"macd_fast": "2", "macd_slow": "3", "macd_signal": "2", "rsi_buy_below": "100",
        "rsi_sell_above": "0"}.items()},
    **{f"ZTRADE__risk__{k}": v for k, v in
       {"max_orders_per_s": "1000", "daily_loss_limit": "1e9", "max_order_notional": "1e9",
        "price_band_pct": "50"}.items()}}


def expected_session(order_size=100.0, slippage_bps=1.0, rsi_buy_below=50.0, rsi_sell_above=50.0,
                     daily_loss_limit=None):
    """The pipeline, re-derived in Python: features -> macd_rsi rule -> target position ->
    risk's daily-loss check in event time (the fills made by the signal's bar, marked to its
    close, less the P&L at the trading day's start: UTC midnight) -> market order -> fill at
    the next bar's open with slippage -> average-cost P&L."""
    b = load_bars_csv(sample_path())
    m = FeatureComputer().compute_batch(b["open"], b["high"], b["low"], b["close"], b["volume"])
    hist, rsi, n = m[:, 4], m[:, 1], len(m)
    total, qty, avg, realized, orders, fills = 0.0, 0.0, 0.0, 0.0, [], 0
    rejects, halted = {}, False
    ts = b["ts_ns"]
    day_ns = 86_400 * 10**9
    log: list[tuple[int, float, float]] = []  # fills: (time, signed qty, price)
    day, day_start = None, 0.0

    def pnl_at(t: int) -> float:
        """The fills made by t, marked to the close of the last bar starting at or before t."""
        q = a = r = 0.0
        for when, d, px in log:
            if when > t:
                continue
            if q == 0 or (q > 0) == (d > 0):
                a, q = (a * abs(q) + px * abs(d)) / abs(q + d), q + d
            else:
                r += min(abs(d), abs(q)) * (px - a) * (1 if q > 0 else -1)
                a, q = (0.0 if q + d == 0 else (px if (q + d > 0) != (q > 0) else a)), q + d
        k = int(np.searchsorted(ts, t, side="right")) - 1
        return r + q * (b["close"][k] - a)

    for i in range(34, n):
        prev, cur = hist[i - 1], hist[i]
        if prev <= 0 < cur and rsi[i] < rsi_buy_below:
            target = order_size
        elif prev >= 0 > cur and rsi[i] > rsi_sell_above:
            target = -order_size
        else:
            continue
        delta = target - total
        if abs(delta) < 0.5:
            continue
        if daily_loss_limit is not None:
            # The day's loss (risk.day_boundary "UTC 00:00"): from the P&L at the day's start;
            # a new day ends a daily-loss halt.
            today = int(ts[i]) // day_ns
            if day is None:
                day = today
            elif today > day:
                day, day_start, halted = today, pnl_at(today * day_ns), False
            if halted or pnl_at(int(ts[i])) - day_start <= -daily_loss_limit:
                reason = "trading_halted" if halted else "daily_loss"
                rejects[reason] = rejects.get(reason, 0) + 1
                halted = True
                continue
        total = target
        orders.append((i, delta))
        if i + 1 >= n:
            continue  # decided on the last bar: nothing left to fill it
        px = b["open"][i + 1]
        px = px + px * slippage_bps / 10000 if delta > 0 else px - px * slippage_bps / 10000
        fills += 1
        log.append((int(ts[i + 1]), delta, px))
        if qty == 0 or (qty > 0) == (delta > 0):
            avg = (avg * abs(qty) + px * abs(delta)) / abs(qty + delta)
            qty += delta
        else:
            closed = min(abs(delta), abs(qty))
            realized += closed * (px - avg) * (1 if qty > 0 else -1)
            new_qty = qty + delta
            avg = 0.0 if new_qty == 0 else (px if (new_qty > 0) != (qty > 0) else avg)
            qty = new_qty
    mark = b["close"][-1]
    return {"orders": len(orders), "fills": fills, "qty": qty, "avg": avg, "realized": realized,
            "unrealized": qty * (mark - avg), "mark": mark, "rejects": rejects}


@pytest.fixture(scope="module")
def expected():
    return expected_session()


@pytest.mark.parametrize("deployment", ["processes", "threads", "inline"])
def test_session_matches_independent_model(tmp_path, expected, deployment):
    s = run_engine(run_dir=str(tmp_path / "run"), deployment=deployment,
                   progress=lambda *a: None, timeout_s=120)
    assert s["deployment"] == deployment
    assert s["exit_codes"] == ({"engine": 0} if deployment != "processes" else
                               {"execution": 0, "risk": 0, "signal-bridge": 0, "market-data": 0})
    assert s["bars"] == 5000 and s["features"] == 5000
    assert s["orders"] == expected["orders"] and s["accepted"] == expected["orders"]
    assert s["fills"] == expected["fills"] and s["partial_fills"] == 0
    assert s["rejects"] == {}
    assert list(s["positions"]) == ["SAMPLE"]
    pos = s["positions"]["SAMPLE"]
    assert pos["quantity"] == expected["qty"]
    assert pos["avg_price"] == pytest.approx(expected["avg"], rel=1e-12)
    assert pos["realized_pnl"] == pytest.approx(expected["realized"], rel=1e-9, abs=1e-6)
    assert pos["mark_price"] == expected["mark"]
    assert pos["unrealized_pnl"] == pytest.approx(expected["unrealized"], rel=1e-9, abs=1e-6)
    assert s["bus_gaps_seen_by_tap"] == 0 and s["decode_errors"] == {}
    for hop in ("market-data -> signal-bridge", "signal-bridge -> risk", "risk -> execution"):
        assert s["latency"][hop]["count"] > 0
    assert (tmp_path / "run" / "summary.json").is_file()
    assert set(s["peak_rss_mb"]) == set(s["exit_codes"]) and all(v > 0 for v in s["peak_rss_mb"].values())
    assert s["health"] == {name: 0 for name in s["health"]} and \
        "execution.ztrade_sim_history_overruns_total" in s["health"]


def test_daily_loss_limit_is_decided_in_event_time_at_full_speed(tmp_path):
    """A loss limit that trips mid-session: every full-speed run, in any deployment, halts
    at the same bar as the model - risk takes the P&L of the fills made by each signal's time,
    marked to that time's price, not whatever mix of late reports and newer prices it holds."""
    want = expected_session(slippage_bps=100, daily_loss_limit=1000)
    # The limit trips on more than one day: each new day (UTC) ends the halt, and it trips again.
    assert want["rejects"].get("daily_loss", 0) >= 2 and want["rejects"].get("trading_halted", 0) > 0
    overrides = {"ZTRADE__risk__daily_loss_limit": "1000", "ZTRADE__execution__slippage_bps": "100"}
    for run, deployment in enumerate(["processes", "threads", "inline", "processes", "threads"]):
        s = run_engine(run_dir=str(tmp_path / f"run{run}"), deployment=deployment,
                       overrides=overrides, progress=lambda *a: None, timeout_s=120)
        assert (s["orders"], s["rejects"]) == (want["orders"], want["rejects"]), (run, deployment)
        assert s["fills"] == want["fills"]
        pnl = s["realized_pnl"] + s["unrealized_pnl"]
        assert pnl == pytest.approx(want["realized"] + want["unrealized"], rel=1e-9)


def test_session_over_curve_encrypted_sockets(tmp_path, expected):
    # Every bound socket a CURVE server, every connecting one a client, the launcher's tap too.
    public, secret = zmq.curve_keypair()
    keys = {"public": public, "secret": secret}
    for name, key in keys.items():
        (tmp_path / f"{name}.key").write_bytes(key + b"\n")
    overrides = {"ZTRADE__bus__curve__enabled": "true",
                 "ZTRADE__bus__curve__public_key_file": str(tmp_path / "public.key"),
                 "ZTRADE__bus__curve__secret_key_file": str(tmp_path / "secret.key"),
                 "ZTRADE__bus__curve__server_public_key_file": str(tmp_path / "public.key")}
    s = run_engine(run_dir=str(tmp_path / "run"), overrides=overrides, progress=lambda *a: None,
                   timeout_s=120)
    assert s["orders"] == expected["orders"] and s["fills"] == expected["fills"]
    assert s["positions"]["SAMPLE"]["quantity"] == expected["qty"]
    (tmp_path / "secret.key").write_text("not a key\n")
    r = subprocess.run([find_binary("ztrade-risk"), "--config",
                        str(__import__("ztrade.launcher").launcher.default_config())],
                       env={**__import__("os").environ, **overrides,
                            "ZTRADE__engine__run_dir": str(tmp_path / "run2")},
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 1 and "secret_key_file" in r.stderr and "40-character" in r.stderr


def test_bad_allow_list_or_cpu_set_stops_a_process_at_start(tmp_path):
    """A malformed authorized_keys_file and a CPU the machine does not have are start-up
    errors naming what is wrong, not a process that runs half-configured."""
    import os
    public, secret = zmq.curve_keypair()
    (tmp_path / "public.key").write_bytes(public + b"\n")
    (tmp_path / "secret.key").write_bytes(secret + b"\n")
    (tmp_path / "authorized").write_text("# clients\n" + zmq.curve_keypair()[0].decode()
                                         + "\nnot-a-key\n")
    base = {**os.environ, "ZTRADE__engine__run_dir": str(tmp_path / "run"),
            "ZTRADE__risk__ops_port": "0"}
    curve = {"ZTRADE__bus__curve__enabled": "true",
             "ZTRADE__bus__curve__public_key_file": str(tmp_path / "public.key"),
             "ZTRADE__bus__curve__secret_key_file": str(tmp_path / "secret.key"),
             "ZTRADE__bus__curve__server_public_key_file": str(tmp_path / "public.key"),
             "ZTRADE__bus__curve__authorized_keys_file": str(tmp_path / "authorized")}
    config = str(__import__("ztrade.launcher").launcher.default_config())
    r = subprocess.run([find_binary("ztrade-risk"), "--config", config], env={**base, **curve},
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 1
    assert "authorized_keys_file" in r.stderr and ":3: expected a 40-character" in r.stderr
    r = subprocess.run([find_binary("ztrade-risk"), "--config", config],
                       env={**base, "ZTRADE__engine__cpus": "[1000]"},
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 1 and "engine.cpus: cannot run on those CPUs" in r.stderr


def test_kill_switch_token_from_env_file(tmp_path):
    # Only risk runs: its control socket answers whatever the rest of the engine is doing.
    env_file = tmp_path / "secrets.env"
    env_file.write_text("# secrets\nexport ZTRADE_CONTROL_TOKEN='s3cret'\n")
    run_dir = tmp_path / "run"
    env = {k: v for k, v in __import__("os").environ.items() if k != "ZTRADE_CONTROL_TOKEN"}
    env["ZTRADE__engine__run_dir"] = str(run_dir)
    with __import__("socket").socket() as probe:  # a free port for risk's ops endpoint
        probe.bind(("127.0.0.1", 0))
        ops_port = probe.getsockname()[1]
    env["ZTRADE__risk__ops_port"] = str(ops_port)
    config = str(__import__("ztrade.launcher").launcher.default_config())
    p = subprocess.Popen([find_binary("ztrade-risk"), "--config", config, "--env-file",
                          str(env_file)], env=env, stderr=subprocess.PIPE, text=True)
    try:
        req = zmq.Context.instance().socket(zmq.REQ)
        req.setsockopt(zmq.RCVTIMEO, 5000)
        req.setsockopt(zmq.LINGER, 0)
        req.connect(f"ipc://{run_dir}/risk-control.sock")

        def ask(text):
            req.send(text.encode())
            return req.recv().decode()

        # No execution runs: risk does not know the positions, so it trades nothing new.
        assert ask("STATE") == "OK REDUCING"
        assert ask("HALT wrong") == "DENIED"
        assert ask("STATE") == "OK REDUCING"
        assert ask("HALT s3cret") == "OK HALTED"
        assert ask("REDUCE s3cret") == "OK REDUCING"
        assert ask("RESUME s3cret") == "OK REDUCING (ACTIVE once execution reports positions)"
        req.close()
        denied = 'ztrade_control_requests_total{component="risk",result="denied"}'
        wait_until(lambda: metrics(ops_port).get(denied) == 1, 10, "the denied request counted")
    finally:
        p.terminate()
        _, err = p.communicate(timeout=15)
    assert p.returncode == 0
    assert "s3cret" not in err  # the secret never reaches the log


def test_alpaca_broker_without_keys_is_refused_at_start(tmp_path):
    # execution.broker = "alpaca_paper" needs the key pair in the environment (or an env
    # file): without it execution stops at once with one clear line naming the variables.
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("APCA_")}
    env.update({"ZTRADE__engine__run_dir": str(tmp_path / "run"),
                "ZTRADE__execution__broker": "alpaca_paper", "ZTRADE__execution__ops_port": "0"})
    config = str(__import__("ztrade.launcher").launcher.default_config())
    r = subprocess.run([find_binary("ztrade-execution"), "--config", config], env=env,
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 1
    assert "APCA_API_KEY_ID and APCA_API_SECRET_KEY" in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_invalid_config_lists_every_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[risk]\nmax_order_qty = -1\nmax_postion = 5\n[market_data]\nvenue = "nyse"\n')
    r = subprocess.run([find_binary("ztrade-risk"), "--config", str(bad)], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 2
    for text in ("3 problems", "risk.max_order_qty: must be > 0", "risk.max_postion: unknown key",
                 "market_data.venue: must be one of replay, synthetic"):
        assert text in r.stderr
    r = subprocess.run([find_binary("ztrade-execution")], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "--config FILE is required" in r.stderr
    missing_env = tmp_path / "missing.env"
    r = subprocess.run([find_binary("ztrade-execution"), "--config", str(bad), "--env-file",
                        str(missing_env)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "cannot read env file" in r.stderr


def _run_in_thread(**kwargs):
    result = {}

    def target():
        try:
            result["summary"] = run_engine(progress=lambda *a: None, timeout_s=120, **kwargs)
        except Exception as exc:  # surfaced by the test
            result["error"] = exc

    t = threading.Thread(target=target)
    t.start()
    return t, result


def _wait_for(path, timeout=20):
    wait_until(path.exists, timeout, str(path))


def _http_json(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as r:
            return json.loads(r.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None


def test_bad_frames_at_the_ingress_are_counted_not_fatal(tmp_path):
    run_dir = tmp_path / "run"
    # ~4 s of replay (5000 one-minute bars at 75,000x), so there is time to push frames.
    t, result = _run_in_thread(run_dir=str(run_dir),
                               overrides={"ZTRADE__market_data__replay__speed": "75000"})
    # SAMPLE must be a known symbol before the pushes.
    wait_until(lambda: (_http_json(ops_port("signal-bridge"), "/status") or {}).get("symbols", 0) >= 1)
    push = zmq.Context.instance().socket(zmq.PUSH)
    push.setsockopt(zmq.LINGER, 1000)
    push.connect(f"ipc://{run_dir}/signal-ingress.sock")
    now = time.time_ns()
    push.send(b"just-one-part")
    push.send_multipart([b"sig.x", b"garbage that is not a frame"])
    push.send_multipart([b"sig.x", wire.encode("trade", symbol="SAMPLE", price=1.0)])
    push.send_multipart([b"sig.x", wire.encode("signal", symbol="SAMPLE", strategy="bad",
                                               strength=5.0, direction=1, signal_ns=now)])
    push.send_multipart([b"sig.x", wire.encode("signal", symbol="NOPE", strategy="bad",
                                               strength=0.5, direction=1, signal_ns=now)])
    push.send_multipart([b"sig.x", wire.encode("signal", symbol="SAMPLE", strategy="bad",
                                               strength=0.5, direction=-1, signal_ns=now)])
    push.send_multipart([b"sig.x", wire.encode("signal", symbol="SAMPLE", strategy="bad",
                                               strength=0.5, direction=1,
                                               signal_ns=now - 60 * 10**9)])
    push.close()
    rejected = 'ztrade_external_signals_rejected_total{component="signal-bridge",reason="%s"}'
    reasons = ("not_a_signal", "bad_strength", "unknown_symbol", "direction_mismatch", "stale")
    wait_until(lambda: all(metrics(ops_port("signal-bridge")).get(rejected % r) == 1 for r in reasons))
    t.join(120)
    assert "error" not in result, result.get("error")
    s = result["summary"]
    assert all(code == 0 for code in s["exit_codes"].values())
    # The two undecodable frames were dropped at the ingress and counted with the bridge's
    # drops; nothing went missing on its market-data subscription.
    assert s["bus_losses"]["signal-bridge"]["dropped"] == 2
    assert s["bus_losses"]["signal-bridge"]["missing"] == 0


class BuyOnce(Strategy):
    name = "py_test"

    def __init__(self):
        self.sent = False

    def on_features(self, symbol, features, bar_ns):
        if features.ready and not self.sent:
            self.sent = True
            return Signal(symbol, 0.3, metadata='{"test":true}')
        return None


@pytest.mark.parametrize("deployment", ["processes", "inline"])
def test_python_strategy_signal_round_trips_to_a_fill(tmp_path, deployment):
    run_dir = tmp_path / "run"
    t, result = _run_in_thread(run_dir=str(run_dir), deployment=deployment, overrides={
        "ZTRADE__signal_bridge__strategies": "[]",  # only the Python strategy trades
        "ZTRADE__market_data__replay__speed": "100000"})
    _wait_for(run_dir / "signals.sock")
    stop = threading.Event()

    def session_over() -> None:  # the strategy runs as long as the session does
        t.join()
        stop.set()

    threading.Thread(target=session_over, daemon=True).start()
    # Attached mid-session without its warm-up: the first ready features it sees decide.
    stats = run_live(BuyOnce(), str(__import__("ztrade.launcher").launcher.default_config()),
                     {"ZTRADE__engine__run_dir": str(run_dir)}, stop=stop, warm_up=False)
    t.join(120)
    assert "error" not in result, result.get("error")
    s = result["summary"]
    assert stats["signals"] == 1 and stats["features"] > 0
    assert s["orders"] == 1 and s["fills"] == 1
    assert s["positions"]["SAMPLE"]["quantity"] == 30.0  # 0.3 x order_size 100


def test_inline_deployment_serves_the_kill_switch_while_streaming(tmp_path):
    """One thread runs all four components, yet HALT on risk's control socket is answered
    mid-stream: later signals are refused as trading_halted, no order follows, and a stop
    request ends the session cleanly."""
    run_dir = tmp_path / "run"
    stop = StopRequest()
    t, result = _run_in_thread(run_dir=str(run_dir), deployment="inline", stop=stop, overrides={
        "ZTRADE__market_data__venue": "synthetic",
        "ZTRADE__market_data__synthetic__rate_per_s": "2000",
        "ZTRADE__market_data__synthetic__duration_s": "60",
        "ZTRADE__market_data__bar_interval_s": "0.01", **ORDERS_ON_MOST_BARS})
    try:
        risk_port = ops_port("risk")
        sent = 'ztrade_orders_sent_total{component="risk"}'
        halted = 'ztrade_risk_rejects_total{component="risk",reason="trading_halted"}'
        wait_until(lambda: metrics(risk_port).get(sent, 0) >= 3, 30, "orders flowing")
        req = zmq.Context.instance().socket(zmq.REQ)
        req.setsockopt(zmq.RCVTIMEO, 5000)
        req.setsockopt(zmq.LINGER, 0)
        req.connect(f"ipc://{run_dir}/risk-control.sock")
        req.send(b"HALT " + (run_dir / "control.token").read_bytes())
        assert req.recv() == b"OK HALTED"
        req.close()
        at_halt = wait_until(lambda: metrics(risk_port).get(sent), 10, "risk's metrics")
        wait_until(lambda: metrics(risk_port).get(halted, 0) >= 3, 30, "signals refused")
        assert metrics(risk_port)[sent] <= at_halt + 1  # at most one decided as HALT arrived
    finally:
        stop.request("test over")
        t.join(60)
    assert "error" not in result, result.get("error")
    s = result["summary"]
    assert s["exit_codes"] == {"engine": 0} and s["interrupted"]
    assert s["rejects"]["trading_halted"] >= 3
    assert s["bus_gaps_seen_by_tap"] == 0


def _journal(path):
    """(kind, client_order_id, ts_ns, quantity, price) of each record of an execution journal
    (engine/execution/journal.hpp: 80-byte records)."""
    import struct
    data = path.read_bytes()
    rows = []
    for off in range(0, len(data) - len(data) % 80, 80):
        _magic, _ver, kind, _side, _type, oid, ts = struct.unpack_from("<IBBBBQq", data, off)
        qty, price = struct.unpack_from("<dd", data, off + 56)
        rows.append((kind, oid, ts, qty, price))
    return rows


def test_trades_inside_the_decision_bar_never_fill_its_order(tmp_path):
    """Trades replayed into one-minute bars: an order decided on a bar (at its close) fills at
    a trade after the one that closed the bar (market-data publishes a bar when that trade
    arrives, so execution has seen it) - never at a trade inside the bar it was decided on,
    which the decision could not yet know, nor at one execution had already seen."""
    import numpy as np
    minute = 60_000_000_000
    n = 400 * 6  # a trade every 10 s for 400 minutes
    rng = np.random.default_rng(7)
    price = np.round(100 * np.exp(np.cumsum(rng.normal(0, 0.002, n))), 4)
    ts = 1_700_000_000 * 1_000_000_000 // minute * minute + np.arange(n) * 10_000_000_000 + 1
    csv = tmp_path / "trades.csv"
    csv.write_text("ts_ns,price,size\n" + "".join(f"{t},{p},10\n" for t, p in zip(ts, price)))
    s = run_engine(run_dir=str(tmp_path / "run"), deployment="inline", progress=lambda *a: None,
                   timeout_s=120, overrides={
                       "ZTRADE__market_data__replay__file": str(csv),
                       "ZTRADE__market_data__replay__format": "trades",
                       "ZTRADE__market_data__bar_interval_s": "60", **ORDERS_ON_MOST_BARS})
    assert s["fills"] > 20
    records = _journal(tmp_path / "run" / "execution.journal")
    decided = {oid: t for kind, oid, t, _, _ in records if kind == 0}  # the order's time
    fills = [(oid, t) for kind, oid, t, _, _ in records if kind == int(wire.ExecType.FILL)]
    assert len(fills) == s["fills"]
    for oid, t in fills:
        # The order's time: the trade that closed its bar (the first of a minute, at +1 ns).
        assert decided[oid] % minute == 1, (oid, decided[oid])
        assert t > decided[oid], (oid, decided[oid], t)
