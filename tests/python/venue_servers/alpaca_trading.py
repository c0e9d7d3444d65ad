"""Alpaca's trading API (paper) as documented in docs/reference/venue-protocols.md sections
1.2 (REST v2) and 1.3 (the trade_updates stream): one TLS server on 127.0.0.1 serving REST and
the stream (wss://.../stream) like paper-api.alpaca.markets, with a certificate from a
throwaway CA made at test time.

A simple matching model: market orders fill at the symbol's set price (in `fill_chunks`
partial fills), limit orders when the price crosses them (set_price), and the account's cash
and positions move with the fills. Alpaca's error shapes ({"code", "message"}) and rate-limit
headers on every response. Events sent while nobody listens are lost, as Alpaca's are.

Faults on demand, from the test's thread: POST faults (500 before or after creating the order,
a 429 - with a Retry-After of 1 s, 30 s or an hour -, an order created but never answered),
429/500 on any request, slow responses, the stream dropped or refused for a while, a fill after
a cancel request or after the cancel was reported; events Alpaca's book does not match (a fill
event replaced by a malformed or contradicting one, fills beyond an order's quantity), a
position book that lags the fills, orders and positions with hostile text in them. Every request is logged (`log`) for assertions such as "no order was sent twice".

Test code only: it stands in for Alpaca, never for the engine. alpaca-py drives it in
test_broker_alpaca.py, which proves it speaks Alpaca's protocol.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import random
import ssl
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import trustme
from aiohttp import WSMsgType, web

ET = timezone(timedelta(hours=-4))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def _dec(x: float) -> str:
    """A decimal string as Alpaca sends: no exponent, no trailing zeros."""
    text = f"{x:.9f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


class AlpacaTradingServer:
    def __init__(self, workdir: Path, key: str = "PKTEST", secret: str = "s3cr3t",
                 cash: float = 1_000_000.0):
        self.workdir = Path(workdir)
        self.ca = trustme.CA()
        self.ca_file = self.workdir / "alpaca-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        self._ssl = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ca.issue_cert("127.0.0.1", "localhost").configure_cert(self._ssl)
        self.key, self.secret = key, secret
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.port = 0
        self._runner: web.AppRunner | None = None
        # Account state (touched on the server's loop only).
        self.cash = cash
        self.orders: dict[str, dict] = {}      # Alpaca id -> order object
        self.by_client: dict[str, str] = {}    # client_order_id -> Alpaca id
        self.positions: dict[str, dict] = {}   # symbol -> {"qty", "cost"}
        self.prices: dict[str, float] = {}
        self.default_price = 100.0
        self.market_open = True
        self.fill_chunks = 1        # market orders fill in this many executions
        self.fill_delay_s = 0.0     # between accepting an order and its fills
        self.fill_before_response = False  # fills are sent before the POST is answered
        # Faults.
        self.post_faults: list[str] = []   # per POST: "500", "500_created", "429", "hang"
        self.request_faults: list[int] = []  # per request (any): 429 or 500
        self.delay_s = 0.0
        # "before_cancel", "after_canceled", or "silent_422" (filled, no event, cancel refused)
        self.fill_after_cancel: str | None = None
        self.stream_refused = False
        # Per fill event, in turn: the event sent instead of the true one ("malformed",
        # "no_order", "wrong_type", "zero_price", "other_symbol", "other_side", "silent": none).
        self.event_faults: list[str] = []
        self.overfill_orders = 0     # the next N market orders fill this much beyond their qty:
        self.overfill_ratio = 1.5    # 150 of 100
        self.positions_lag_s = 0.0   # GET /v2/positions answers as of this long ago
        self._position_book: list[tuple[float, dict]] = []  # (monotonic time, positions)
        self.bars_page = 10000  # bars per page at most (smaller: more pages)
        self.bars_repeat_token = False  # every page names the same next_page_token
        # What happened.
        self.log: list[dict] = []
        self.events: list[dict] = []      # every trade_updates event made
        self.events_lost = 0              # made while nobody listened
        self.listeners: set[web.WebSocketResponse] = set()
        self.stream_connections: dict[web.WebSocketResponse, asyncio.BaseTransport] = {}
        self.stream_connects = 0
        self._tasks: set = set()
        self._hang: asyncio.Event | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> AlpacaTradingServer:
        self._thread.start()

        async def up():
            self._hang = asyncio.Event()  # set by stop(): releases unanswered requests
            app = web.Application()
            r = app.router
            r.add_get("/stream", self._stream)
            r.add_get("/v2/account", self._account)
            r.add_get("/v2/clock", self._clock)
            r.add_post("/v2/orders", self._post_order)
            r.add_get("/v2/orders", self._list_orders)
            r.add_delete("/v2/orders", self._cancel_all)
            r.add_get("/v2/orders:by_client_order_id", self._by_client_id)
            r.add_get("/v2/orders/{order_id}", self._get_order)
            r.add_delete("/v2/orders/{order_id}", self._cancel_order)
            r.add_get("/v2/positions", self._list_positions)
            r.add_delete("/v2/positions", self._close_all)
            r.add_get("/v2/positions/{symbol}", self._get_position)
            r.add_delete("/v2/positions/{symbol}", self._close_position)
            # Market data REST (data.alpaca.markets): historical bars, paginated.
            r.add_get("/v2/stocks/bars", self._bars_multi)
            r.add_get("/v2/stocks/{symbol}/bars", self._bars_single)
            app.middlewares.append(self._middleware)
            self._runner = web.AppRunner(app, access_log=None)
            await self._runner.setup()
            site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self._ssl)
            await site.start()
            return site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

        self.port = self.call(up())
        return self

    def stop(self) -> None:
        async def down():
            self._hang.set()
            for t in list(self._tasks):
                t.cancel()
            for ws in list(self.stream_connections):
                with contextlib.suppress(Exception):
                    await ws.close()
            await self._runner.cleanup()

        try:
            self.call(down(), timeout=10)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(5)

    def call(self, coro, timeout: float = 10):
        """Runs a coroutine on the server's loop from the test's thread."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def run(self, fn: Callable[[], Any], timeout: float = 10) -> Any:
        """Runs fn on the server's loop (where its state lives) and returns its result."""
        async def go():
            return fn()
        return self.call(go(), timeout)

    @property
    def trading_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def stream_url(self) -> str:
        return f"wss://127.0.0.1:{self.port}/stream"

    def _spawn(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- driving it from the test ------------------------------------------------------------
    def set_price(self, symbol: str, price: float) -> None:
        """The symbol's price from now on: market orders fill at it, resting limits that it
        crosses fill."""
        def go():
            self.prices[symbol] = price
            for o in list(self.orders.values()):
                if o["symbol"] == symbol and o["status"] in ("new", "partially_filled", "accepted"):
                    self._spawn(self._match(o))
        self.run(go)

    def drop_stream(self) -> None:
        """Closes every stream connection abruptly, as a network failure would."""
        def go():
            for transport in list(self.stream_connections.values()):
                transport.abort()
            self.listeners.clear()
        self.run(go)

    def fill(self, client_order_id: str, qty: float | None = None,
             price: float | None = None) -> None:
        """Fills (part of) an order now, wherever it rests."""
        def go():
            o = self.orders[self.by_client[client_order_id]]
            self._execute(o, qty if qty is not None else self._leaves(o),
                          price if price is not None else self._price(o["symbol"]))
        self.run(go)

    def add_position(self, symbol: str, qty: float, price: float) -> None:
        """A position made outside the engine (by hand, another program)."""
        def go():
            p = self.positions.setdefault(symbol, {"qty": 0.0, "cost": 0.0})
            p["qty"] += qty
            p["cost"] += qty * price
            self.cash -= qty * price
        self.run(go)

    def snapshot(self) -> dict:
        """Orders, positions and the request log, copied on the server's loop."""
        def go():
            return {"orders": json.loads(json.dumps(list(self.orders.values()))),
                    "positions": {s: p["qty"] for s, p in self.positions.items()
                                  if abs(p["qty"]) > 1e-12},
                    "log": list(self.log), "events": list(self.events),
                    "events_lost": self.events_lost}
        return self.run(go)

    def posted_client_ids(self) -> list[str]:
        """The client_order_id of every POST /v2/orders received, in order (repeats kept)."""
        return [json.loads(r["body"]).get("client_order_id") for r in self.snapshot()["log"]
                if r["method"] == "POST" and r["path"] == "/v2/orders"]

    # -- REST --------------------------------------------------------------------------------
    @web.middleware
    async def _middleware(self, request: web.Request, handler):
        if request.path == "/stream":
            return await handler(request)
        body = await request.text()
        self.log.append({"method": request.method, "path": request.path,
                         "query": dict(request.query), "body": body, "t": time.monotonic()})
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if (request.headers.get("APCA-API-KEY-ID") != self.key or
                request.headers.get("APCA-API-SECRET-KEY") != self.secret):
            return self._error(401, 40110000, "request is not authorized")
        if self.request_faults:
            status = self.request_faults.pop(0)
            if status == 429:
                return self._error(429, 42910000, "rate limit exceeded", {"Retry-After": "1"})
            return self._error(status, 50010000, "internal server error")
        response = await handler(request)
        self._rate_headers(response)
        return response

    def _rate_headers(self, response: web.StreamResponse) -> None:
        response.headers["X-RateLimit-Limit"] = "200"
        response.headers["X-RateLimit-Remaining"] = "199"
        response.headers["X-RateLimit-Reset"] = str(int(time.time()) + 60)

    def _error(self, status: int, code: int, message: str,
               headers: dict | None = None, **extra) -> web.Response:
        r = web.json_response({"code": code, "message": message, **extra}, status=status,
                              headers=headers)
        self._rate_headers(r)
        return r

    async def _account(self, request: web.Request) -> web.Response:
        long_value = sum(p["qty"] * self._price(s) for s, p in self.positions.items()
                         if p["qty"] > 0)
        short_value = sum(p["qty"] * self._price(s) for s, p in self.positions.items()
                          if p["qty"] < 0)
        equity = self.cash + long_value + short_value
        return web.json_response({
            "id": "e6fe16f3-64a4-4921-8928-cadf02f92f98", "account_number": "PA0TEST0001",
            "status": "ACTIVE", "crypto_status": "ACTIVE", "currency": "USD",
            "buying_power": _dec(self.cash), "regt_buying_power": _dec(self.cash),
            "daytrading_buying_power": _dec(self.cash), "effective_buying_power": _dec(self.cash),
            "non_marginable_buying_power": _dec(self.cash), "options_buying_power": _dec(self.cash),
            "bod_dtbp": "0", "cash": _dec(self.cash), "accrued_fees": "0",
            "pending_transfer_in": "0", "pending_transfer_out": "0",
            "portfolio_value": _dec(equity), "pattern_day_trader": False,
            "trading_blocked": False, "transfers_blocked": False, "account_blocked": False,
            "created_at": "2019-06-12T22:47:07.99658Z", "trade_suspended_by_user": False,
            "multiplier": "1", "shorting_enabled": True, "equity": _dec(equity),
            "last_equity": _dec(equity), "long_market_value": _dec(long_value),
            "short_market_value": _dec(short_value), "position_market_value": _dec(long_value - short_value),
            "initial_margin": "0", "maintenance_margin": "0", "last_maintenance_margin": "0",
            "sma": "0", "daytrade_count": 0, "crypto_tier": 1, "options_approved_level": 0,
            "options_trading_level": 0})

    async def _clock(self, request: web.Request) -> web.Response:
        now = datetime.now(ET)
        day = now.replace(hour=9, minute=30, second=0, microsecond=0)
        if self.market_open:
            next_open, next_close = day + timedelta(days=1), now + timedelta(hours=2)
        else:
            next_open, next_close = now + timedelta(hours=12), now + timedelta(hours=18)
        return web.json_response({"timestamp": now.isoformat(), "is_open": self.market_open,
                                  "next_open": next_open.isoformat(timespec="seconds"),
                                  "next_close": next_close.isoformat(timespec="seconds")})

    async def _post_order(self, request: web.Request) -> web.StreamResponse:
        fault = self.post_faults.pop(0) if self.post_faults else None
        if fault in ("429", "429_30", "429_long"):
            after = {"429": "1", "429_30": "30", "429_long": "3600"}[fault]
            return self._error(429, 42910000, "rate limit exceeded", {"Retry-After": after})
        if fault == "500":
            return self._error(500, 50010000, "internal server error")
        try:
            req = json.loads(await request.text())
        except ValueError:
            return self._error(400, 40010000, "request body format is invalid")
        problem = self._invalid(req)
        if problem:
            return self._error(422, 40010001, problem)
        cid = req.get("client_order_id") or str(uuid.uuid4())
        if cid in self.by_client:
            return self._error(422, 40010001, "client_order_id must be unique")
        symbol, side = req["symbol"], req["side"]
        qty = float(req["qty"])
        price = float(req["limit_price"]) if req.get("limit_price") else self._price(symbol)
        if side == "buy" and qty * price > self.cash:
            return self._error(403, 40310000, "insufficient buying power")
        order = self._new_order(req, cid)
        if fault == "500_created":
            self._spawn(self._work(order))
            return self._error(500, 50010000, "internal server error")
        if fault == "hang":
            self._spawn(self._work(order))
            await self._hang.wait()  # accepted, never answered: the client times out
        if self.fill_before_response:
            await self._work(order)
        else:
            self._spawn(self._work(order))
        return web.json_response(order if self.fill_before_response else dict(order))

    def _invalid(self, req: dict) -> str | None:
        for key in ("symbol", "qty", "side", "type", "time_in_force"):
            if key not in req:
                return f"{key} is required" if key != "qty" else "qty or notional is required"
        if req["side"] not in ("buy", "sell"):
            return "invalid side"
        if req["type"] not in ("market", "limit"):
            return "invalid order type"
        if req["time_in_force"] not in ("day", "gtc", "ioc", "fok", "opg", "cls"):
            return "invalid time_in_force"
        try:
            if float(req["qty"]) <= 0:
                return "qty must be > 0"
        except (TypeError, ValueError):
            return "invalid qty"
        if req["type"] == "limit":
            lp = req.get("limit_price")
            if lp is None:
                return "limit_price is required"
            if float(lp) >= 1 and len(str(lp).partition(".")[2]) > 2:
                return "invalid limit_price 0. sub-penny increment does not fulfill minimum pricing criteria"
        if len(req.get("client_order_id") or "") > 48:
            return "client_order_id must be no more than 48 characters"
        return None

    def _new_order(self, req: dict, cid: str) -> dict:
        now = _now()
        oid = str(uuid.uuid4())
        order = {
            "id": oid, "client_order_id": cid, "created_at": now, "updated_at": now,
            "submitted_at": now, "filled_at": None, "expired_at": None, "canceled_at": None,
            "failed_at": None, "replaced_at": None, "replaced_by": None, "replaces": None,
            "asset_id": str(uuid.uuid5(uuid.NAMESPACE_DNS, req["symbol"])),
            "symbol": req["symbol"],
            "asset_class": "crypto" if "/" in req["symbol"] else "us_equity",
            "notional": None, "qty": _dec(float(req["qty"])), "filled_qty": "0",
            "filled_avg_price": None, "order_class": "", "order_type": req["type"],
            "type": req["type"], "side": req["side"], "time_in_force": req["time_in_force"],
            "limit_price": req.get("limit_price"), "stop_price": None, "status": "accepted",
            "extended_hours": bool(req.get("extended_hours", False)), "legs": None,
            "trail_percent": None, "trail_price": None, "hwm": None,
            "position_intent": ("buy_to_open" if req["side"] == "buy" else "sell_to_close"),
        }
        self.orders[oid] = order
        self.by_client[cid] = oid
        return order

    def _find(self, request: web.Request) -> dict | None:
        return self.orders.get(request.match_info["order_id"])

    async def _get_order(self, request: web.Request) -> web.Response:
        o = self._find(request)
        return web.json_response(o) if o else self._error(404, 40410000, "order not found")

    async def _by_client_id(self, request: web.Request) -> web.Response:
        oid = self.by_client.get(request.query.get("client_order_id", ""))
        return (web.json_response(self.orders[oid]) if oid
                else self._error(404, 40410000, "order not found"))

    async def _list_orders(self, request: web.Request) -> web.Response:
        status = request.query.get("status", "open")
        limit = min(int(request.query.get("limit", "50")), 500)
        open_states = ("new", "accepted", "partially_filled", "pending_new", "pending_cancel")
        out = [o for o in self.orders.values()
               if status == "all" or (status == "open") == (o["status"] in open_states)]
        out.sort(key=lambda o: o["created_at"],
                 reverse=request.query.get("direction", "desc") == "desc")
        symbols = request.query.get("symbols")
        if symbols:
            wanted = set(symbols.split(","))
            out = [o for o in out if o["symbol"] in wanted]
        return web.json_response(out[:limit])

    async def _cancel_order(self, request: web.Request) -> web.Response:
        o = self._find(request)
        if not o:
            return self._error(404, 40410000, "order not found")
        if self.fill_after_cancel == "silent_422" and o["status"] in ("new", "partially_filled"):
            # The order filled as the cancel arrived, and the fill's event was lost: all the
            # client learns is that the order is no longer cancelable.
            self.event_faults.insert(0, "silent")
            self._execute(o, self._leaves(o), float(o["limit_price"] or self._price(o["symbol"])))
        if o["status"] not in ("new", "accepted", "partially_filled"):
            return self._error(422, 42210000, f"order is not cancelable (status {o['status']})")
        self._cancel(o)
        return web.Response(status=204)

    def _cancel(self, o: dict) -> None:
        mode = self.fill_after_cancel
        if mode == "before_cancel":
            # The cancel request raced a fill: the order fills instead of canceling.
            o["cancel_requested_at"] = _now()
            self._emit("pending_cancel", o)
            self._execute(o, self._leaves(o), self._price(o["symbol"]))
            return
        o["status"] = "canceled"
        o["canceled_at"] = o["updated_at"] = _now()
        self._emit("canceled", o)
        if mode == "after_canceled":
            # ... and a fill reported after the cancel was: Alpaca's word is the fill.
            self._execute(o, self._leaves(o), self._price(o["symbol"]), force=True)

    async def _cancel_all(self, request: web.Request) -> web.Response:
        out = []
        for o in list(self.orders.values()):
            if o["status"] in ("new", "accepted", "partially_filled"):
                self._cancel(o)
                out.append({"id": o["id"], "status": 200})
        return web.json_response(out, status=207)

    def _position_json(self, symbol: str, p: dict) -> dict:
        qty = p["qty"]
        price = self._price(symbol)
        avg = p["cost"] / qty if qty else 0.0
        return {"asset_id": str(uuid.uuid5(uuid.NAMESPACE_DNS, symbol)), "symbol": symbol,
                "exchange": "NASDAQ", "asset_class": "us_equity", "asset_marginable": True,
                "qty": _dec(qty), "qty_available": _dec(qty), "avg_entry_price": _dec(avg),
                "side": "long" if qty > 0 else "short", "market_value": _dec(qty * price),
                "cost_basis": _dec(p["cost"]), "unrealized_pl": _dec(qty * price - p["cost"]),
                "unrealized_plpc": "0", "unrealized_intraday_pl": _dec(qty * price - p["cost"]),
                "unrealized_intraday_plpc": "0", "current_price": _dec(price),
                "lastday_price": _dec(price), "change_today": "0"}

    async def _list_positions(self, request: web.Request) -> web.Response:
        positions = self.positions
        if self.positions_lag_s:
            # The book as it was positions_lag_s ago (Alpaca's positions trail its fills).
            cutoff = time.monotonic() - self.positions_lag_s
            positions = {}
            for t, book in self._position_book:
                if t > cutoff:
                    break
                positions = book
        return web.json_response([self._position_json(s, p) for s, p in positions.items()
                                  if abs(p["qty"]) > 1e-12])

    async def _get_position(self, request: web.Request) -> web.Response:
        symbol = request.match_info["symbol"]
        p = self.positions.get(symbol)
        if not p or abs(p["qty"]) <= 1e-12:
            return self._error(404, 40410000, "position does not exist")
        return web.json_response(self._position_json(symbol, p))

    def _close(self, symbol: str) -> dict:
        p = self.positions[symbol]
        req = {"symbol": symbol, "qty": _dec(abs(p["qty"])), "type": "market",
               "side": "sell" if p["qty"] > 0 else "buy", "time_in_force": "day"}
        order = self._new_order(req, str(uuid.uuid4()))
        self._spawn(self._work(order))
        return order

    async def _close_position(self, request: web.Request) -> web.Response:
        symbol = request.match_info["symbol"]
        p = self.positions.get(symbol)
        if not p or abs(p["qty"]) <= 1e-12:
            return self._error(404, 40410000, "position does not exist")
        return web.json_response(self._close(symbol))

    async def _close_all(self, request: web.Request) -> web.Response:
        if request.query.get("cancel_orders") == "true":
            for o in list(self.orders.values()):
                if o["status"] in ("new", "accepted", "partially_filled"):
                    self._cancel(o)
        out = [{"symbol": s, "status": 200, "body": self._close(s)}
               for s, p in list(self.positions.items()) if abs(p["qty"]) > 1e-12]
        return web.json_response(out, status=207)

    # -- historical bars -------------------------------------------------------------------
    def _bar_series(self, symbol: str, start: str, end: str) -> list[dict]:
        """One bar a minute from start to end (at most 3 days), a deterministic path per symbol."""
        t0 = datetime.fromisoformat(start.replace("Z", "+00:00"))
        t1 = datetime.fromisoformat(end.replace("Z", "+00:00"))
        t0 = t0 if t0.tzinfo else t0.replace(tzinfo=timezone.utc)
        t1 = t1 if t1.tzinfo else t1.replace(tzinfo=timezone.utc)
        n = max(0, min(int((t1 - t0).total_seconds() // 60), 3 * 24 * 60))
        seed = sum(symbol.encode())
        rng = random.Random(seed)  # the same bars for the same symbol, every time
        out, price = [], 100.0 + seed % 50
        for i in range(n):
            o, c = price, round(max(1.0, price + rng.gauss(0, 0.15)), 2)
            out.append({"t": (t0 + timedelta(minutes=i)).isoformat().replace("+00:00", "Z"),
                        "o": o, "h": round(max(o, c) + 0.05, 2), "l": round(min(o, c) - 0.05, 2),
                        "c": c, "v": 1000 + (i * 31) % 500, "n": 10 + i % 7,
                        "vw": round((o + c) / 2, 4)})
            price = c
        return out

    def _page(self, bars: list, request: web.Request) -> tuple[list, str | None]:
        start = int(request.query.get("page_token") or 0)
        size = min(int(request.query.get("limit", "1000")), self.bars_page)
        if self.bars_repeat_token:
            return bars[:size], "0"  # a broken pager: the same token, for ever
        end = start + size
        return bars[start:end], (str(end) if end < len(bars) else None)

    def _bars_query(self, request: web.Request) -> tuple[str, str] | web.Response:
        start, end = request.query.get("start"), request.query.get("end")
        if not start or not end:
            return self._error(422, 42210000, "start and end are required here")
        return start, end

    async def _bars_single(self, request: web.Request) -> web.Response:
        q = self._bars_query(request)
        if isinstance(q, web.Response):
            return q
        symbol = request.match_info["symbol"]
        bars, token = self._page(self._bar_series(symbol, *q), request)
        return web.json_response({"bars": bars, "symbol": symbol, "next_page_token": token})

    async def _bars_multi(self, request: web.Request) -> web.Response:
        q = self._bars_query(request)
        if isinstance(q, web.Response):
            return q
        symbol = request.query.get("symbols", "").split(",")[0]
        bars, token = self._page(self._bar_series(symbol, *q), request)
        return web.json_response({"bars": {symbol: bars}, "next_page_token": token})

    # -- matching ----------------------------------------------------------------------------
    def _price(self, symbol: str) -> float:
        return self.prices.get(symbol, self.default_price)

    @staticmethod
    def _leaves(o: dict) -> float:
        return float(o["qty"]) - float(o["filled_qty"])

    async def _work(self, o: dict) -> None:
        o["status"] = "new"
        o["updated_at"] = _now()
        self._emit("new", o)
        await self._match(o)

    async def _match(self, o: dict) -> None:
        if self.fill_delay_s:
            await asyncio.sleep(self.fill_delay_s)
        price = self._price(o["symbol"])
        if o["type"] == "limit":
            limit = float(o["limit_price"])
            if (o["side"] == "buy" and price > limit) or (o["side"] == "sell" and price < limit):
                return  # rests until the price crosses it
        chunks = max(1, self.fill_chunks)
        total = self._leaves(o)
        if self.overfill_orders and o["type"] == "market":
            # Alpaca reports more filled than the order's quantity (150 of 100).
            self.overfill_orders -= 1
            self._execute(o, round(total * self.overfill_ratio, 9), price, overfill=True)
            return
        for i in range(chunks):
            if o["status"] not in ("new", "partially_filled"):
                return
            qty = total / chunks if i < chunks - 1 else self._leaves(o)
            self._execute(o, round(qty, 9), price)
            if self.fill_delay_s and i < chunks - 1:
                await asyncio.sleep(self.fill_delay_s)

    def _execute(self, o: dict, qty: float, price: float, force: bool = False,
                 overfill: bool = False) -> None:
        """One execution of qty at price: the order, the position, the cash, the event."""
        if qty <= 0 or (not force and o["status"] not in ("new", "partially_filled", "accepted")):
            return
        filled = float(o["filled_qty"])
        avg = float(o["filled_avg_price"] or 0)
        new_filled = filled + qty
        o["filled_avg_price"] = _dec((avg * filled + price * qty) / new_filled)
        o["filled_qty"] = _dec(new_filled)
        done = abs(new_filled - float(o["qty"])) <= 1e-9 or overfill
        if not force or done:
            o["status"] = "filled" if done else "partially_filled"
        o["updated_at"] = _now()
        if done:
            o["filled_at"] = o["updated_at"]
        sign = 1 if o["side"] == "buy" else -1
        p = self.positions.setdefault(o["symbol"], {"qty": 0.0, "cost": 0.0})
        before = p["qty"]
        after = before + sign * qty
        if before == 0 or (before > 0) == (sign > 0):
            p["cost"] += sign * qty * price
        elif abs(after) <= 1e-12:
            p["cost"] = 0.0
        elif (after > 0) != (before > 0):
            p["cost"] = after * price  # flipped: the remainder opened at this price
        else:
            p["cost"] *= after / before  # reduced at the average cost
        p["qty"] = 0.0 if abs(after) <= 1e-12 else after
        self._position_book.append((time.monotonic(), json.loads(json.dumps(self.positions))))
        self.cash -= sign * qty * price
        self._emit("fill" if done else "partial_fill", o, price=_dec(price), qty=_dec(qty),
                   position_qty=_dec(p["qty"]))

    # -- the stream --------------------------------------------------------------------------
    def _emit(self, event: str, o: dict, **extra: str) -> None:
        data = {"event": event, "execution_id": str(uuid.uuid4()), "order": dict(o),
                "timestamp": _now(), **extra}
        self.events.append(data)
        if not self.listeners:
            self.events_lost += 1  # Alpaca does not replay what a client missed
            return
        text = json.dumps({"stream": "trade_updates", "data": data}).encode()
        if event in ("fill", "partial_fill") and self.event_faults:
            text = self._faulty(self.event_faults.pop(0), data, text)
            if text is None:
                return
        for ws in list(self.listeners):
            self._spawn(self._send(ws, text))

    @staticmethod
    def _faulty(fault: str, data: dict, text: bytes) -> bytes | None:
        """The event sent instead of `data` (the fill happened all the same, in the book)."""
        bad = json.loads(json.dumps(data))
        if fault == "silent":
            return None
        if fault == "malformed":
            return text[: len(text) * 2 // 3]  # cut short: not JSON, the client id still in it
        if fault == "no_order":
            bad.pop("order")
        elif fault == "wrong_type":
            bad["order"]["filled_qty"] = float(bad["order"]["filled_qty"])  # a number, not text
        elif fault == "zero_price":
            bad["price"] = "0"
        elif fault == "other_symbol":
            bad["order"]["symbol"] = "MSFT"
        elif fault == "other_side":
            bad["order"]["side"] = "sell" if bad["order"]["side"] == "buy" else "buy"
        else:
            raise ValueError(f"unknown event fault {fault!r}")
        return json.dumps({"stream": "trade_updates", "data": bad}).encode()

    def add_foreign_order(self, symbol: str, client_order_id: str, qty: float = 1,
                          limit_price: float = 1.0) -> None:
        """A resting limit order placed outside the engine (any client_order_id)."""
        def go():
            order = self._new_order({"symbol": symbol, "qty": str(qty), "side": "buy",
                                     "type": "limit", "time_in_force": "gtc",
                                     "limit_price": str(limit_price)}, client_order_id)
            order["status"] = "new"
        self.run(go)

    async def _send(self, ws: web.WebSocketResponse, payload: bytes) -> None:
        with contextlib.suppress(Exception):
            await ws.send_bytes(payload)  # the paper stream sends JSON in binary frames

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        if self.stream_refused:
            return web.Response(status=503, text="stream unavailable")
        ws = web.WebSocketResponse(heartbeat=None, autoping=True)
        await ws.prepare(request)
        assert request.transport is not None
        self.stream_connections[ws] = request.transport
        self.stream_connects += 1
        authorized = False
        try:
            async for msg in ws:
                if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                    continue
                try:
                    m = json.loads(msg.data)
                except ValueError:
                    continue
                action = m.get("action")
                data = m.get("data") or {}
                if action in ("authenticate", "auth"):
                    key = data.get("key_id") if action == "authenticate" else m.get("key")
                    secret = data.get("secret_key") if action == "authenticate" else m.get("secret")
                    authorized = key == self.key and secret == self.secret
                    reply: dict[str, Any] = {"status": "authorized" if authorized else "unauthorized",
                                             "action": "authenticate"}
                    if not authorized:
                        reply["message"] = "access key verification failed"
                    await ws.send_bytes(json.dumps({"stream": "authorization",
                                                    "data": reply}).encode())
                elif action == "listen":
                    if not authorized:
                        await ws.send_bytes(json.dumps({"stream": "authorization", "data": {
                            "status": "unauthorized", "action": "listen"}}).encode())
                        continue
                    streams = data.get("streams", [])
                    if "trade_updates" in streams:
                        self.listeners.add(ws)
                    else:
                        self.listeners.discard(ws)
                    await ws.send_bytes(json.dumps({"stream": "listening",
                                                    "data": {"streams": streams}}).encode())
        finally:
            self.listeners.discard(ws)
            self.stream_connections.pop(ws, None)
        return ws
