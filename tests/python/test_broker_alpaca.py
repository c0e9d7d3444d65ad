"""execution.broker = "alpaca_paper": the four processes trade through Alpaca's trading API -
here the protocol-true test server (venue_servers/alpaca_trading.py, itself proven against
alpaca-py) - and every order, fill and position agrees with the broker's, whatever the
network does: no order is sent twice, no fill is lost or counted twice."""
from __future__ import annotations

import time
from collections import Counter

import pytest

from engine_helpers import ops_port, wait_until
from venue_servers.alpaca_trading import AlpacaTradingServer
from ztrade.launcher import run_engine
from ztrade.summary import format_summary

pytest.importorskip("aiohttp", reason="aiohttp serves the Alpaca test server (pip install -e .[test])")


@pytest.fixture
def alpaca(tmp_path, monkeypatch):
    server = AlpacaTradingServer(tmp_path).start()
    server.default_price = 110.0
    monkeypatch.setenv("APCA_API_KEY_ID", server.key)
    monkeypatch.setenv("APCA_API_SECRET_KEY", server.secret)
    yield server
    server.stop()


def overrides(server: AlpacaTradingServer, **extra: str) -> dict[str, str]:
    o = {"ZTRADE__execution__broker": "alpaca_paper",
         "ZTRADE__execution__alpaca__trading_url": server.trading_url,
         "ZTRADE__execution__alpaca__stream_url": server.stream_url,
         "ZTRADE__execution__alpaca__ca_file": str(server.ca_file),
         "ZTRADE__execution__alpaca__settle_timeout_s": "10",
         "ZTRADE__execution__alpaca__request_timeout_ms": "2000"}
    o.update({f"ZTRADE__{k}": v for k, v in extra.items()})
    return o


def run(tmp_path, server, name="run", **extra):
    return run_engine(run_dir=str(tmp_path / name), overrides=overrides(server, **extra),
                      progress=lambda *a: None, timeout_s=240)


def assert_agrees_with_broker(summary: dict, server: AlpacaTradingServer) -> dict:
    """No order sent twice, every engine order at the broker once, positions equal."""
    snap = server.snapshot()
    posted = server.posted_client_ids()
    at_broker = Counter(o["client_order_id"] for o in snap["orders"])
    assert all(n == 1 for n in at_broker.values()), "an order was created twice at the broker"
    engine_qty = {s: p["quantity"] for s, p in summary["positions"].items() if p["quantity"]}
    assert engine_qty == pytest.approx(snap["positions"]), (engine_qty, snap["positions"])
    assert summary["broker"]["positions"] == pytest.approx(snap["positions"])
    assert summary["open_orders"] == 0
    return {"posted": posted, "orders": snap["orders"], "log": snap["log"]}


def test_a_replay_trades_through_alpaca_and_agrees_with_the_broker(tmp_path, alpaca):
    s = run(tmp_path, alpaca)
    assert s["exit_codes"] == {"execution": 0, "risk": 0, "signal-bridge": 0, "market-data": 0}
    assert s["orders"] > 10 and s["accepted"] == s["orders"]
    got = assert_agrees_with_broker(s, alpaca)
    # One POST per order, each with the engine's deterministic client_order_id.
    assert len(got["posted"]) == s["orders"] == len(set(got["posted"]))
    assert all(cid.startswith("ztrade-") for cid in got["posted"])
    assert s["fills"] == s["orders"] and s["exec_rejects"] == 0
    assert all(o["status"] == "filled" for o in got["orders"])
    assert s["health"] == {name: 0 for name in s["health"]}
    # The summary puts the broker's positions beside the engine's, and they agree.
    text = format_summary(s)
    assert "broker qty" in text and "positions differ" not in text
    # The keys reach no log.
    for log in (tmp_path / "run").glob("*.log"):
        assert alpaca.secret not in log.read_text(), log


def test_partial_fills_fills_before_the_post_returns_and_a_dropped_stream(tmp_path, alpaca):
    alpaca.fill_chunks = 3
    alpaca.fill_before_response = True
    s = run(tmp_path, alpaca)
    got = assert_agrees_with_broker(s, alpaca)
    assert len(got["posted"]) == len(set(got["posted"])) == s["orders"]
    # Fills the POST's answer already shows arrive once, whichever of it and the stream comes
    # first (a view of the order after all three executions books them as one fill).
    assert s["fills"] == s["orders"] and s["partial_fills"] <= 2 * s["orders"]


