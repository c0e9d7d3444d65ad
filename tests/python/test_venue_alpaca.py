"""Alpaca market data v2 end to end against a protocol-true local TLS server: connect, auth
with keys from the environment (never logged), subscribe, exact trades/quotes/bars on the
bus; wrong keys stop that venue for good while another venue goes on; a connection-limit
refusal is retried with backoff; missing keys are a clear start-up error."""
import os
import subprocess

import pytest

pytest.importorskip("websockets")
pytest.importorskip("trustme")

from venue_servers.alpaca import AlpacaServer
from venue_servers.feed_handler import FeedHandler
from venue_servers.kraken import KrakenServer
from ztrade.launcher import default_config, find_binary

KEYS = {"APCA_API_KEY_ID": "PKTEST", "APCA_API_SECRET_KEY": "s3cr3t-do-not-log"}


@pytest.fixture
def alpaca(tmp_path):
    (tmp_path / "a").mkdir()
    s = AlpacaServer(tmp_path / "a", secret=KEYS["APCA_API_SECRET_KEY"]).start()
    yield s
    s.stop()


def overrides(server, channels='["trades", "quotes", "bars", "updatedBars", "dailyBars"]'):
    return {"ZTRADE__market_data__alpaca__enabled": "true",
            "ZTRADE__market_data__alpaca__url": server.url,
            "ZTRADE__market_data__alpaca__ca_file": str(server.ca_file),
            "ZTRADE__market_data__alpaca__symbols": '{ "AAPL" = "AAPL", "SPY" = "SPY" }',
            "ZTRADE__market_data__alpaca__channels": channels}


def test_auth_subscribe_and_exact_messages(tmp_path, alpaca):
    feed = FeedHandler(tmp_path, overrides(alpaca), env=KEYS, servers=[alpaca])
    try:
        alpaca.wait_for(lambda: alpaca.requests("action", "subscribe"), what="subscribe")
        actions = [r["action"] for r in alpaca.received]
        assert actions[:2] == ["auth", "subscribe"]  # auth after "connected", then subscribe
        sub = alpaca.requests("action", "subscribe")[0]
        assert sub["trades"] == ["AAPL", "SPY"] and sub["dailyBars"] == ["AAPL", "SPY"]
        alpaca.data([
            {"T": "t", "i": 96921, "S": "AAPL", "x": "D", "p": 126.55, "s": 1,
             "t": "2021-02-22T15:51:44.208Z", "c": ["@", "I"], "z": "C"},
            {"T": "q", "S": "SPY", "bx": "U", "bp": 387.66, "bs": 1, "ax": "X", "ap": 387.67,
             "as": 4, "t": "2021-02-22T15:51:45.3355677Z", "c": ["R"], "z": "C"},
            {"T": "b", "S": "SPY", "o": 388.985, "h": 389.13, "l": 388.975, "c": 389.12,
             "v": 49378, "t": "2021-02-22T19:15:00Z", "n": 461, "vw": 389.062},
            {"T": "u", "S": "SPY", "o": 388.985, "h": 389.2, "l": 388.975, "c": 389.15,
             "v": 49500, "t": "2021-02-22T19:15:00Z", "n": 470, "vw": 389.07},
            {"T": "d", "S": "AAPL", "o": 125.0, "h": 127.0, "l": 124.5, "c": 126.55,
             "v": 749378, "t": "2021-02-22T05:00:00Z", "n": 9000, "vw": 126.0}])
        feed.wait_for(lambda: len(feed.messages("bar")) == 3 and feed.messages("quote")
                      and feed.messages("trade"), what="trade, quote and three bars")
        _, t = feed.messages("trade")[0]
        assert (t["symbol"], t["price"], t["size"], t["trade_id"]) == ("AAPL", 126.55, 1.0, 96921)
        assert t["exchange_ns"] == 1_614_009_104_208_000_000
        _, q = feed.messages("quote")[0]
        assert (q["bid_price"], q["ask_price"], q["ask_size"]) == (387.66, 387.67, 4.0)
        assert q["exchange_ns"] == 1_614_009_105_335_567_700
        bars = [b for _, b in feed.messages("bar")]
        assert [(b["symbol"], b["flags"]) for b in bars] == [("SPY", 0), ("SPY", 1), ("AAPL", 2)]
        assert bars[0]["close"] == 389.12 and bars[0]["trade_count"] == 461
        assert bars[2]["interval_ns"] == 86_400_000_000_000
        # Bars come from the venue: the trade is not aggregated into a bar a second time.
        assert len(bars) == 3
        assert KEYS["APCA_API_SECRET_KEY"] not in feed.log.read_text()
    finally:
        assert feed.stop() == 0


