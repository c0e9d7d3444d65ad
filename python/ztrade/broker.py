"""Alpaca's trading API from Python - notebooks and the ``ztrade broker`` command: the account,
positions and orders, cancel-all and flatten, and historical bars downloaded into a CSV that
the replay (``market_data.replay.file``) and the backtester read, cached so that asking again
does not touch the network.

Settings come from the engine's own config, ``[execution.alpaca]`` (the same URLs, CA file and
key variables the engine uses); the keys from the environment or an env file, never printed.
Alpaca's live endpoint is refused unless ``allow_live_endpoint`` is set: the engine's config
reader refuses it, here as in the engine.

    from ztrade.broker import Alpaca
    alpaca = Alpaca.from_config(env_file="alpaca.env")
    alpaca.positions()
    path = alpaca.bars("AAPL", "2024-03-01", "2024-03-08")   # a CSV; cached
"""
from __future__ import annotations

import csv
import json
import os
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import tomllib

from ztrade import _core
from ztrade.untrusted import printable

__all__ = ["Alpaca", "AlpacaError", "AlpacaSettings"]


class AlpacaError(RuntimeError):
    """Alpaca refused a request (``status``, Alpaca's ``code`` and message) or could not be
    reached (status 0)."""

    def __init__(self, status: int, message: str, code: int = 0):
        detail = f" (HTTP {status}, code {code})" if status else ""
        super().__init__(f"Alpaca: {message}{detail}")
        self.status, self.code = status, code


@dataclass
class AlpacaSettings:
    trading_url: str
    data_url: str
    ca_file: str = ""
    key_id: str = field(default="", repr=False)
    secret: str = field(default="", repr=False)
    timeout_s: float = 10.0


def settings_from_config(config: str | None = None, overrides: dict[str, str] | None = None,
                         env_file: str | None = None) -> AlpacaSettings:
    """[execution.alpaca] of the engine config (the packaged default unless ``config``), with
    ZTRADE__* ``overrides``; keys from the environment, then ``env_file`` (set variables win)."""
    from ztrade.launcher import default_config
    values = {s["key"].removeprefix("execution.alpaca."): tomllib.loads(f"v = {s['value']}")["v"]
              for s in _core.config_settings(str(config or default_config()), overrides or {})
              if s["key"].startswith("execution.alpaca.")}
    env = dict(_core.read_env_file(env_file)) if env_file else {}
    env.update(os.environ)
    s = AlpacaSettings(values["trading_url"], values["data_url"], values["ca_file"],
                       env.get(values["key_id_env"], ""), env.get(values["secret_env"], ""),
                       values["request_timeout_ms"] / 1000.0)
    if not s.key_id or not s.secret:
        raise AlpacaError(0, f"set {values['key_id_env']} and {values['secret_env']} in the "
                             "environment or an env file (--env-file)")
    for name, value in ((values["key_id_env"], s.key_id), (values["secret_env"], s.secret)):
        # A stray carriage return or space (a file saved on Windows, a paste) would reach an
        # HTTP header, whose error message quotes the value: named here, never shown.
        if not value.isascii() or not value.isprintable() or value != value.strip():
            raise AlpacaError(0, f"{name} holds a space, control character (a carriage "
                                 "return?) or non-ASCII character; its value is not shown")
    return s