def test_lost_post_answers_are_looked_up_never_sent_twice(tmp_path, alpaca):
    # The first order's POST creates it but is never answered (the client times out); the
    # second's is created and answered 500; the third is refused with 500 before creating it;
    # the fourth is rate limited. Each is resolved by client_order_id before any re-send.
    alpaca.post_faults = ["hang", "500_created", "500", "429"]
    s = run(tmp_path, alpaca)
    got = assert_agrees_with_broker(s, alpaca)
    posted = Counter(got["posted"])
    # Only the orders Alpaca did not create were posted again.
    assert sorted(posted.values(), reverse=True)[:3] == [2, 2, 1]
    lookups = [r for r in got["log"] if r["path"] == "/v2/orders:by_client_order_id"]
    assert len(lookups) >= 3
    assert s["fills"] == s["orders"]


def test_fills_made_while_the_stream_was_down_are_reported_once(tmp_path, alpaca):
    # The stream is refused for a stretch of the session: every event meanwhile is lost, as
    # Alpaca loses them; the resync after the reconnect recovers each fill exactly once.
    import threading

    def outage():
        wait_until(lambda: len(alpaca.posted_client_ids()) >= 3, timeout=60, what="three orders")
        alpaca.stream_refused = True
        alpaca.drop_stream()
        wait_until(lambda: len(alpaca.posted_client_ids()) >= 8, timeout=60, what="eight orders")
        alpaca.stream_refused = False

    t = threading.Thread(target=outage, daemon=True)
    t.start()
    s = run(tmp_path, alpaca)
    t.join(5)
    got = assert_agrees_with_broker(s, alpaca)
    snap = alpaca.snapshot()
    assert snap["events_lost"] > 0, "the outage lost events, as intended"
    assert s["fills"] == s["orders"] == len(set(got["posted"]))


@pytest.mark.parametrize("mode", ["before_cancel", "after_canceled"])
def test_a_fill_after_a_cancel_counts(tmp_path, alpaca, mode):
    # Limit orders far from the price rest; the session's end cancels them - and Alpaca fills
    # them anyway (racing the cancel, or even after reporting it canceled). The fills count.
    alpaca.fill_after_cancel = mode
    alpaca.default_price = 150.0  # above every sample price: buys rest, sells fill at once
    s = run(tmp_path, alpaca, **{"risk__order_type": '"limit"',
                                 "execution__alpaca__settle_timeout_s": "1"})
    assert_agrees_with_broker(s, alpaca)


def test_a_refused_order_reaches_risk_and_the_summary_with_its_reason(tmp_path, alpaca):
    # Less cash than one order costs: Alpaca refuses the buys (403 insufficient buying power)
    # and takes the sells (shorting is allowed).
    alpaca.run(lambda: setattr(alpaca, "cash", 5_000.0))
    s = run(tmp_path, alpaca)
    assert s["exec_reject_reasons"].get("insufficient_funds", 0) > 0
    assert s["exec_rejects"] == sum(s["exec_reject_reasons"].values())
    assert s["exec_rejects_seen_by_risk"] == s["exec_rejects"]
    assert_agrees_with_broker(s, alpaca)


def test_market_orders_outside_market_hours_are_refused_before_sending(tmp_path, alpaca):
    alpaca.market_open = False
    s = run(tmp_path, alpaca)
    assert s["orders"] > 0 and s["exec_reject_reasons"] == {"market_closed": s["orders"]}
    assert alpaca.posted_client_ids() == []


def test_rate_limits_server_errors_and_slow_answers_are_ridden_out(tmp_path, alpaca):
    alpaca.request_faults = [429, 500, 503, 429]
    alpaca.delay_s = 0.05
    s = run(tmp_path, alpaca, **{"execution__alpaca__max_requests_per_min": "600"})
    got = assert_agrees_with_broker(s, alpaca)
    assert s["fills"] == s["orders"] and len(got["posted"]) >= s["orders"]
    at_broker = Counter(o["client_order_id"] for o in got["orders"])
    assert set(at_broker) == set(got["posted"])


def test_an_unexplained_broker_position_starts_reducing(tmp_path, alpaca):
    alpaca.add_position("SAMPLE", 50, 100.0)  # made by hand, not in the journal
    s = run(tmp_path, alpaca)
    assert s["broker"]["unexplained"] == 1 and s["broker"]["reduce_only"] is True
    # Nothing that adds exposure is sent: the engine believes itself flat, so nothing at all.
    assert s["orders"] == 0 and s["rejects"].get("reducing_only", 0) > 0
    assert alpaca.posted_client_ids() == []
    assert s["broker"]["positions"] == {"SAMPLE": 50}