def test_wrong_keys_stop_alpaca_but_not_the_other_venues(tmp_path, alpaca):
    (tmp_path / "k").mkdir()
    kraken = KrakenServer(tmp_path / "k", {"BTC/USD": (1, 8)}).start()
    env = {**KEYS, "APCA_API_SECRET_KEY": "wrong"}
    feed = FeedHandler(tmp_path, {
        **overrides(alpaca),
        "ZTRADE__market_data__kraken__enabled": "true",
        "ZTRADE__market_data__kraken__url": kraken.url,
        "ZTRADE__market_data__kraken__ca_file": str(kraken.ca_file),
        "ZTRADE__market_data__kraken__symbols": '{ "BTC/USD" = "BTCUSD" }',
        "ZTRADE__market_data__kraken__channels": '["trade"]'}, env=env, servers=[alpaca, kraken])
    try:
        feed.wait_for_metric("ztrade_venue_errors_total", "alpaca", lambda v: v == 1)
        kraken.wait_for(lambda: kraken.requests("method", "subscribe"), what="kraken subscribe")
        kraken.trade("BTC/USD", 1, "29431.1", "0.1")
        feed.wait_for(lambda: feed.messages("trade"), what="kraken trade despite alpaca")
        # Alpaca's client stopped for good on the refused keys: no reconnect can follow.
        assert feed.wait_for_metric("ztrade_venue_stopped", "alpaca", lambda v: v == 1) == 1
        assert feed.metric("ztrade_venue_connect_attempts_total", "alpaca") == 1
        assert alpaca.connects == 1
        assert feed.metric("ztrade_venue_stopped", "kraken") == 0
        assert "wrong" not in feed.log.read_text()  # the secret never reaches the log
    finally:
        assert feed.stop() == 0
        kraken.stop()


def test_connection_limit_is_retried_with_backoff(tmp_path, alpaca):
    alpaca.reject_connections = True
    feed = FeedHandler(tmp_path, overrides(alpaca, '["trades"]'), env=KEYS, servers=[alpaca])
    try:
        feed.wait_for_metric("ztrade_venue_errors_total", "alpaca", lambda v: v >= 1)
        alpaca.reject_connections = False
        alpaca.wait_for(lambda: alpaca.requests("action", "subscribe"), timeout=15,
                        what="subscribe after the retry")
        assert alpaca.connects >= 2
        alpaca.data([{"T": "t", "i": 1, "S": "AAPL", "x": "V", "p": 1.5, "s": 100,
                      "t": "2021-02-22T15:51:44Z", "c": [], "z": "C"}])
        feed.wait_for(lambda: feed.messages("trade"), what="trade")
    finally:
        assert feed.stop() == 0


def test_missing_keys_are_a_clear_startup_error(tmp_path, alpaca):
    env = {k: v for k, v in os.environ.items() if not k.startswith("APCA_")}
    env.update({"ZTRADE__engine__run_dir": str(tmp_path / "run"),
                "ZTRADE__market_data__venue": "live",
                "ZTRADE__market_data__wait_for_downstream": "false",
                "ZTRADE__market_data__ops_port": "0", **overrides(alpaca)})
    r = subprocess.run([find_binary("ztrade-market-data"), "--config", str(default_config())],
                       env=env, capture_output=True, text=True, timeout=30)
    assert r.returncode == 1
    assert "set APCA_API_KEY_ID and APCA_API_SECRET_KEY" in r.stderr
