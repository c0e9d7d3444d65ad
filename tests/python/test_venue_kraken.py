"""Kraken v2 end to end: a protocol-true local TLS server, ztrade-market-data connected to it
(certificate verified against the test CA), and what reaches the bus - exact trades and
top-of-book quotes; a dropped connection re-established and every subscription restored with
no trade lost or repeated; a corrupted book checksum resynchronised; malformed frames counted;
a silent venue detected and reconnected; an untrusted certificate refused."""
import pytest

pytest.importorskip("websockets")
pytest.importorskip("trustme")

from venue_servers.feed_handler import FeedHandler
from venue_servers.kraken import KrakenServer

PAIRS = {"BTC/USD": (1, 8), "ETH/USD": (2, 8)}
BOOK_BIDS = [("29430.5", "0.5"), ("29430.0", "1.25"), ("29429.1", "0.001")]
BOOK_ASKS = [("29431.1", "0.75"), ("29431.6", "2.0"), ("29433.3", "0.8")]


@pytest.fixture
def server(tmp_path):
    s = KrakenServer(tmp_path, PAIRS).start()
    s.set_book("BTC/USD", BOOK_BIDS, BOOK_ASKS)
    yield s
    s.stop()


def start_feed(tmp_path, server, **extra):
    overrides = {
        "ZTRADE__market_data__kraken__enabled": "true",
        "ZTRADE__market_data__kraken__url": server.url,
        "ZTRADE__market_data__kraken__ca_file": str(server.ca_file),
        "ZTRADE__market_data__kraken__symbols": '{ "BTC/USD" = "BTCUSD", "ETH/USD" = "ETHUSD" }',
        "ZTRADE__market_data__kraken__channels": '["trade", "book"]',
    }
    overrides.update(extra)
    return FeedHandler(tmp_path, overrides, servers=[server])


def subscribed(server, channel, count=1):
    return lambda: sum(1 for r in server.requests("method", "subscribe")
                       if r.get("params", {}).get("channel") == channel) >= count


def test_session_streams_exact_trades_and_book_quotes(tmp_path, server):
    feed = start_feed(tmp_path, server)
    try:
        server.wait_for(subscribed(server, "trade"), what="trade subscription")
        server.wait_for(subscribed(server, "book"), what="book subscription (after instrument)")
        # instrument came first: its precisions are what book checksums need
        channels = [r["params"]["channel"] for r in server.requests("method", "subscribe")]
        assert channels.index("instrument") < channels.index("book")
        sub = next(r for r in server.requests("method", "subscribe")
               if r["params"]["channel"] == "book")
        assert sorted(sub["params"]["symbol"]) == ["BTC/USD", "ETH/USD"]
        assert sub["params"]["depth"] == 10

        # The book snapshot's top, as a quote.
        feed.wait_for(lambda: feed.messages("quote"), what="top-of-book quote")
        topic, q = feed.messages("quote")[0]
        assert topic == "md.quote.BTCUSD"
        assert (q["bid_price"], q["bid_size"], q["ask_price"], q["ask_size"]) == \
            (29430.5, 0.5, 29431.1, 0.75)

        server.trade("BTC/USD", 4665906, "29431.1", "0.04019800", side="sell",
                     timestamp="2026-11-22T12:00:01.708706Z")
        server.trade("ETH/USD", 77, "1850.25", "1.5", side="buy")
        feed.wait_for(lambda: len(feed.messages("trade")) == 2, what="two trades")
        (t1, a), (t2, b) = feed.messages("trade")
        assert t1 == "md.trade.BTCUSD" and t2 == "md.trade.ETHUSD"
        assert a["symbol"] == "BTCUSD" and a["price"] == 29431.1 and a["size"] == 0.040198
        assert a["trade_id"] == 4665906 and a["aggressor"] == 2  # sell
        assert a["exchange_ns"] == 1_795_348_801_708_706_000
        assert a["receive_ns"] > a["exchange_ns"] - 10**9 * 3600 * 24 * 365  # stamped on read
        assert b["aggressor"] == 1 and b["price"] == 1850.25

        # An update moves the top: a new quote with the update's values.
        server.book_update("BTC/USD", bids=[("29430.9", "3")], asks=[("29431.1", "0")])
        feed.wait_for(lambda: len(feed.messages("quote")) >= 2, what="quote after update")
        q = feed.messages("quote")[-1][1]
        assert (q["bid_price"], q["bid_size"], q["ask_price"]) == (29430.9, 3.0, 29431.6)
        # /metrics is a snapshot taken once a second: wait for one that has the events.
        feed.wait_for_metric("ztrade_venue_events_total", "kraken", lambda v: v >= 4)
        assert feed.metric("ztrade_venue_connected", "kraken") == 1
        assert feed.metric("ztrade_venue_checksum_failures_total", "kraken") == 0
        assert feed.metric("ztrade_venue_parse_errors_total", "kraken") == 0
        assert feed.metrics()['ztrade_venue_receive_to_publish_seconds_count'
                              '{component="market-data",venue="kraken"}'] >= 4
    finally:
        assert feed.stop() == 0


