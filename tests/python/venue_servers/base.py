"""A local TLS WebSocket server for venue tests: 127.0.0.1, a certificate from a throwaway CA
made at test time (trustme), run on its own asyncio thread. Venue servers subclass it and
speak their protocol in ``handle``; the test drives them from its own thread and injects
faults: drop every connection, send malformed frames, go silent (stop reading, so pings go
unanswered), or send anything at all.

Test code only: it stands in for the venues, never for the engine.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
import threading
import time
from pathlib import Path
from typing import Any, Callable

import trustme
from websockets.asyncio.server import ServerConnection, serve


class VenueServer:
    path = "/"

    def __init__(self, workdir: Path):
        self.workdir = Path(workdir)
        self.ca = trustme.CA()
        cert = self.ca.issue_cert("127.0.0.1", "localhost")
        self.ca_file = self.workdir / "venue-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        self._ssl = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cert.configure_cert(self._ssl)
        self.loop = asyncio.new_event_loop()
        self.connections: list[ServerConnection] = []
        self.connects = 0
        self.received: list[Any] = []  # every client message, decoded, in order
        self.port = 0
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._server = None
        self._gate: asyncio.Event | None = None
        self._tasks: set = set()

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> VenueServer:
        self._thread.start()

        async def up():
            self._gate = asyncio.Event()
            self._server = await serve(self._session, "127.0.0.1", 0, ssl=self._ssl,
                                       ping_interval=None, max_size=None)
            return self._server.sockets[0].getsockname()[1]

        self.port = self.call(up())
        return self

    def stop(self) -> None:
        async def down():
            for t in list(self._tasks):
                t.cancel()
            for ws in list(self.connections):  # silenced ones would never close gracefully
                ws.transport.abort()
            self._server.close()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 3)

        try:
            self.call(down(), timeout=5)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(5)

    def open(self) -> VenueServer:
        """Lets connections proceed. Until then the server holds each new connection before
        greeting it, so a test can first make sure its own bus subscriber is live (a feed
        started without waiting for downstream would otherwise publish into ZeroMQ's
        slow-joiner window)."""
        self.loop.call_soon_threadsafe(self._gate.set)
        return self

    def hold(self) -> VenueServer:
        """Holds new connections again (until open()): with drop(), an outage during which the
        venue carries on without the client."""
        self.loop.call_soon_threadsafe(self._gate.clear)
        return self

    @property
    def url(self) -> str:
        return f"wss://127.0.0.1:{self.port}{self.path}"

    def call(self, coro, timeout: float = 10):
        """Runs a coroutine on the server's loop from the test's thread."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    # -- protocol ----------------------------------------------------------------------------
    async def _session(self, ws: ServerConnection) -> None:
        await self._gate.wait()
        self.connections.append(ws)
        self.connects += 1
        try:
            await self.on_connect(ws)
            async for raw in ws:
                try:
                    msg = json.loads(raw)
                except ValueError:
                    msg = raw
                self.received.append(msg)
                await self.handle(ws, msg)
        except Exception:  # a dropped connection ends its session; the test sees the effects
            pass
        finally:
            if ws in self.connections:
                self.connections.remove(ws)

    def spawn(self, coro) -> None:
        """A background task of the server (e.g. a protocol deadline), cancelled by stop()."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def on_connect(self, ws: ServerConnection) -> None:
        """What the venue sends when a client connects."""

    async def handle(self, ws: ServerConnection, msg: Any) -> None:
        """A client message (decoded JSON, or the raw text if it is not JSON)."""

    # -- driving it from the test ------------------------------------------------------------
    def send(self, message: Any, raw: bool = False) -> None:
        """Sends to every open connection (JSON-encoded unless raw). A callable is called on
        the server's loop to make the message, so state such as sequence numbers is only ever
        touched there."""
        async def go():
            m = message() if callable(message) else message
            text = m if raw else json.dumps(m, separators=(",", ":"))
            for ws in list(self.connections):
                await ws.send(text)

        self.call(go())

    def drop(self) -> None:
        """Drops every connection abruptly (no close handshake), as a network failure would."""
        async def go():
            for ws in list(self.connections):
                ws.transport.abort()

        self.call(go())

    def trickle(self, text, chunk: int = 5, delay: float = 0.02) -> None:
        """Sends one text frame a few bytes at a time (a slow link, TCP segments splitting a
        frame): the frame is encoded here (server frames are unmasked: FIN + text opcode,
        length, payload) and written to the transport in pieces."""
        async def go():
            payload = (text() if callable(text) else text).encode()
            n = len(payload)
            header = bytes([0x81]) + (bytes([n]) if n < 126 else
                                      bytes([126]) + n.to_bytes(2, "big") if n < 65536 else
                                      bytes([127]) + n.to_bytes(8, "big"))
            frame = header + payload
            for ws in list(self.connections):
                for i in range(0, len(frame), chunk):
                    ws.transport.write(frame[i:i + chunk])
                    await asyncio.sleep(delay)

        self.call(go(), timeout=60)

    def silence(self, notice_after: float = 2.0) -> None:
        """Stops reading every connection: pings go unanswered, nothing more is sent. After
        notice_after seconds the server drops them, as a real venue's own timeouts would notice
        the peer gone (until then it still counts them, e.g. against a session limit)."""
        async def go():
            for ws in list(self.connections):
                ws.transport.pause_reading()

                async def notice(conn=ws):
                    await asyncio.sleep(notice_after)
                    conn.transport.abort()

                self.spawn(notice())

        self.call(go())

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10,
                 what: str = "condition") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.02)
        raise AssertionError(f"timed out waiting for {what}; received: {self.received[-10:]}")

    def requests(self, key: str, value: str | None = None) -> list[dict]:
        """Client messages that have key (equal to value, if given)."""
        return [m for m in self.received if isinstance(m, dict) and key in m
                and (value is None or m[key] == value)]