def test_adopting_the_broker_position(tmp_path, alpaca):
    alpaca.add_position("SAMPLE", 50, 100.0)
    s = run(tmp_path, alpaca, **{"execution__alpaca__adopt_broker_state": "true"})
    assert s["broker"]["unexplained"] == 0 and s["broker"]["reduce_only"] is False
    assert s["orders"] > 0
    assert_agrees_with_broker(s, alpaca)


def _in_thread(fn):
    import threading
    result: dict = {}

    def target():
        try:
            result["value"] = fn()
        except Exception as exc:  # surfaced by the test
            result["error"] = exc

    t = threading.Thread(target=target, daemon=True)
    t.start()
    return t, result


def _halt(run_dir, token: str) -> None:
    """The kill switch: HALT on risk's control socket, answered OK."""
    import zmq

    from ztrade import _core
    from ztrade.launcher import default_config
    cfg = _core.engine_config(str(default_config()), {"ZTRADE__engine__run_dir": str(run_dir)})
    sock = zmq.Context.instance().socket(zmq.REQ)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(cfg["endpoints"]["risk_control"])
    sock.send_string(f"HALT {token}")
    assert sock.poll(5000) and sock.recv_string().startswith("OK HALTED")
    sock.close()


def test_the_kill_switch_cancels_every_open_order_at_alpaca(tmp_path, alpaca, monkeypatch):
    monkeypatch.setenv("ZTRADE_CONTROL_TOKEN", "kill-switch-token")
    alpaca.default_price = 150.0  # above every sample price: limit buys rest
    extra = {"risk__order_type": '"limit"', "market_data__replay__speed": "20000"}
    t, result = _in_thread(lambda: run(tmp_path, alpaca, **extra))

    def resting():
        return sum(o["status"] == "new" for o in alpaca.snapshot()["orders"])

    wait_until(lambda: resting() >= 2, timeout=60, what="resting orders at Alpaca")
    _halt(tmp_path / "run", "kill-switch-token")
    wait_until(lambda: resting() == 0, timeout=30, what="every resting order canceled")
    t.join(240)
    assert "error" not in result, result.get("error")
    s = result["value"]
    log = alpaca.snapshot()["log"]
    assert any(r["method"] == "DELETE" and r["path"] == "/v2/orders" for r in log)
    assert_agrees_with_broker(s, alpaca)


def test_kill_dash_nine_of_execution_mid_run_sends_nothing_twice(tmp_path, alpaca):
    import json as _json
    import os
    import signal
    import subprocess
    import urllib.request

    from ztrade.data import sample_path
    from ztrade.launcher import default_config, find_binary

    run_dir = tmp_path / "run"
    run_dir.mkdir()
    env = dict(os.environ)
    env.update(overrides(alpaca))
    env.update({"ZTRADE__engine__run_dir": str(run_dir),
                "ZTRADE__market_data__replay__file": str(sample_path()),
                "ZTRADE__market_data__replay__speed": "20000",
                "ZTRADE_CONTROL_TOKEN": "t"})
    # Fills trail the orders, so some are open at Alpaca when execution dies.
    alpaca.fill_delay_s = 0.2
    config = str(default_config())

    def start(name):
        log = open(run_dir / f"{name}.log", "ab")
        return subprocess.Popen([find_binary(f"ztrade-{name}"), "--config", config], env=env,
                                stdout=subprocess.DEVNULL, stderr=log)

    def status():
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{ops_port('execution')}/status", timeout=1) as r:
                return _json.loads(r.read())
        except OSError:
            return None

    procs = {n: start(n) for n in ("execution", "risk", "signal-bridge", "market-data")}
    try:
        wait_until(lambda: len(alpaca.posted_client_ids()) >= 6, 60, "orders before the kill")
        procs["execution"].send_signal(signal.SIGKILL)
        procs["execution"].wait(10)
        procs["execution"] = start("execution")
        final = wait_until(lambda: (st := status()) and st.get("settled") and st, 120,
                           "execution settled after the end of market data")
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs.values():
            p.wait(30)
    assert procs["execution"].returncode == 0
    snap = alpaca.snapshot()
    created = Counter(o["client_order_id"] for o in snap["orders"])
    assert all(n == 1 for n in created.values()), "an order was created twice at Alpaca"
    engine = {s: p["quantity"] for s, p in final["positions"].items() if p["quantity"]}
    assert engine == pytest.approx(snap["positions"])
    assert final["broker"]["positions"] == pytest.approx(snap["positions"])
    assert final["open_orders"] == 0


