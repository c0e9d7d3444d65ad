"""``ztrade compare SESSION_DIR``: proof, per session, that the backtest shows what the session
did. The bars (and trades) the session recorded are backtested with the session's settings and
strategy (``ztrade.backtest.run``, the engine's own parts), and the fills are matched with the
ones the session's journal holds: by symbol, side, quantity and the market time of the price
that filled them. It reports fills matched, fills at another price, fills only live, fills only
in the backtest, and P&L both ways (marked to the last close, net of the simulated broker's
commission); they agree when every fill matched at its price.
"""
from __future__ import annotations

import ast
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ztrade import _core, wire
from ztrade.errors import EngineError
from ztrade.session_strategies import MANIFEST

FILL = int(wire.ExecType.FILL)  # the journal numbers its records as the wire's ExecType
NEW = 0  # ... and an order as risk sent it as record 0


@dataclass
class Comparison:
    session: str
    strategy: str
    matched: int = 0
    other_price: int = 0
    only_live: int = 0
    only_backtest: int = 0
    live_pnl: float = 0.0
    backtest_pnl: float = 0.0
    bars: int = 0
    examples: list[dict] = field(default_factory=list)  # the first differences

    @property
    def agree(self) -> bool:
        return self.other_price == 0 and self.only_live == 0 and self.only_backtest == 0

    def as_dict(self) -> dict:
        return {"session": self.session, "strategy": self.strategy, "bars": self.bars,
                "fills_matched": self.matched, "fills_other_price": self.other_price,
                "fills_only_live": self.only_live, "fills_only_backtest": self.only_backtest,
                "live_pnl": self.live_pnl, "backtest_pnl": self.backtest_pnl,
                "agree": self.agree, "differences": self.examples}


def _manifest(session: Path) -> dict:
    path = session / MANIFEST
    if not path.is_file():
        raise EngineError(f"{session}: no {MANIFEST} - not a session directory of `ztrade run` "
                          "(0.1 sessions and other tools' directories have none)")
    try:
        return dict(json.loads(path.read_text()))
    except ValueError as exc:
        raise EngineError(f"{path}: not readable JSON ({exc})") from None


def _recording(session: Path, config: str, overrides: dict[str, str]) -> Path:
    cfg = _core.engine_config(config, {**overrides, "ZTRADE__engine__run_dir": str(session)})
    name = cfg.get("record_file") or ""
    path = Path(name) if Path(name).is_absolute() else session / name
    if not name or not path.is_file():
        raise EngineError(f"{session}: the session recorded no market data "
                          "(market_data.record_file; `ztrade run --strategy` records it)")
    return path


def _trades_of(recording: Path) -> Any:
    from ztrade.data import require_pandas
    from ztrade.wire import read_recording
    pd = require_pandas("ztrade compare")
    rows = [m.body for _, m in read_recording(str(recording)) if m.type == "trade"]
    if not rows:
        return None
    return pd.DataFrame({"ts_ns": np.array([r["exchange_ns"] for r in rows], dtype=np.int64),
                         "price": [r["price"] for r in rows], "size": [r["size"] for r in rows],
                         "symbol": [str(r["symbol"]) for r in rows]})


def _live_fills(session: Path, journal: str, strategy: str) -> list[dict]:
    path = Path(journal) if Path(journal).is_absolute() else session / journal
    records, _torn = _core.read_journal(str(path))
    orders = {r["client_order_id"]: r for r in records if r["kind"] == NEW}
    out = []
    for r in records:
        order = orders.get(r["client_order_id"])
        if r["kind"] != FILL or order is None or order["strategy"] != strategy:
            continue
        out.append({"symbol": order["symbol"], "side": order["side"], "qty": r["quantity"],
                    "price": r["price"], "ts_ns": r["ts_ns"]})
    return out


def _pnl(fills: list[dict], last_close: dict[str, float], commission: Any) -> float:
    """Cash flow of the fills plus what they leave held at the last close, less commission."""
    cash = 0.0
    held: defaultdict[str, float] = defaultdict(float)
    for f in fills:
        sign = 1.0 if f["side"] == "buy" else -1.0
        cash -= sign * f["qty"] * f["price"] + commission(f["qty"], f["price"])
        held[f["symbol"]] += sign * f["qty"]
    return cash + sum(q * last_close.get(s, 0.0) for s, q in held.items())