class Alpaca:
    """A small synchronous client of Alpaca's trading and market data REST APIs."""

    def __init__(self, settings: AlpacaSettings, cache_dir: str | Path | None = None):
        self.settings = settings
        self._ssl = ssl.create_default_context(cafile=settings.ca_file or None)
        self.cache_dir = Path(cache_dir or os.environ.get("ZTRADE_CACHE_DIR") or
                              Path.home() / ".cache" / "ztrade")
        self.requests = 0  # sent, for the curious (and the cache's tests)

    @classmethod
    def from_config(cls, config: str | None = None, overrides: dict[str, str] | None = None,
                    env_file: str | None = None, cache_dir: str | Path | None = None) -> Alpaca:
        return cls(settings_from_config(config, overrides, env_file), cache_dir)

    # -- HTTP ---------------------------------------------------------------------------------
    def _request(self, method: str, base: str, path: str,
                 query: dict[str, Any] | None = None) -> Any:
        url = base.rstrip("/") + path
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        req = urllib.request.Request(url, method=method, headers={
            "APCA-API-KEY-ID": self.settings.key_id,
            "APCA-API-SECRET-KEY": self.settings.secret,
            "User-Agent": "ztrade"})
        self.requests += 1
        try:
            with urllib.request.urlopen(req, timeout=self.settings.timeout_s,
                                        context=self._ssl) as r:
                body = r.read()
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                err = json.loads(raw)
                raise AlpacaError(e.code, printable(err.get("message", raw[:200])),
                                  int(err.get("code", 0))) from None
            except (ValueError, AttributeError):
                raise AlpacaError(e.code, printable(raw[:200].decode(errors="replace") or e.reason)
                                  ) from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise AlpacaError(0, f"cannot reach {base}: {reason}") from None
        return json.loads(body) if body else None

    def _trading(self, method: str, path: str, query: dict[str, Any] | None = None) -> Any:
        return self._request(method, self.settings.trading_url, path, query)

    # -- trading ------------------------------------------------------------------------------
    def account(self) -> dict:
        return self._trading("GET", "/v2/account")

    def clock(self) -> dict:
        return self._trading("GET", "/v2/clock")

    def positions(self) -> list[dict]:
        return self._trading("GET", "/v2/positions")

    def orders(self, status: str = "open", limit: int = 500) -> list[dict]:
        if status not in ("open", "closed", "all"):
            raise ValueError(f"status must be open, closed or all, not {status!r}")
        return self._trading("GET", "/v2/orders", {"status": status, "limit": limit,
                                                   "direction": "desc"})

    def cancel_all(self) -> list[dict]:
        """Cancels every open order (Alpaca's 207 list: one entry per order)."""
        return self._trading("DELETE", "/v2/orders") or []

    def flatten(self) -> list[dict]:
        """Cancels every open order and closes every position with a market order."""
        return self._trading("DELETE", "/v2/positions", {"cancel_orders": "true"}) or []

    # -- historical bars ----------------------------------------------------------------------
    def bars(self, symbol: str, start: str, end: str, timeframe: str = "1Min",
             feed: str = "iex", out: str | Path | None = None) -> Path:
        """Bars of ``symbol`` from ``start`` to ``end`` (RFC 3339 or YYYY-MM-DD) into a CSV of
        ts_ns,symbol,open,high,low,close,volume - what market_data.replay.file and
        ztrade.data.load_bars_csv read. Pages through /v2/stocks/{symbol}/bars. Kept in the
        cache directory (or ``out``): a second call with the same arguments reads no network."""
        for name, value in (("start", start), ("end", end)):
            _rfc3339(value, name)
        key = "_".join(urllib.parse.quote(x, safe="") for x in
                       (symbol, timeframe, feed, start, end))
        path = Path(out) if out else self.cache_dir / "bars" / f"{key}.csv"
        if path.is_file():
            return path
        rows: list[list[Any]] = []
        token = None
        tokens: set[str] = set()  # seen: a token repeated would page for ever
        while True:
            page = self._request("GET", self.settings.data_url,
                                 f"/v2/stocks/{urllib.parse.quote(symbol, safe='')}/bars",
                                 {"timeframe": timeframe, "start": start, "end": end,
                                  "feed": feed, "limit": 10000, "adjustment": "raw",
                                  "page_token": token})
            for b in page.get("bars") or []:
                rows.append([_rfc3339(b["t"], "t"), symbol, b["o"], b["h"], b["l"], b["c"],
                             b["v"]])
            token = page.get("next_page_token")
            if not token:
                break
            if token in tokens:
                raise AlpacaError(0, f"bars of {symbol}: Alpaca sent the page token "
                                     f"{printable(token)!r} twice (after {len(tokens)} pages); "
                                     "stopping rather than looping")
            tokens.add(token)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".partial")
        with tmp.open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["ts_ns", "symbol", "open", "high", "low", "close", "volume"])
            w.writerows(rows)
        tmp.replace(path)  # whole or not at all: a cached file is always complete
        return path


def _rfc3339(text: str, what: str) -> int:
    """Nanoseconds since the epoch of an RFC 3339 time or a date."""
    try:
        t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{what}: {text!r} is not a date or an RFC 3339 time") from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    d = t - datetime(1970, 1, 1, tzinfo=timezone.utc)  # exact: no float seconds
    return (d.days * 86_400 + d.seconds) * 1_000_000_000 + d.microseconds * 1000
