"""``ztrade broker``: the Alpaca account from the command line - account, positions, orders,
cancel-all, flatten, bars - as readable tables or ``--json``.

While an engine trades through Alpaca (its execution answers /status with a broker block),
positions show the engine's quantity beside Alpaca's, cancel-all goes through the kill switch
(risk's HALT, which has execution cancel every open order, so the journal records each
cancel), and flatten is refused: positions closed behind a running engine's back are exactly
the state it would have to call unexplained.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Callable

from rich.console import Console
from rich.table import Table

from ztrade.broker import Alpaca, AlpacaError
from ztrade.metrics import execution_status
from ztrade.untrusted import cell


class BrokerCliError(Exception):
    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


def add_parser(sub: Any, engine_args: Callable[[argparse.ArgumentParser], None]) -> None:
    b = sub.add_parser("broker", help="the Alpaca account: account, positions, orders, "
                                      "cancel-all, flatten, bars")
    engine_args(b)
    b.add_argument("--set", action="append", metavar="SECTION.KEY=VALUE",
                   help="override a config value (e.g. execution.alpaca.trading_url=...)")
    b.add_argument("--env-file", help="KEY=VALUE file with the key pair (set variables win)")
    b.add_argument("--json", action="store_true", help="print JSON instead of tables")
    what = b.add_subparsers(dest="broker_command", required=True)
    what.add_parser("account", help="cash, buying power, equity, status")
    what.add_parser("positions", help="Alpaca's positions (and the running engine's beside them)")
    o = what.add_parser("orders", help="orders at Alpaca")
    o.add_argument("--status", choices=["open", "closed", "all"], default="open")
    what.add_parser("cancel-all", help="cancel every open order (through the kill switch while "
                                       "an engine runs)")
    f = what.add_parser("flatten", help="cancel every open order and close every position")
    f.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    bars = what.add_parser("bars", help="download historical bars into a CSV the replay reads "
                                        "(cached)")
    bars.add_argument("symbol")
    bars.add_argument("--start", required=True, help="YYYY-MM-DD or an RFC 3339 time")
    bars.add_argument("--end", required=True, help="YYYY-MM-DD or an RFC 3339 time")
    bars.add_argument("--timeframe", default="1Min", help="1Min, 5Min, 1Hour, 1Day, ...")
    bars.add_argument("--feed", default="iex", choices=["iex", "sip"])
    bars.add_argument("--out", help="the CSV to write (default: in the cache directory)")


def run(args: argparse.Namespace, overrides: dict[str, str]) -> int:
    try:
        return _run(args, overrides)
    except AlpacaError as exc:
        raise BrokerCliError(str(exc), 1) from None
    except ValueError as exc:  # a bad config, env file or argument
        raise BrokerCliError(str(exc)) from None


def _engine(args: argparse.Namespace, overrides: dict[str, str]) -> dict | None:
    """The running execution's /status when it trades through a broker adapter."""
    from ztrade import _core
    from ztrade.launcher import default_config
    o = dict(overrides)
    if args.run_dir:
        o["ZTRADE__engine__run_dir"] = args.run_dir
    cfg = _core.engine_config(str(args.config or default_config()), o)
    status = execution_status(cfg["ops_ports"])
    return status if status and status.get("broker") else None


