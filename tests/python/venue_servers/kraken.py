"""Kraken Spot WebSocket v2, as documented in docs/reference/venue-protocols.md section 3:
status on connect (uint64 connection_id), one ack per symbol with time_in/time_out, failures
with the venue's error text, `instrument` with precisions, `book` snapshots and updates carrying
the real CRC-32 over the top ten levels (rendered at the pair's precisions), ping/pong.
"""
from __future__ import annotations

import json
import zlib
from collections import deque
from collections.abc import Iterable
from decimal import Decimal

from .base import VenueServer

NOW = "2026-11-22T12:00:00.000000Z"


def _render(value: Decimal, decimals: int) -> str:
    """Kraken's checksum rendering: fixed decimals, point removed, leading zeros stripped."""
    return f"{value:.{decimals}f}".replace(".", "").lstrip("0")


class KrakenServer(VenueServer):
    path = "/v2"

    def __init__(self, workdir, pairs: dict[str, tuple[int, int]], depth: int = 10):
        """pairs: symbol -> (price_precision, qty_precision)."""
        super().__init__(workdir)
        self.pairs = pairs
        self.depth = depth
        self.books: dict[str, dict[str, dict[Decimal, Decimal]]] = {}
        self.subscribed: dict[str, set] = {}  # channel -> symbols
        # The venue's recent trades per symbol (what a trade snapshot holds: the last 50),
        # kept whether or not a client is connected.
        self.recent_trades: dict[str, deque] = {}

    # -- protocol ----------------------------------------------------------------------------
    async def on_connect(self, ws):
        self.subscribed = {}
        await ws.send(json.dumps({"channel": "status", "type": "update", "data": [{
            "api_version": "v2", "connection_id": 13834774380200032777, "system": "online",
            "version": "2.0.0"}]}))

    def _ack(self, method, channel, symbol, req_id, **extra):
        result = {"channel": channel, **extra}
        if symbol is not None:
            result["symbol"] = symbol
        return {"method": method, "result": result, "success": True, "time_in": NOW,
                "time_out": NOW, "req_id": req_id}

    async def handle(self, ws, msg):
        if not isinstance(msg, dict):
            return
        method, req_id = msg.get("method"), msg.get("req_id")
        if method == "ping":
            await ws.send(json.dumps({"method": "pong", "req_id": req_id, "time_in": NOW,
                                      "time_out": NOW}))
            return
        if method not in ("subscribe", "unsubscribe"):
            await ws.send(json.dumps({"error": f"Method not found {method}", "method": method,
                                      "success": False, "req_id": req_id, "time_in": NOW,
                                      "time_out": NOW}))
            return
        params = msg.get("params", {})
        channel = params.get("channel")
        if channel == "instrument":
            await ws.send(json.dumps(self._ack(method, "instrument", None, req_id,
                                               snapshot=True)))
            pairs = [{"symbol": s, "base": s.split("/")[0], "quote": s.split("/")[1],
                      "status": "online", "price_precision": pp, "qty_precision": qp,
                      "qty_increment": 10 ** -qp, "price_increment": 10 ** -pp}
                     for s, (pp, qp) in self.pairs.items()]
            await ws.send(json.dumps({"channel": "instrument", "type": "snapshot",
                                      "data": {"assets": [], "pairs": pairs}}))
            return
        for symbol in params.get("symbol", []):
            if symbol not in self.pairs:
                await ws.send(json.dumps({"error": f"Currency pair not supported {symbol}",
                                          "method": method, "req_id": req_id, "success": False,
                                          "symbol": symbol, "time_in": NOW, "time_out": NOW}))
                continue
            subs = self.subscribed.setdefault(channel, set())
            if method == "unsubscribe":
                subs.discard(symbol)
                await ws.send(json.dumps(self._ack(method, channel, symbol, req_id)))
                continue
            subs.add(symbol)
            extra = {"snapshot": True}
            if channel == "book":
                extra["depth"] = params.get("depth", 10)
            if channel == "trade":  # snapshot: default false in current docs
                extra["snapshot"] = bool(params.get("snapshot", False))
            await ws.send(json.dumps(self._ack(method, channel, symbol, req_id, **extra)))
            if channel == "book":
                await ws.send(self._book_message(symbol, "snapshot", self._book(symbol)))
            if channel == "trade" and extra["snapshot"]:
                items = ",".join(self.recent_trades.get(symbol, ()))
                await ws.send(f'{{"channel":"trade","type":"snapshot","data":[{items}]}}')

    # -- books -------------------------------------------------------------------------------
    def set_book(self, symbol: str, bids: Iterable[tuple[str, str]],
                 asks: Iterable[tuple[str, str]]) -> None:
        """The book the next snapshot for symbol starts from (prices and sizes as text)."""
        self.books[symbol] = {"bids": {Decimal(p): Decimal(q) for p, q in bids},
                              "asks": {Decimal(p): Decimal(q) for p, q in asks}}

    def _book(self, symbol):
        return self.books.setdefault(symbol, {"bids": {}, "asks": {}})

    def _top(self, side: dict[Decimal, Decimal], bids: bool) -> list[tuple[Decimal, Decimal]]:
        return sorted(side.items(), key=lambda kv: kv[0], reverse=bids)[: self.depth]

    def checksum(self, symbol: str) -> int:
        pp, qp = self.pairs[symbol]
        book = self._book(symbol)
        text = "".join(_render(p, pp) + _render(q, qp) for p, q in self._top(book["asks"], False)[:10])
        text += "".join(_render(p, pp) + _render(q, qp) for p, q in self._top(book["bids"], True)[:10])
        return zlib.crc32(text.encode())

    def _book_message(self, symbol, kind, book, changes=None, corrupt=False) -> str:
        def levels(items):
            return "[" + ",".join(f'{{"price":{p},"qty":{q}}}' for p, q in items) + "]"

        if changes is None:  # snapshot: the whole (truncated) book
            bids, asks = self._top(book["bids"], True), self._top(book["asks"], False)
        else:
            bids, asks = changes
        checksum = (self.checksum(symbol) + (1 if corrupt else 0)) & 0xFFFFFFFF
        stamp = f',"timestamp":"{NOW}"' if kind == "update" else ""
        return (f'{{"channel":"book","type":"{kind}","data":[{{"symbol":"{symbol}",'
                f'"bids":{levels(bids)},"asks":{levels(asks)},"checksum":{checksum}{stamp}}}]}}')

    def book_update(self, symbol: str, bids=(), asks=(), corrupt: bool = False) -> None:
        """Applies level changes (price, qty text; qty 0 removes) and sends them with the
        checksum of the resulting book - or a wrong one, with corrupt=True."""
        book = self._book(symbol)
        for side, changes in (("bids", bids), ("asks", asks)):
            for p, q in changes:
                if Decimal(q) == 0:
                    book[side].pop(Decimal(p), None)
                else:
                    book[side][Decimal(p)] = Decimal(q)
        # The venue keeps only the subscribed depth.
        for side, best_first in (("bids", True), ("asks", False)):
            book[side] = dict(self._top(book[side], best_first))
        self.send(self._book_message(symbol, "update", book, (list(bids), list(asks)), corrupt),
                  raw=True)

    # -- data --------------------------------------------------------------------------------
    def trade(self, symbol: str, trade_id: int, price: str, qty: str, side: str = "buy",
              timestamp: str = "2026-11-22T12:00:01.123456Z") -> None:
        """A trade on the venue: kept among its recent trades, and sent to every connected
        client (none during an outage)."""
        item = (f'{{"symbol":"{symbol}","side":"{side}","price":{price},"qty":{qty},'
                f'"ord_type":"market","trade_id":{trade_id},"timestamp":"{timestamp}"}}')

        def message():  # on the server's loop, like every other change of its state
            self.recent_trades.setdefault(symbol, deque(maxlen=50)).append(item)
            return f'{{"channel":"trade","type":"update","data":[{item}]}}'

        self.send(message, raw=True)

    def heartbeat(self) -> None:
        self.send({"channel": "heartbeat"})
