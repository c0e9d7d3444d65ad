"""Coinbase end to end against protocol-true local TLS servers: the Exchange feed (ticker,
matches with last_match, level2_batch, errors) and Advanced Trade (envelope sequence numbers,
market_trades snapshots), through ztrade-market-data to the bus, with reconnects that lose
and repeat nothing and gaps that are counted."""
import pytest

pytest.importorskip("websockets")
pytest.importorskip("trustme")

from venue_servers.coinbase import AdvancedTradeServer, ExchangeServer
from venue_servers.feed_handler import FeedHandler


def feed_for(tmp_path, server, feed="exchange", channels='["ticker", "matches", "heartbeat"]'):
    return FeedHandler(tmp_path, {
        "ZTRADE__market_data__coinbase__enabled": "true",
        "ZTRADE__market_data__coinbase__feed": feed,
        "ZTRADE__market_data__coinbase__url": server.url,
        "ZTRADE__market_data__coinbase__ca_file": str(server.ca_file),
        "ZTRADE__market_data__coinbase__symbols": '{ "BTC-USD" = "BTCUSD", "ETH-USD" = "ETHUSD" }',
        "ZTRADE__market_data__coinbase__channels": channels}, servers=[server])


@pytest.fixture
def exchange(tmp_path):
    s = ExchangeServer(tmp_path).start()
    yield s
    s.stop()


@pytest.fixture
def advanced(tmp_path):
    s = AdvancedTradeServer(tmp_path).start()
    yield s
    s.stop()


def test_exchange_session_trades_quotes_and_book(tmp_path, exchange):
    exchange.set_book("BTC-USD", [("68900.01", "0.5"), ("68899.5", "1")],
                      [("68901.00", "0.25"), ("68902", "3")])
    feed = feed_for(tmp_path, exchange,
                    channels='["ticker", "matches", "heartbeat", "level2_batch"]')
    try:
        exchange.wait_for(lambda: exchange.requests("type", "subscribe"), what="subscribe")
        sub = exchange.requests("type", "subscribe")[0]
        assert sorted(sub["product_ids"]) == ["BTC-USD", "ETH-USD"]
        assert sub["channels"] == ["ticker", "matches", "heartbeat", "level2_batch"]
        feed.wait_for(lambda: feed.messages("quote"), what="book snapshot quote")
        _, q = feed.messages("quote")[0]
        assert (q["bid_price"], q["bid_size"], q["ask_price"], q["ask_size"]) == \
            (68900.01, 0.5, 68901.0, 0.25)
        exchange.match("BTC-USD", 501, "68901.00", "0.015", side="sell")
        exchange.ticker("ETH-USD", "1850.10", "2.5", "1850.20", "1.25")
        exchange.l2update("BTC-USD", [("sell", "68901.00", "0"), ("buy", "68900.50", "4")])
        feed.wait_for(lambda: feed.messages("trade") and len(feed.messages("quote")) >= 3,
                      what="trade, ticker and book quotes")
        topic, t = feed.messages("trade")[0]
        assert topic == "md.trade.BTCUSD"
        assert (t["trade_id"], t["price"], t["size"], t["aggressor"]) == (501, 68901.0, 0.015, 1)
        quotes = {(topic, b["bid_price"], b["ask_price"]) for topic, b in feed.messages("quote")}
        assert ("md.quote.ETHUSD", 1850.1, 1850.2) in quotes
        assert ("md.quote.BTCUSD", 68900.5, 68902.0) in quotes
        assert feed.wait_for_metric("ztrade_venue_parse_errors_total", "coinbase",
                                    lambda v: v == 0) == 0
    finally:
        assert feed.stop() == 0