def _run(args: argparse.Namespace, overrides: dict[str, str]) -> int:
    alpaca = Alpaca.from_config(args.config, overrides, args.env_file)
    command = args.broker_command
    out = Console()
    if command == "account":
        a = alpaca.account()
        keys = ["account_number", "status", "currency", "cash", "buying_power", "equity",
                "long_market_value", "short_market_value", "trading_blocked",
                "pattern_day_trader"]
        return _emit(args, a, lambda: _pairs("account", {k: a.get(k) for k in keys}), out)
    if command == "positions":
        positions = alpaca.positions()
        engine = _engine(args, overrides)
        ours = (engine or {}).get("positions", {})
        rows = [{"symbol": p["symbol"], "qty": float(p["qty"]),
                 "engine_qty": (ours.get(p["symbol"], {}).get("quantity", 0.0)
                                if engine else None),
                 "avg_entry_price": float(p["avg_entry_price"]),
                 "market_value": float(p["market_value"]),
                 "unrealized_pl": float(p["unrealized_pl"])} for p in positions]
        if engine:
            for symbol, p in ours.items():
                if p["quantity"] and symbol not in {r["symbol"] for r in rows}:
                    rows.append({"symbol": symbol, "qty": 0.0, "engine_qty": p["quantity"],
                                 "avg_entry_price": 0.0, "market_value": 0.0,
                                 "unrealized_pl": 0.0})
        return _emit(args, rows, lambda: _rows("positions" + (" (engine running)" if engine
                                                              else ""), rows), out)
    if command == "orders":
        orders = alpaca.orders(args.status)
        rows = [{k: o.get(k) for k in ("created_at", "client_order_id", "symbol", "side", "type",
                                       "qty", "filled_qty", "filled_avg_price", "limit_price",
                                       "status")} for o in orders]
        return _emit(args, rows, lambda: _rows(f"orders ({args.status})", rows), out)
    if command == "cancel-all":
        if _engine(args, overrides):
            from ztrade.cli import main as cli_main
            # The kill switch: risk halts and has execution cancel every open order.
            return cli_main(["control", "halt", *_engine_flags(args)])
        result = alpaca.cancel_all()
        return _emit(args, result, lambda: out.print(f"canceled {len(result)} order(s)"), out)
    if command == "flatten":
        if _engine(args, overrides):
            raise BrokerCliError("an engine is trading through Alpaca: stop it first (or "
                                 "`ztrade broker cancel-all`, which halts it); positions closed "
                                 "behind its back would not be in its journal")
        if not args.yes:
            if not sys.stdin.isatty():
                raise BrokerCliError("flatten closes every position: confirm with --yes")
            answer = input("Cancel every open order and close every position at Alpaca? "
                           "[y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                print("nothing done")
                return 1
        result = alpaca.flatten()
        return _emit(args, result, lambda: out.print(
            f"closing {len(result)} position(s); open orders canceled"), out)
    if command == "bars":
        path = alpaca.bars(args.symbol, args.start, args.end, args.timeframe, args.feed,
                           args.out)
        return _emit(args, {"path": str(path)}, lambda: out.print(str(path)), out)
    raise BrokerCliError(f"unknown broker command {command!r}")


def _engine_flags(args: argparse.Namespace) -> list[str]:
    flags = []
    if args.config:
        flags += ["--config", args.config]
    if args.run_dir:
        flags += ["--run-dir", args.run_dir]
    if args.threads:
        flags.append("--threads")
    return flags


def _emit(args: argparse.Namespace, data: Any, table: Callable[[], Any], out: Console) -> int:
    if args.json:
        print(json.dumps(data, indent=2, default=str))
    else:
        rendered = table()
        if rendered is not None:
            out.print(rendered)
    return 0


def _pairs(title: str, values: dict) -> Table:
    t = Table(title=title, show_header=False)
    t.add_column("field")
    t.add_column("value", justify="right")
    for k, v in values.items():
        t.add_row(k, cell("-" if v is None else v))
    return t


def _rows(title: str, rows: list[dict]) -> Table:
    t = Table(title=title)
    if not rows:
        t.add_column("(none)")
        return t
    for k in rows[0]:
        t.add_column(k, justify="left" if isinstance(rows[0][k], str) else "right")
    for r in rows:
        # Every value came from the broker: escaped, never markup or terminal control.
        t.add_row(*(cell("-" if v is None else (f"{v:,.4f}".rstrip("0").rstrip(".")
                                                if isinstance(v, float) else v))
                    for v in r.values()))
    return t
