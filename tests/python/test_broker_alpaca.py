"""execution.broker = "alpaca_paper": the four processes trade through Alpaca's trading API -
here the protocol-true test server (venue_servers/alpaca_trading.py, itself proven against
alpaca-py) - and every order, fill and position agrees with the broker's, whatever the
network does: no order is sent twice, no fill is lost or counted twice."""
from __future__ import annotations

from collections import Counter

import pytest

from engine_helpers import wait_until
from venue_servers.alpaca_trading import AlpacaTradingServer
from ztrade.launcher import run_engine

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