def test_exchange_reconnect_fills_the_missed_trade_and_drops_repeats(tmp_path, exchange):
    feed = feed_for(tmp_path, exchange)
    try:
        exchange.wait_for(lambda: exchange.requests("type", "subscribe"), what="subscribe")
        for i in (1, 2, 3):
            exchange.match("BTC-USD", i, f"100.{i}", "1")
        feed.wait_for(lambda: len(feed.messages("trade")) == 3, what="three trades")
        exchange.drop()
        exchange.match("BTC-USD", 4, "100.4", "1", deliver=False)  # while disconnected
        exchange.wait_for(lambda: len(exchange.requests("type", "subscribe")) == 2,
                          timeout=15, what="resubscribe")
        exchange.match("BTC-USD", 5, "100.5", "1")
        exchange.match("BTC-USD", 5, "100.5", "1")  # a repeat
        exchange.match("BTC-USD", 7, "100.7", "1")  # 6 lost
        feed.wait_for(lambda: len(feed.messages("trade")) == 6, what="six trades")
        assert [b["trade_id"] for _, b in feed.messages("trade")] == [1, 2, 3, 4, 5, 7]
        feed.wait_for_metric("ztrade_venue_gaps_total", "coinbase", lambda v: v == 1)
        assert feed.metric("ztrade_venue_missing_total", "coinbase") == 1
        assert feed.metric("ztrade_venue_reconnects_total", "coinbase") == 1
    finally:
        assert feed.stop() == 0


def test_exchange_venue_error_is_logged_and_counted(tmp_path, exchange):
    feed = feed_for(tmp_path, exchange, channels='["matches", "level2_batch"]')
    try:
        exchange.wait_for(lambda: exchange.requests("type", "subscribe"), what="subscribe")
        exchange.send({"type": "error", "message": "Failed to subscribe",
                       "reason": "level2, level3, and full channels now require authentication."})
        feed.wait_for_metric("ztrade_venue_errors_total", "coinbase", lambda v: v == 1)
        assert "require authentication" in feed.log.read_text()
        exchange.match("BTC-USD", 9, "100", "1")
        feed.wait_for(lambda: feed.messages("trade"), what="trade after the error")
    finally:
        assert feed.stop() == 0


def test_advanced_trade_envelope_gaps_and_snapshot_fill(tmp_path, advanced):
    feed = feed_for(tmp_path, advanced, feed="advanced_trade",
                    channels='["market_trades", "heartbeats"]')
    try:
        advanced.trades("BTC-USD", [(10, "100.0", "1", "BUY")], deliver=False)  # history
        advanced.wait_for(lambda: len(advanced.requests("type", "subscribe")) == 2,
                          what="one subscribe per channel")
        chans = sorted(r["channel"] for r in advanced.requests("type", "subscribe"))
        assert chans == ["heartbeats", "market_trades"]
        advanced.trades("BTC-USD", [(11, "100.1", "1", "BUY"), (12, "100.2", "2", "SELL")])
        feed.wait_for(lambda: len(feed.messages("trade")) == 2, what="two trades")
        assert [b["trade_id"] for _, b in feed.messages("trade")] == [11, 12]  # oldest first
        assert feed.messages("trade")[1][1]["aggressor"] == 2
        advanced.lose_messages(3)
        advanced.trades("BTC-USD", [(13, "100.3", "1", "BUY")])
        feed.wait_for(lambda: len(feed.messages("trade")) == 3, what="trade 13")
        feed.wait_for_metric("ztrade_venue_gaps_total", "coinbase", lambda v: v == 1)
        assert feed.metric("ztrade_venue_missing_total", "coinbase") == 3
        # Reconnect: the snapshot after resubscribing brings the trade missed meanwhile.
        advanced.drop()
        advanced.trades("BTC-USD", [(14, "100.4", "1", "BUY")], deliver=False)
        feed.wait_for(lambda: len(feed.messages("trade")) == 4, timeout=15,
                      what="trade 14 from the snapshot")
        assert [b["trade_id"] for _, b in feed.messages("trade")] == [11, 12, 13, 14]
    finally:
        assert feed.stop() == 0