def test_reconnect_restores_subscriptions_without_lost_or_repeated_trades(tmp_path, server):
    feed = start_feed(tmp_path, server)
    try:
        server.wait_for(subscribed(server, "book"), what="subscriptions")
        for i in range(1, 6):
            server.trade("BTC/USD", i, f"29431.{i}", "0.1")
        feed.wait_for(lambda: len(feed.messages("trade")) == 5, what="first five trades")
        server.drop()
        server.wait_for(lambda: server.connects == 2 and subscribed(server, "book", 2)(),
                        timeout=15, what="reconnect and resubscribe")
        assert subscribed(server, "trade", 2)() and subscribed(server, "instrument", 2)()
        for i in range(6, 11):
            server.trade("BTC/USD", i, f"29431.{i}", "0.1")
        feed.wait_for(lambda: len(feed.messages("trade")) == 10, what="all ten trades")
        ids = [b["trade_id"] for _, b in feed.messages("trade")]
        assert ids == list(range(1, 11))
        assert feed.wait_for_metric("ztrade_venue_reconnects_total", "kraken", lambda v: v >= 1) == 1
        assert feed.metric("ztrade_venue_connects_total", "kraken") == 2
    finally:
        assert feed.stop() == 0


def outage(server, feed, trades):
    """Drops the client and keeps it out while the venue trades on (ids in `trades`), then
    lets it back in."""
    server.hold()
    server.drop()
    server.wait_for(lambda: not server.connections, what="the client to be gone")
    for i in trades:
        server.trade("BTC/USD", i, f"29431.{i}", "0.1")
    server.open()
    server.wait_for(lambda: server.connects == 2 and subscribed(server, "trade", 2)(),
                    timeout=15, what="reconnect and resubscribe")


def test_reconnect_backfills_the_trades_of_the_outage(tmp_path, server):
    feed = start_feed(tmp_path, server)
    try:
        server.wait_for(subscribed(server, "book"), what="subscriptions")
        for i in range(1, 6):
            server.trade("BTC/USD", i, f"29431.{i}", "0.1")
        feed.wait_for(lambda: len(feed.messages("trade")) == 5, what="first five trades")
        outage(server, feed, range(6, 13))
        for i in range(13, 16):
            server.trade("BTC/USD", i, f"29431.{i}", "0.1")
        feed.wait_for(lambda: len(feed.messages("trade")) == 15, what="all fifteen trades")
        assert [b["trade_id"] for _, b in feed.messages("trade")] == list(range(1, 16))
        # The snapshot repeated 1-5: dropped as duplicates, counted.
        assert feed.wait_for_metric("ztrade_venue_duplicates_total", "kraken",
                                    lambda v: v >= 5) == 5
        assert feed.metric("ztrade_venue_gaps_total", "kraken") == 0
        # Every request on the session has an id of its own, so acknowledgements match.
        ids = [r["req_id"] for r in server.requests("method", "subscribe")]
        ids += [r["req_id"] for r in server.requests("method", "unsubscribe")]
        assert len(ids) == len(set(ids)) and len(ids) >= 6
        # Top of book is published when it changes, never twice the same.
        quotes = [(b["bid_price"], b["bid_size"], b["ask_price"], b["ask_size"])
                  for _, b in feed.messages("quote") if b["symbol"] == "BTCUSD"]
        assert all(a != b for a, b in zip(quotes, quotes[1:]))
    finally:
        assert feed.stop() == 0


