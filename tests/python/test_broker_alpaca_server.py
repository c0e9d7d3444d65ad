"""The Alpaca trading test server speaks Alpaca's protocol: the official SDK, alpaca-py, drives
it - TradingClient over REST and TradingStream over the trade_updates stream - and its pydantic
models validate every response and event. The engine's broker tests (test_broker_alpaca.py)
rely on this server; this proves it is not a private dialect."""
from __future__ import annotations

import asyncio
import ssl
import threading

import pytest

alpaca = pytest.importorskip("alpaca", reason="alpaca-py is a test dependency (pip install -e .[test])")

from alpaca.common.exceptions import APIError  # noqa: E402
from alpaca.trading.client import TradingClient  # noqa: E402
from alpaca.trading.enums import OrderSide, OrderStatus, QueryOrderStatus, TimeInForce  # noqa: E402
from alpaca.trading.models import Clock, Order, Position, TradeAccount  # noqa: E402
from alpaca.trading.requests import (  # noqa: E402
    GetOrdersRequest,
    LimitOrderRequest,
    MarketOrderRequest,
)
from alpaca.trading.stream import TradingStream  # noqa: E402

from engine_helpers import wait_until  # noqa: E402
from venue_servers.alpaca_trading import AlpacaTradingServer  # noqa: E402


@pytest.fixture
def server(tmp_path):
    s = AlpacaTradingServer(tmp_path).start()
    yield s
    s.stop()


def client_for(server: AlpacaTradingServer, secret: str | None = None) -> TradingClient:
    c = TradingClient(server.key, secret or server.secret, paper=True, url_override=server.trading_url)
    # The test CA, as a private gateway's would be (the environment's REQUESTS_CA_BUNDLE,
    # when set, would otherwise override the session's own setting).
    c._session.trust_env = False
    c._session.verify = str(server.ca_file)
    return c


def test_alpaca_py_trading_client_round_trip(server):
    c = client_for(server)
    account = c.get_account()
    assert isinstance(account, TradeAccount) and float(account.cash) == 1_000_000
    assert isinstance(c.get_clock(), Clock)
    server.set_price("AAPL", 190.0)
    o = c.submit_order(MarketOrderRequest(symbol="AAPL", qty=10, side=OrderSide.BUY,
                                          time_in_force=TimeInForce.DAY, client_order_id="t-1"))
    assert isinstance(o, Order) and o.client_order_id == "t-1"
    filled = wait_until(lambda: (x := c.get_order_by_client_id("t-1")).status == OrderStatus.FILLED and x,
                        what="the market order filled")
    assert float(filled.filled_qty) == 10 and float(filled.filled_avg_price) == 190.0
    positions = c.get_all_positions()
    assert len(positions) == 1 and isinstance(positions[0], Position)
    assert positions[0].symbol == "AAPL" and float(positions[0].qty) == 10
    assert float(c.get_open_position("AAPL").avg_entry_price) == 190.0

    # A resting limit, listed as open, then canceled by id; cancel-all answers 207.
    resting = c.submit_order(LimitOrderRequest(symbol="AAPL", qty=5, side=OrderSide.BUY,
                                               limit_price=150, time_in_force=TimeInForce.GTC,
                                               client_order_id="t-2"))
    assert [x.client_order_id for x in c.get_orders(GetOrdersRequest(status=QueryOrderStatus.OPEN))] == ["t-2"]
    c.cancel_order_by_id(resting.id)
    assert c.get_order_by_id(resting.id).status == OrderStatus.CANCELED
    assert c.cancel_orders() == []
    closed = c.get_orders(GetOrdersRequest(status=QueryOrderStatus.ALL))
    assert {x.client_order_id for x in closed} == {"t-1", "t-2"}

    # Alpaca's errors: a duplicate client_order_id (422), too little buying power (403),
    # an unknown order (404), refused keys (401) - each an APIError with Alpaca's code.
    for request, status, code in [
        (MarketOrderRequest(symbol="AAPL", qty=1, side=OrderSide.BUY,
                            time_in_force=TimeInForce.DAY, client_order_id="t-1"), 422, 40010001),
        (MarketOrderRequest(symbol="AAPL", qty=1e6, side=OrderSide.BUY,
                            time_in_force=TimeInForce.DAY), 403, 40310000),
    ]:
        with pytest.raises(APIError) as e:
            c.submit_order(request)
        assert e.value.status_code == status and e.value.code == code
    with pytest.raises(APIError) as e:
        c.get_order_by_client_id("nope")
    assert e.value.status_code == 404
    with pytest.raises(APIError) as e:
        client_for(server, secret="wrong").get_account()
    assert e.value.status_code == 401

    # close_all_positions: 207 with one closing order per position.
    closing = c.close_all_positions(cancel_orders=True)
    assert [r.symbol for r in closing] == ["AAPL"]
    wait_until(lambda: c.get_all_positions() == [], what="the position closed")


def test_alpaca_py_trading_stream_receives_trade_updates(server):
    updates = []

    async def on_update(u):
        updates.append(u)

    ctx = ssl.create_default_context(cafile=str(server.ca_file))
    stream = TradingStream(server.key, server.secret, paper=True, url_override=server.stream_url,
                           websocket_params={"ssl": ctx, "ping_interval": 10, "ping_timeout": 180})
    stream.subscribe_trade_updates(on_update)
    t = threading.Thread(target=stream.run, daemon=True)
    t.start()
    try:
        wait_until(lambda: server.run(lambda: len(server.listeners)) == 1, what="the SDK listening")
        server.fill_chunks = 2
        c = client_for(server)
        c.submit_order(MarketOrderRequest(symbol="MSFT", qty=4, side=OrderSide.SELL,
                                          time_in_force=TimeInForce.DAY, client_order_id="s-1"))
        wait_until(lambda: [u.event for u in updates] == ["new", "partial_fill", "fill"],
                   what="new, partial_fill and fill through the SDK's models")
        fill = updates[-1]
        assert fill.order.client_order_id == "s-1" and float(fill.qty) == 2
        assert float(fill.position_qty) == -4 and fill.execution_id is not None
    finally:
        asyncio.run_coroutine_threadsafe(stream.stop_ws(), stream._loop).result(5) \
            if getattr(stream, "_loop", None) else None
        t.join(5)


def test_alpaca_py_reads_historical_bars_across_pages(server):
    from datetime import datetime, timezone

    from alpaca.data.historical import StockHistoricalDataClient
    from alpaca.data.requests import StockBarsRequest
    from alpaca.data.timeframe import TimeFrame

    server.bars_page = 100  # 300 bars: three pages
    c = StockHistoricalDataClient(server.key, server.secret, url_override=server.trading_url)
    c._session.trust_env = False
    c._session.verify = str(server.ca_file)
    barset = c.get_stock_bars(StockBarsRequest(
        symbol_or_symbols="AAPL", timeframe=TimeFrame.Minute,
        start=datetime(2024, 3, 1, 14, 30, tzinfo=timezone.utc),
        end=datetime(2024, 3, 1, 19, 30, tzinfo=timezone.utc)))
    bars = barset.data["AAPL"]
    assert len(bars) == 300
    assert bars[0].timestamp == datetime(2024, 3, 1, 14, 30, tzinfo=timezone.utc)
    assert all(b.low <= min(b.open, b.close) and b.high >= max(b.open, b.close) for b in bars)
