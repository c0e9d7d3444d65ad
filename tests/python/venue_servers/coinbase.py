"""Coinbase, as documented in docs/reference/venue-protocols.md section 2.

ExchangeServer (ws-feed): subscribe within 5 s or be disconnected; `subscriptions` with the
full current set after every (un)subscribe; `level2` refused without authentication (the real
error text), `level2_batch` open; `last_match` first on `matches`; per-product `sequence`.

AdvancedTradeServer: one channel per subscribe; every message in the envelope {channel,
client_id, timestamp, sequence_num, events} with sequence_num counting the connection's
messages from 0; market_trades and l2_data start with a snapshot.
"""
from __future__ import annotations

import asyncio
import json

from .base import VenueServer

TIME = "2026-11-22T12:00:01.123456Z"


class ExchangeServer(VenueServer):
    path = "/"

    def __init__(self, workdir, subscribe_deadline_s: float = 5.0):
        super().__init__(workdir)
        self.deadline = subscribe_deadline_s
        self.channels: dict[str, set] = {}
        self.sequence: dict[str, int] = {}
        self.last_trade_id: dict[str, int] = {}
        self.books: dict[str, tuple[list, list]] = {}

    def _seq(self, product: str) -> int:
        self.sequence[product] = self.sequence.get(product, 1000) + 1
        return self.sequence[product]

    async def on_connect(self, ws):
        self.channels = {}

        async def enforce():
            await asyncio.sleep(self.deadline)
            if not self.channels and ws in self.connections:
                await ws.close(1008, "subscribe timeout")

        self.spawn(enforce())

    async def handle(self, ws, msg):
        if not isinstance(msg, dict) or msg.get("type") not in ("subscribe", "unsubscribe"):
            await ws.send(json.dumps({"type": "error", "message": "Failed to parse message"}))
            return
        products = msg.get("product_ids", [])
        names = []
        for c in msg.get("channels", []):
            names.append((c["name"], c.get("product_ids", products)) if isinstance(c, dict)
                         else (c, products))
        for name, _ids in names:
            if name in ("level2", "level3", "full") and "signature" not in msg:
                await ws.send(json.dumps({
                    "type": "error", "message": "Failed to subscribe",
                    "reason": "level2, level3, and full channels now require authentication. "
                              "https://docs.cloud.coinbase.com/exchange/docs/websocket-auth"}))
                return
        for name, ids in names:
            subs = self.channels.setdefault(name, set())
            (subs.update if msg["type"] == "subscribe" else subs.difference_update)(ids)
        await ws.send(json.dumps({"type": "subscriptions", "channels": [
            {"name": n, "product_ids": sorted(p)} for n, p in self.channels.items() if p]}))
        if msg["type"] != "subscribe":
            return
        for name, ids in names:
            for product in ids:
                if name == "matches" and product in self.last_trade_id:
                    await ws.send(json.dumps(self._match(product, self.last_trade_id[product],
                                                         "100.00", "1", "sell", "last_match")))
                if name == "level2_batch":
                    bids, asks = self.books.get(product, ([], []))
                    await ws.send(json.dumps({"type": "snapshot", "product_id": product,
                                              "bids": bids, "asks": asks, "time": TIME}))

    def _match(self, product, trade_id, price, size, side, kind="match"):
        return {"type": kind, "trade_id": trade_id,
                "maker_order_id": "2a0da34e-61f7-4c36-88e5-c9dd15927b16",
                "taker_order_id": "3c82abaa-c01e-4608-be59-6a1e69742891", "side": side,
                "size": size, "price": price, "product_id": product,
                "sequence": self._seq(product), "time": TIME}

    # -- data ---------------------------------------------------------------------------------
    def match(self, product: str, trade_id: int, price: str, size: str, side: str = "sell",
              deliver: bool = True) -> None:
        """A trade on the venue; deliver=False: it happens while nobody is connected."""
        self.last_trade_id[product] = trade_id
        if deliver:
            self.send(lambda: self._match(product, trade_id, price, size, side))

    def ticker(self, product: str, bid: str, bid_size: str, ask: str, ask_size: str) -> None:
        self.send(lambda: {"type": "ticker", "sequence": self._seq(product), "product_id": product,
                   "price": bid, "open_24h": "1", "volume_24h": "1", "low_24h": "1",
                   "high_24h": "1", "volume_30d": "1", "best_bid": bid,
                   "best_bid_size": bid_size, "best_ask": ask, "best_ask_size": ask_size,
                   "side": "sell", "time": TIME, "trade_id": self.last_trade_id.get(product, 1),
                   "last_size": "0.1"})

    def set_book(self, product: str, bids: list[tuple[str, str]],
                 asks: list[tuple[str, str]]) -> None:
        self.books[product] = ([list(b) for b in bids], [list(a) for a in asks])

    def l2update(self, product: str, changes: list[tuple[str, str, str]]) -> None:
        self.send({"type": "l2update", "product_id": product,
                   "changes": [list(c) for c in changes], "time": TIME})

    def heartbeat(self, product: str) -> None:
        self.send({"type": "heartbeat", "sequence": self.sequence.get(product, 0),
                   "last_trade_id": self.last_trade_id.get(product, 0), "product_id": product,
                   "time": TIME})


class AdvancedTradeServer(VenueServer):
    path = "/"

    def __init__(self, workdir):
        super().__init__(workdir)
        self.sequence_num = -1
        self.history: dict[str, list[dict]] = {}  # product -> trades, newest first
        self.skip = 0

    async def on_connect(self, ws):
        self.sequence_num = -1

    def envelope(self, channel: str, events: list) -> str:
        self.sequence_num += 1 + self.skip
        self.skip = 0
        return json.dumps({"channel": channel, "client_id": "", "timestamp": TIME,
                           "sequence_num": self.sequence_num, "events": events})

    async def handle(self, ws, msg):
        if not isinstance(msg, dict) or msg.get("type") not in ("subscribe", "unsubscribe"):
            await ws.send(json.dumps({"type": "error", "message": "failure to parse message"}))
            return
        channel = msg.get("channel")
        products = msg.get("product_ids", [])
        await ws.send(self.envelope("subscriptions", [{"subscriptions": {
            channel: products or [channel]}}]))
        if msg["type"] == "subscribe" and channel == "market_trades":
            for p in products:
                await ws.send(self.envelope("market_trades", [{
                    "type": "snapshot", "trades": self.history.get(p, [])[:50]}]))

    def trades(self, product: str, trades: list[tuple[int, str, str, str]],
               deliver: bool = True) -> None:
        """trades: (trade_id, price, size, side BUY/SELL), oldest first; sent newest first, as
        the venue batches them."""
        items = [{"product_id": product, "trade_id": str(i), "price": px, "size": sz,
                  "time": TIME, "side": side} for i, px, sz, side in trades]
        self.history[product] = list(reversed(items)) + self.history.get(product, [])
        if deliver:
            self.send(lambda: self.envelope("market_trades",
                                            [{"type": "update", "trades": list(reversed(items))}]),
                      raw=True)

    def lose_messages(self, n: int) -> None:
        """The next message's sequence_num jumps by n, as if n messages were lost."""
        self.skip = n