def test_an_outage_longer_than_the_snapshot_is_counted_as_a_gap(tmp_path, server):
    feed = start_feed(tmp_path, server)
    try:
        server.wait_for(subscribed(server, "book"), what="subscriptions")
        for i in range(1, 6):
            server.trade("BTC/USD", i, f"29431.{i}", "0.1")
        feed.wait_for(lambda: len(feed.messages("trade")) == 5, what="first five trades")
        outage(server, feed, range(6, 66))  # 60 trades; the snapshot holds the last 50
        feed.wait_for(lambda: len(feed.messages("trade")) == 55, what="the snapshot's trades")
        ids = [b["trade_id"] for _, b in feed.messages("trade")]
        assert ids == list(range(1, 6)) + list(range(16, 66))
        assert feed.wait_for_metric("ztrade_venue_missing_total", "kraken", lambda v: v >= 10) == 10
        assert feed.metric("ztrade_venue_gaps_total", "kraken") == 1
    finally:
        assert feed.stop() == 0


def test_checksum_mismatch_resubscribes_the_book(tmp_path, server):
    feed = start_feed(tmp_path, server)
    try:
        server.wait_for(subscribed(server, "book"), what="book subscription")
        feed.wait_for(lambda: feed.messages("quote"), what="snapshot quote")
        server.book_update("BTC/USD", bids=[("29430.7", "1")], corrupt=True)
        server.wait_for(lambda: server.requests("method", "unsubscribe"), what="unsubscribe")
        server.wait_for(subscribed(server, "book", 2), what="book resubscribed")
        unsub = server.requests("method", "unsubscribe")[0]
        assert unsub["params"] == {"channel": "book", "symbol": ["BTC/USD"], "depth": 10}
        feed.wait_for_metric("ztrade_venue_checksum_failures_total", "kraken", lambda v: v == 1)
        assert feed.metric("ztrade_venue_book_resyncs_total", "kraken") == 1
        # The fresh snapshot verifies and the book goes on.
        n = len(feed.messages("quote"))
        server.book_update("BTC/USD", bids=[("29430.8", "2")])
        feed.wait_for(lambda: len(feed.messages("quote")) > n, what="quote after resync")
        assert feed.messages("quote")[-1][1]["bid_price"] == 29430.8
        assert feed.metric("ztrade_venue_checksum_failures_total", "kraken") == 1
    finally:
        assert feed.stop() == 0


def test_malformed_frames_are_counted_and_the_feed_goes_on(tmp_path, server):
    feed = start_feed(tmp_path, server)
    try:
        server.wait_for(subscribed(server, "trade"), what="trade subscription")
        for bad in ["{not json", "[1,2", '{"channel":"trade","type":"update","data":[{"symbol":'
                    '"BTC/USD","side":"buy","price":"1","qty":1,"trade_id":1,"timestamp":"x"}]}',
                    '{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD",'
                    '"side":"buy","price":-5,"qty":1,"trade_id":1,'
                    '"timestamp":"2026-11-22T12:00:01Z"}]}', "\u0000\u0001"]:
            server.send(bad, raw=True)
        server.send({"channel": "brand_new_channel", "type": "update", "data": []})
        server.trade("BTC/USD", 42, "29431.5", "0.2")
        feed.wait_for(lambda: feed.messages("trade"), what="the good trade")
        assert [b["trade_id"] for _, b in feed.messages("trade")] == [42]
        feed.wait_for_metric("ztrade_venue_parse_errors_total", "kraken", lambda v: v == 5)
        assert feed.metric("ztrade_venue_connected", "kraken") == 1
    finally:
        assert feed.stop() == 0


def test_silent_venue_is_detected_and_reconnected(tmp_path, server):
    feed = start_feed(tmp_path, server,
                      ZTRADE__market_data__kraken__idle_timeout_s="0.5")
    try:
        server.wait_for(subscribed(server, "trade"), what="subscription")
        server.silence()  # no data, and pings go unanswered
        server.wait_for(lambda: server.connects >= 2, timeout=15, what="reconnect after silence")
        assert "stale" in feed.log.read_text()
        server.wait_for(subscribed(server, "trade", 2), what="resubscribed")
    finally:
        assert feed.stop() == 0


def test_untrusted_certificate_is_refused(tmp_path, server):
    # No ca_file: the system store does not know the test CA, so the handshake must fail.
    feed = start_feed(tmp_path, server, ZTRADE__market_data__kraken__ca_file="")
    try:
        feed.wait_for_metric("ztrade_venue_connect_attempts_total", "kraken", lambda v: v >= 2,
                             timeout=15)
        assert feed.metric("ztrade_venue_connected", "kraken") == 0
        assert feed.metric("ztrade_venue_connects_total", "kraken") == 0
        assert server.received == []
        assert "certificate verify failed" in feed.log.read_text()
    finally:
        assert feed.stop() == 0