def test_a_python_strategys_signal_becomes_an_alpaca_order_and_its_fill_comes_back(tmp_path,
                                                                                  alpaca):
    import threading

    from ztrade.launcher import default_config
    from ztrade.strategy import Signal, Strategy, run_live

    class BuyOnceAndListen(Strategy):
        name = "py_alpaca"

        def __init__(self):
            self.sent = False
            self.fills: list = []

        def on_features(self, symbol, features, bar_ns):
            if features.ready and not self.sent:
                self.sent = True
                return Signal(symbol, 0.3)
            return None

        def on_fill(self, fill):
            self.fills.append(fill)
            return None

    run_dir = tmp_path / "run"
    t, result = _in_thread(lambda: run_engine(
        run_dir=str(run_dir), progress=lambda *a: None, timeout_s=240,
        overrides=overrides(alpaca, **{"signal_bridge__strategies": "[]",
                                       "market_data__replay__speed": "100000"})))
    wait_until((run_dir / "signals.sock").exists, 30, "the engine's sockets")
    strategy = BuyOnceAndListen()
    stop = threading.Event()

    def until_filled() -> None:
        deadline = time.monotonic() + 60
        while not strategy.fills and time.monotonic() < deadline and t.is_alive():
            time.sleep(0.05)
        stop.set()

    threading.Thread(target=until_filled, daemon=True).start()
    stats = run_live(strategy, str(default_config()), {"ZTRADE__engine__run_dir": str(run_dir)},
                     stop=stop, warm_up=False)
    t.join(240)
    assert "error" not in result, result.get("error")
    s = result["value"]
    assert stats["signals"] == 1
    posted = alpaca.posted_client_ids()
    assert len(posted) == 1 and s["orders"] == 1
    assert len(strategy.fills) == 1
    fill = strategy.fills[0]
    assert (fill.symbol, fill.side, fill.quantity, fill.price) == ("SAMPLE", "buy", 30.0, 110.0)
    assert f"ztrade-{fill.client_order_id}" == posted[0]
    assert_agrees_with_broker(s, alpaca)


# -- round 3: Alpaca's book is the truth ------------------------------------------------------

def _broker_metrics(s: dict) -> dict:
    return s["broker"]


def test_events_that_cannot_be_booked_are_looked_up_and_alpaca_s_book_wins(tmp_path, alpaca):
    # Fill events replaced, one each, by what the engine cannot book: cut short, without the
    # order, a wrong type, a price of 0, another symbol, another side - and one never sent.
    # The fills happened at Alpaca all the same. Every order ends booked as Alpaca has it.
    faults = ["malformed", "no_order", "wrong_type", "zero_price", "other_symbol", "other_side",
              "silent"]
    alpaca.event_faults = list(faults)
    s = run(tmp_path, alpaca)
    assert alpaca.event_faults == [], "every fault was sent"
    got = assert_agrees_with_broker(s, alpaca)
    assert s["fills"] == s["orders"] == len(set(got["posted"]))
    b = _broker_metrics(s)
    assert b["unbookable_events"]["malformed"] >= 3
    assert b["unbookable_events"]["bad_price"] == 1
    assert b["unbookable_events"]["contradicts_order"] == 2
    # Each was resolved from Alpaca's book: nothing left that the journal cannot square.
    assert b["unreconciled"] == 0 and b["reduce_only"] is False
    lookups = [r for r in got["log"] if r["path"] == "/v2/orders:by_client_order_id"]
    assert len(lookups) >= 4


def test_a_fill_beyond_the_order_is_booked_flagged_and_makes_risk_reduce(tmp_path, alpaca):
    alpaca.overfill_orders = 1  # Alpaca fills 150 of the first order's 100
    s = run(tmp_path, alpaca)
    snap = alpaca.snapshot()
    over = [o for o in snap["orders"] if float(o["filled_qty"]) > float(o["qty"])]
    assert len(over) == 1
    # The position is Alpaca's, excess included: the engine does not end believing otherwise.
    engine_qty = {k: v["quantity"] for k, v in s["positions"].items() if v["quantity"]}
    assert engine_qty == pytest.approx(snap["positions"])
    b = _broker_metrics(s)
    assert b["overfills"] == 1 and b["unreconciled"] >= 1 and b["reduce_only"] is True
    assert any("excess" in n for n in b["unreconciled_notes"])
    # Risk went REDUCING through execution's heartbeat: later orders adding exposure refused.
    assert s["rejects"].get("reducing_only", 0) > 0
    assert "not reconciled" in format_summary(s)


