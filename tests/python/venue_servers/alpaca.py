"""Alpaca market data stream v2, as documented in docs/reference/venue-protocols.md
section 1.4: every server message a JSON array; "connected" on connect; auth within the
deadline or 404; wrong keys 402; one authenticated session at a time (406 for another);
(un)subscribe before auth 401; every (un)subscribe answered with the full current set,
empty arrays included, and corrections/cancelErrors implied by trades; data batched.
"""
from __future__ import annotations

import asyncio
import json

from .base import VenueServer

CHANNELS = ["trades", "quotes", "bars", "updatedBars", "dailyBars", "statuses", "lulds",
            "corrections", "cancelErrors"]


class AlpacaServer(VenueServer):
    path = "/v2/iex"

    def __init__(self, workdir, key: str = "PKTEST", secret: str = "s3cr3t",
                 auth_deadline_s: float = 10.0):
        super().__init__(workdir)
        self.key, self.secret = key, secret
        self.deadline = auth_deadline_s
        self.authenticated = set()   # connections that authenticated
        self.subs: dict[str, set] = {c: set() for c in CHANNELS}
        self.reject_connections = False  # answer auth with 406 (limit) while set

    async def _error(self, ws, code: int, msg: str, close: bool = False):
        await ws.send(json.dumps([{"T": "error", "code": code, "msg": msg}]))
        if close:
            await ws.close()

    async def on_connect(self, ws):
        self.subs = {c: set() for c in CHANNELS}
        await ws.send(json.dumps([{"T": "success", "msg": "connected"}]))

        async def enforce():
            await asyncio.sleep(self.deadline)
            if ws not in self.authenticated and ws in self.connections:
                await self._error(ws, 404, "auth timeout", close=True)

        self.spawn(enforce())

    async def handle(self, ws, msg):
        if not isinstance(msg, dict) or "action" not in msg:
            return await self._error(ws, 400, "invalid syntax")
        action = msg["action"]
        if action == "auth":
            if ws in self.authenticated:
                return await self._error(ws, 403, "already authenticated")
            if msg.get("key") != self.key or msg.get("secret") != self.secret:
                return await self._error(ws, 402, "auth failed", close=True)
            if self.reject_connections or any(c in self.authenticated for c in self.connections
                                              if c is not ws):
                return await self._error(ws, 406, "connection limit exceeded", close=True)
            self.authenticated.add(ws)
            return await ws.send(json.dumps([{"T": "success", "msg": "authenticated"}]))
        if action in ("subscribe", "unsubscribe"):
            if ws not in self.authenticated:
                return await self._error(ws, 401, "not authenticated")
            for channel in CHANNELS:
                symbols = set(msg.get(channel, []))
                (self.subs[channel].update if action == "subscribe"
                 else self.subs[channel].difference_update)(symbols)
            self.subs["corrections"] = set(self.subs["trades"])
            self.subs["cancelErrors"] = set(self.subs["trades"])
            state = {c: sorted(s) for c, s in self.subs.items()}
            return await ws.send(json.dumps([{"T": "subscription", **state}]))
        await self._error(ws, 400, "invalid syntax")

    def data(self, items: list[dict]) -> None:
        """One batched frame of data messages (to authenticated connections only)."""
        async def go():
            for ws in list(self.connections):
                if ws in self.authenticated:
                    await ws.send(json.dumps(items))

        self.call(go())
