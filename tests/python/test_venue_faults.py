"""Every injected fault against every venue, through ztrade-market-data: a malformed frame, a
frame that arrives a few bytes at a time (a slow link), a dropped connection and a venue that
goes silent (pings unanswered). After all of them the bus holds exactly the venue's trades,
once each and in order, and /metrics shows what happened."""
import json

import pytest

pytest.importorskip("websockets")
pytest.importorskip("trustme")

from venue_servers.alpaca import AlpacaServer
from venue_servers.coinbase import AdvancedTradeServer, ExchangeServer
from venue_servers.feed_handler import FeedHandler
from venue_servers.kraken import KrakenServer

KEYS = {"APCA_API_KEY_ID": "PKTEST", "APCA_API_SECRET_KEY": "s3cr3t"}


def kraken_trade(server, i):
    return ('{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy",'
            f'"price":29431.{i},"qty":0.1,"ord_type":"market","trade_id":{i},'
            '"timestamp":"2026-11-22T12:00:01.123456Z"}]}')


def exchange_trade(server, i):
    server.last_trade_id["BTC-USD"] = i  # what last_match reports after a reconnect
    return lambda: json.dumps(server._match("BTC-USD", i, f"100.{i}", "1", "sell"))


def advanced_trade(server, i):
    server.trades("BTC-USD", [(i, f"100.{i}", "1", "BUY")], deliver=False)  # history
    return lambda: server.envelope("market_trades", [{"type": "update", "trades": [
        {"product_id": "BTC-USD", "trade_id": str(i), "price": f"100.{i}", "size": "1",
         "time": "2026-11-22T12:00:01.123456Z", "side": "BUY"}]}])


def alpaca_trade(server, i):
    return json.dumps([{"T": "t", "i": i, "S": "BTC/USD", "p": 29431.5, "s": 0.1,
                        "t": "2026-11-22T12:00:01.123456Z", "tks": "B"}])


VENUES = {
    # name: (server factory, config section, venue symbol, extra overrides, trade text, env,
    #        how many subscribe requests one connection makes)
    "kraken": (lambda d: KrakenServer(d, {"BTC/USD": (1, 8)}), "kraken", "BTC/USD",
               {"channels": '["trade"]'}, kraken_trade, {},
               lambda s: len([r for r in s.requests("method", "subscribe")
                              if r["params"]["channel"] == "trade"])),
    "coinbase_exchange": (ExchangeServer, "coinbase", "BTC-USD", {"channels": '["matches"]'},
                          exchange_trade, {}, lambda s: len(s.requests("type", "subscribe"))),
    "coinbase_advanced": (AdvancedTradeServer, "coinbase", "BTC-USD",
                          {"channels": '["market_trades"]', "feed": "advanced_trade"},
                          advanced_trade, {}, lambda s: len(s.requests("type", "subscribe"))),
    "alpaca": (lambda d: AlpacaServer(d, key=KEYS["APCA_API_KEY_ID"],
                                      secret=KEYS["APCA_API_SECRET_KEY"]),
               "alpaca", "BTC/USD", {"channels": '["trades"]', "feed": "crypto"},
               alpaca_trade, KEYS, lambda s: len(s.requests("action", "subscribe"))),
}


@pytest.mark.parametrize("venue", list(VENUES))
def test_venue_survives_every_fault(tmp_path, venue):
    make, section, symbol, extra, trade, env, subscribes = VENUES[venue]
    server = make(tmp_path).start()
    overrides = {f"ZTRADE__market_data__{section}__enabled": "true",
                 f"ZTRADE__market_data__{section}__url": server.url,
                 f"ZTRADE__market_data__{section}__ca_file": str(server.ca_file),
                 f"ZTRADE__market_data__{section}__symbols": f'{{ "{symbol}" = "BTCUSD" }}',
                 f"ZTRADE__market_data__{section}__idle_timeout_s": "0.5",
                 **{f"ZTRADE__market_data__{section}__{k}": v for k, v in extra.items()}}
    feed = FeedHandler(tmp_path, overrides, env=env, servers=[server])
    trades = lambda: [b["trade_id"] for _, b in feed.messages("trade")]  # noqa: E731
    try:
        server.wait_for(lambda: subscribes(server) >= 1, what="subscription")
        server.send(trade(server, 1), raw=True)
        feed.wait_for(lambda: trades() == [1], what="trade 1")

        server.send("{this is not json", raw=True)             # malformed frame
        server.trickle(trade(server, 2), chunk=7, delay=0.01)  # a slow link
        feed.wait_for(lambda: trades() == [1, 2], what="trickled trade 2")

        server.drop()                                          # the connection dies
        server.wait_for(lambda: subscribes(server) >= 2, timeout=15, what="resubscribe")
        server.send(trade(server, 3), raw=True)
        feed.wait_for(lambda: trades() == [1, 2, 3], what="trade 3 after the reconnect")

        server.silence()                                       # stalls; pings unanswered
        server.wait_for(lambda: subscribes(server) >= 3, timeout=15,
                        what="resubscribe after the stall")
        server.send(trade(server, 4), raw=True)
        feed.wait_for(lambda: trades() == [1, 2, 3, 4], what="trade 4 after the stall")

        name = "coinbase" if section == "coinbase" else venue
        # /metrics is a snapshot taken once a second: wait for one that has trade 4.
        feed.wait_for_metric("ztrade_venue_events_total", name, lambda v: v == 4)
        assert feed.metric("ztrade_venue_parse_errors_total", name) == 1
        assert feed.metric("ztrade_venue_connected", name) == 1
        # At least the two forced reconnects; Alpaca may add some: its server refuses a new
        # session (406, retried with backoff) until it notices the stalled one is gone.
        assert feed.metric("ztrade_venue_reconnects_total", name) >= 2
        assert feed.metric("ztrade_venue_connects_total", name) >= 3
        # The stall was detected as such (no frame, no pong within the idle timeout).
        assert feed.metric("ztrade_venue_stale_total", name) >= 1
    finally:
        assert feed.stop() == 0
        server.stop()