def test_a_cancel_refused_because_the_order_filled_is_looked_up(tmp_path, alpaca):
    # Resting limits are canceled at the session's end; each fills as the cancel arrives, its
    # event lost, and the cancel is answered 422. The lookup books every fill.
    alpaca.fill_after_cancel = "silent_422"
    alpaca.default_price = 150.0  # above every sample price: buys rest, sells fill at once
    s = run(tmp_path, alpaca, **{"risk__order_type": '"limit"',
                                 "execution__alpaca__settle_timeout_s": "1"})
    assert any(r["method"] == "DELETE" and r["path"].startswith("/v2/orders/")
               for r in alpaca.snapshot()["log"])
    assert_agrees_with_broker(s, alpaca)
    assert s["broker"]["unreconciled"] == 0


def test_an_hour_long_retry_after_fails_that_request_and_trading_goes_on(tmp_path, alpaca):
    alpaca.post_faults = ["429_long"]  # Retry-After: 3600 on the first order
    s = run(tmp_path, alpaca)
    assert s["exec_reject_reasons"] == {"rate_limited": 1}
    assert s["orders"] > 10 and s["fills"] == s["orders"] - 1
    assert s["duration_s"] < 120
    assert_agrees_with_broker(s, alpaca)


def test_the_kill_switch_never_waits_behind_a_request_sleeping_out_a_429(tmp_path, alpaca,
                                                                        monkeypatch):
    monkeypatch.setenv("ZTRADE_CONTROL_TOKEN", "kill-switch-token")
    alpaca.default_price = 150.0  # limit buys rest
    alpaca.post_faults = [None, None, "429_30"]  # the third order's POST sleeps 30 s
    extra = {"risk__order_type": '"limit"', "market_data__replay__speed": "20000"}
    t, result = _in_thread(lambda: run(tmp_path, alpaca, **extra))
    wait_until(lambda: len(alpaca.posted_client_ids()) >= 3, 60, "the third POST, answered 429")
    asked = time.monotonic()
    _halt(tmp_path / "run", "kill-switch-token")
    wait_until(lambda: any(r["method"] == "DELETE" and r["path"] == "/v2/orders"
                           for r in alpaca.snapshot()["log"]), 10,
               "cancel-all at Alpaca while the order queue sleeps out its 429")
    assert time.monotonic() - asked < 10
    t.join(240)
    assert "error" not in result, result.get("error")


def test_the_final_positions_do_not_race_a_lagging_position_book(tmp_path, alpaca):
    # Alpaca's positions trail its fills by half a second: read once at the end they would
    # differ (a false "positions differ"); read again until they agree, they do not.
    alpaca.positions_lag_s = 0.5
    s = run(tmp_path, alpaca)
    b = _broker_metrics(s)
    assert b["unreconciled"] == 0 and b["position_mismatches"] == []
    assert "positions differ" not in format_summary(s)
    alpaca.positions_lag_s = 0.0
    assert_agrees_with_broker(s, alpaca)


def test_broker_text_reaches_the_log_and_terminal_escaped(tmp_path, alpaca, capsys):
    from ztrade.cli import main

    # A foreign order whose client_order_id holds a newline and a forged log line, and a
    # position whose symbol holds a terminal escape (clear screen).
    forged = "2026-01-01T00:00:00Z info [execution] forged"  # a log line's shape
    alpaca.add_foreign_order("SAMPLE", "x\n" + forged)  # 46 characters: Alpaca allows 48
    s = run(tmp_path, alpaca)
    log = (tmp_path / "run" / "execution.log").read_text()
    assert not any(line.startswith(forged) for line in log.splitlines())
    assert "x\\n" + forged in log
    assert s["broker"]["unexplained"] >= 1
    alpaca.add_position("EVIL\x1b[2J\x1b]0;pwned\x07", 5, 10.0)
    rc = main(["broker", "--set", f"execution.alpaca.trading_url={alpaca.trading_url}",
               "--set", f"execution.alpaca.ca_file={alpaca.ca_file}", "positions"])
    out = capsys.readouterr().out
    assert rc == 0 and "\x1b" not in out and "\x07" not in out
    assert "EVIL\\x1b[2J" in out


def test_an_open_order_list_that_cannot_all_be_read_starts_reducing(tmp_path, alpaca):
    # An order at Alpaca the adapter cannot read (a client_order_id past Alpaca's own 48
    # characters): what else the list holds is unknown, so the session starts REDUCING.
    alpaca.add_foreign_order("SAMPLE", "y" * 60)
    s = run(tmp_path, alpaca)
    assert s["broker"]["unexplained"] >= 1 and s["broker"]["reduce_only"] is True
    assert s["orders"] == 0 and alpaca.posted_client_ids() == []