def compare(session_dir: str, strategy_file: str | None = None,
            params: dict[str, Any] | None = None, progress: bool = False) -> Comparison:
    """Backtests what the session recorded with its settings and strategy, and matches the
    fills (see the module's docstring)."""
    from ztrade.backtest import load, run
    from ztrade.strategy import StrategyLoadError, load_strategy
    session = Path(session_dir).resolve()
    if not session.is_dir():
        raise EngineError(f"{session_dir}: no such session directory")
    manifest = _manifest(session)
    declared = manifest.get("strategies") or []
    if strategy_file is None:
        if not declared:
            raise EngineError(f"{session}: the session ran no external strategy; name one "
                              "with --strategy FILE.py")
        strategy_file = declared[0]["file"]
        if params is None:
            params = {k: ast.literal_eval(v) for k, v in declared[0]["params"].items()}
    try:
        strategy = load_strategy(strategy_file, params or {})
    except StrategyLoadError as exc:
        raise EngineError(str(exc)) from None
    config, overrides = manifest["config"], dict(manifest.get("overrides") or {})
    recording = _recording(session, config, overrides)
    bars, _ = load(str(recording))
    trades = _trades_of(recording)
    result = run(strategy, bars, config=config, overrides=overrides, trades=trades, quiet=True,
                 progress=progress)
    cfg = _core.engine_config(config, {**overrides, "ZTRADE__engine__run_dir": str(session)})
    live = _live_fills(session, cfg["journal"], strategy.name)
    back: list[dict[str, Any]] = [
        {"symbol": str(r.symbol), "side": str(r.side), "qty": float(r.qty),
         "price": float(r.price), "ts_ns": int(r.ts_ns)} for r in result.fills.itertuples()]
    out = Comparison(str(session), f"{type(strategy).__name__} ('{strategy.name}')",
                     bars=len(bars.ts_ns))
    _match(live, back, out)
    closes = bars.columns["close"]
    last_close = {s: float(closes[bars.symbol == i][-1]) for i, s in enumerate(bars.symbols)
                  if (bars.symbol == i).any()}

    def fee(qty: float, price: float) -> float:
        return float(_core.sim_commission(config, overrides, qty, price))
    out.live_pnl = _pnl(live, last_close, fee)
    out.backtest_pnl = _pnl(back, last_close, fee)
    return out


def _match(live: list[dict], back: list[dict[str, Any]], out: Comparison) -> None:
    """Pairs each live fill with a backtest fill of the same symbol, side, time and quantity,
    and counts them: matched, at another price, only live, only in the backtest."""
    waiting: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for f in back:
        waiting[(f["symbol"], f["side"], f["ts_ns"], f["qty"])].append(f)
    for f in live:
        twins = waiting.get((f["symbol"], f["side"], f["ts_ns"], f["qty"]))
        if not twins:
            out.only_live += 1
            _example(out, "only_live", f, None)
            continue
        b = twins.pop(0)
        if math.isclose(float(b["price"]), float(f["price"]), rel_tol=1e-12, abs_tol=1e-12):
            out.matched += 1
        else:
            out.other_price += 1
            _example(out, "other_price", f, b)
    for rest in waiting.values():
        for b in rest:
            out.only_backtest += 1
            _example(out, "only_backtest", None, b)


def _example(out: Comparison, kind: str, live: dict | None, back: dict | None) -> None:
    if len(out.examples) < 10:
        out.examples.append({"kind": kind, "live": live, "backtest": back})


def render(c: Comparison) -> str:
    """The comparison as a table, and a verdict line."""
    from io import StringIO

    from rich.console import Console
    from rich.table import Table
    t = Table(title=f"ztrade compare: {c.session}\n{c.strategy}, {c.bars} bars",
              title_justify="left", show_header=False)
    t.add_column("what")
    t.add_column("value", justify="right")
    for label, value in (("fills matched", c.matched), ("fills at another price", c.other_price),
                         ("fills only live", c.only_live),
                         ("fills only in the backtest", c.only_backtest),
                         ("P&L live", f"{c.live_pnl:,.2f}"),
                         ("P&L backtest", f"{c.backtest_pnl:,.2f}")):
        t.add_row(label, str(value))
    buf = StringIO()
    console = Console(file=buf, width=100, color_system=None, force_terminal=False)
    console.print(t)
    for e in c.examples:
        console.print(f"  {e['kind']}: live {e['live']} backtest {e['backtest']}")
    verdict = ("AGREE: every fill of the session is the backtest's, at the same price"
               if c.agree else "DIFFER: the session did not trade as the backtest of its bars")
    return buf.getvalue().rstrip() + "\n" + verdict
