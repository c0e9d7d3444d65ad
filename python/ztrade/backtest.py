"""Backtests on the engine's own parts: the bars go, in time order, through a FeatureComputer
per symbol, the strategy, risk (sizing and every check, as live), the order manager and the
simulated broker - the C++ code the live engine runs, in process (``ztrade._core.backtest_run``).

    from ztrade.backtest import run
    result = run(MyStrategy(), df, symbol="AAPL", cash=100_000, order_size=100)
    print(result)              # statistics
    result.plot()              # price with entries and exits, equity, drawdown
    result.trades              # round trips, with P&L

Fills do not cheat: a signal decided on a bar's close is a market order filled at the next
bar's open (``fill="close"`` opts into filling at the same close, which looks ahead).
``result.returns`` (a Series on the bar times) feeds quantstats or pyfolio as it is.
"""
from __future__ import annotations

import itertools
import math
import os
import sys
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ztrade import _core
from ztrade.data import index_ns, require_pandas, ts_column_ns, ts_ns_column
from ztrade.strategy import Strategy, strategy_name_problem

__all__ = ["RISK_OFF", "Result", "heatmap", "load", "run", "settings_overrides", "sweep"]

_NS_PER_YEAR = 365.25 * 86_400 * 1e9
_COLUMNS = ("open", "high", "low", "close", "volume")


# -- data ---------------------------------------------------------------------------------------
@dataclass
class _Bars:
    symbols: list[str]
    ts_ns: np.ndarray
    symbol: np.ndarray  # int32 index into symbols
    columns: dict[str, np.ndarray] = field(default_factory=dict)


def _frame_times(frame: Any, name: str) -> np.ndarray:
    """Nanoseconds since the epoch: a ts_ns column, a ts column (seconds) or a DatetimeIndex."""
    if "ts_ns" in frame:
        return ts_ns_column(frame["ts_ns"], name)
    if "ts" in frame:  # seconds, or ms, us or ns told apart by magnitude (ztrade.data.TS_UNITS)
        return ts_column_ns(frame["ts"], name)
    if hasattr(getattr(frame, "index", None), "asi8"):
        return index_ns(frame.index)
    raise ValueError(f"{name}: needs a DatetimeIndex, a ts_ns column or a ts column")


def _frame_columns(frame: Any, name: str) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    missing = [c for c in _COLUMNS if c not in frame]
    if missing:
        raise ValueError(f"{name}: missing column(s) {', '.join(missing)}")
    return _frame_times(frame, name), {c: np.asarray(frame[c], dtype=np.float64) for c in _COLUMNS}


def _check(name: str, ts: np.ndarray, cols: dict[str, np.ndarray], clean: bool,
           dropped: list[str]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Rejects (or, with clean, drops) rows that are not bars, naming the first bad row."""
    o, h, lo, c, v = (cols[k] for k in _COLUMNS)
    finite = np.isfinite(o) & np.isfinite(h) & np.isfinite(lo) & np.isfinite(c) & np.isfinite(v)
    with np.errstate(invalid="ignore"):
        shaped = (lo > 0) & (h >= lo) & (o >= lo) & (o <= h) & (c >= lo) & (c <= h) & (v >= 0)
    bad = ~(finite & shaped)
    problems = []
    if bad.any():
        i = int(np.argmax(bad))
        problems.append((f"{name}: row {i} (ts_ns {int(ts[i])}) is not a bar: open {o[i]} "
                         f"high {h[i]} low {lo[i]} close {c[i]} volume {v[i]} (NaN, high < low, "
                         "a price outside high-low, or negative volume)", bad))
    if not clean and (np.diff(ts) <= 0).any():
        i = int(np.argmax(np.diff(ts) <= 0)) + 1
        what = "duplicates" if ts[i] == ts[i - 1] else "goes back from"
        raise ValueError(f"{name}: row {i} (ts_ns {int(ts[i])}) {what} the row before "
                         f"(ts_ns {int(ts[i - 1])}); pass clean=True to sort and drop duplicates")
    if problems and not clean:
        raise ValueError(problems[0][0] + "; pass clean=True to drop such rows")
    if clean:
        keep = ~bad
        order = np.argsort(ts, kind="stable")
        ts, cols = ts[order], {k: x[order] for k, x in cols.items()}
        keep = keep[order]
        dup = np.zeros(len(ts), dtype=bool)
        dup[1:] = ts[1:] == ts[:-1]
        keep &= ~dup
        if (~keep).any():
            dropped.append(f"{name}: {int((~keep).sum())} row(s) dropped (not bars, or "
                           "duplicate times)")
        ts, cols = ts[keep], {k: x[keep] for k, x in cols.items()}
    return ts, cols


def load(data: Any, symbol: str | None = None, clean: bool = False) -> tuple[_Bars, list[str]]:
    """Bars from a DataFrame (DatetimeIndex or ts_ns/ts column), a mapping of symbol ->
    DataFrame, or a file: CSV (``ztrade.data`` format, a ``symbol`` column for several),
    Parquet, or an engine recording. Returns the bars merged in time order and what cleaning
    dropped."""
    frames: dict[str, tuple[np.ndarray, dict[str, np.ndarray]]] = {}
    if isinstance(data, _Bars):  # loaded already (a sweep loads once for all its runs)
        return data, []
    if isinstance(data, (str, Path)):
        frames = _read_file(Path(data), symbol)
    elif isinstance(data, Mapping) and data and all(not isinstance(v, np.ndarray) and
                                                   hasattr(v, "__getitem__") and
                                                   not isinstance(v, (int, float))
                                                   for v in data.values()) \
            and not set(_COLUMNS) <= set(data):
        frames = {str(k): _frame_columns(v, str(k)) for k, v in data.items()}
    else:
        if "symbol" in data and symbol is None:
            frames = _split_by_symbol(data)
        else:
            frames = {symbol or "SYMBOL": _frame_columns(data, symbol or "SYMBOL")}
    dropped: list[str] = []
    symbols = sorted(frames)
    parts = []
    for i, name in enumerate(symbols):
        ts, cols = _check(name, *frames[name], clean=clean, dropped=dropped)
        parts.append((ts, np.full(len(ts), i, dtype=np.int32), cols))
    if len(parts) == 1:  # one symbol: already in time order (checked above)
        ts, sym, cols = parts[0]
        return _private(_Bars(symbols, ts, sym, cols)), dropped
    ts = np.concatenate([p[0] for p in parts])
    sym = np.concatenate([p[1] for p in parts])
    cols = {k: np.concatenate([p[2][k] for p in parts]) for k in _COLUMNS}
    order = np.lexsort((sym, ts))  # time order; at a tie, symbol order
    return _private(_Bars(symbols, ts[order], sym[order],
                          {k: v[order] for k, v in cols.items()})), dropped


def _frozen(a: np.ndarray, dtype: Any) -> np.ndarray:
    """A copy of `a` that nothing else holds, read-only."""
    out = np.array(a, dtype=dtype, copy=True, order="C")
    out.setflags(write=False)
    return out


def _private(bars: _Bars) -> _Bars:
    """The bars the engine replays, as copies nobody else holds, read-only: a strategy that
    writes to the caller's arrays (or a sweep's other runs) cannot change bars not yet seen, so
    a backtest is a pure function of its inputs."""
    return _Bars(bars.symbols, _frozen(bars.ts_ns, np.int64), _frozen(bars.symbol, np.int32),
                 {k: _frozen(v, np.float64) for k, v in bars.columns.items()})


def _split_by_symbol(table: Any) -> dict[str, tuple[np.ndarray, dict[str, np.ndarray]]]:
    ts, cols = _frame_columns(table, "data")
    names = np.asarray(table["symbol"]).astype(str)
    return {s: (ts[names == s], {k: v[names == s] for k, v in cols.items()})
            for s in np.unique(names)}


def _read_file(path: Path, symbol: str | None) -> dict:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        pd = require_pandas("reading Parquet")
        table = pd.read_parquet(path)
    elif suffix == ".csv":
        pd = require_pandas("reading CSV bars with symbols")
        table = pd.read_csv(path)
        if "symbol" in table:
            table["symbol"] = table["symbol"].astype(str)
    else:  # an engine recording (market_data.record_file)
        from ztrade.wire import read_recording
        rows = [m.body for _, m in read_recording(str(path)) if m.type == "bar"]
        if not rows:
            raise ValueError(f"{path}: not a CSV or Parquet file, nor a recording with bars")
        table = {"ts_ns": np.array([r["start_ns"] for r in rows], dtype=np.int64),
                 "symbol": np.array([str(r["symbol"]) for r in rows]),
                 **{k: np.array([r[k] for r in rows], dtype=np.float64) for k in _COLUMNS}}
    if "symbol" in table and symbol is None:
        return _split_by_symbol(table)
    return {symbol or path.stem: _frame_columns(table, str(path))}


# -- the run ------------------------------------------------------------------------------------
# risk="off": every limit out of the way (sizing still applies), said in so many words.
RISK_OFF: dict[str, Any] = {
    "max_order_qty": 1e300, "max_order_notional": 1e300, "max_position": 1e300,
    "max_gross_exposure": 1e300, "price_band_pct": 1e300, "max_orders_per_s": 1_000_000,
    "daily_loss_limit": 1e300, "stale_data_ms": 0}

# run()'s commission keys -> the simulated broker's settings ([execution] commission_*).
_COMMISSION_KEYS = {"per_share": "commission_per_share", "min_per_fill": "commission_min_per_fill",
                    "bps": "commission_bps", "fixed": "commission_fixed"}


def settings_overrides(config: Any = None, *, overrides: Mapping[str, str] | None = None,
                       order_size: float | None = None,
                       slippage_bps: float | None = None,
                       commission: Mapping[str, float] | None = None,
                       allow_short: bool | None = None,
                       risk: Mapping[str, Any] | str | None = None,
                       partial_fill_ratio: float | None = None,
                       volume_share: float | None = None) -> tuple[str, dict[str, str]]:
    """The engine config a backtest runs under, as (file path, ZTRADE__ overrides): ``config``
    (a session's TOML file, or a dict of sections such as ``{"risk": {...}, "execution":
    {...}}``), then the arguments given (None: as the config says). The engine's own reader
    checks every value, so a backtest runs under exactly what a session with that file would."""
    path = ""
    given = dict(overrides or {})
    bad = [k for k in given if not k.startswith("ZTRADE__")]
    if bad:
        raise ValueError(f"overrides: {bad[0]!r} is not a ZTRADE__section__key setting")
    overrides = given
    if isinstance(config, (str, os.PathLike)):
        path = os.fspath(config)
        if not Path(path).is_file():
            raise FileNotFoundError(f"config {path}: no such file")
    elif isinstance(config, Mapping):
        for section, table in config.items():
            if not isinstance(table, Mapping):
                raise ValueError(f"config[{section!r}]: expected a table of settings, got "
                                 f"{type(table).__name__}")
            for key, value in table.items():
                overrides[f"ZTRADE__{section}__{key}"] = _toml(value)
    elif config is not None:
        raise TypeError(f"config: a path to an engine config file or a dict of sections, not "
                        f"{type(config).__name__}")
    if risk == "off":
        risk = RISK_OFF
    elif isinstance(risk, str):
        raise ValueError(f'risk: a dict of [risk] settings or "off", not {risk!r}')
    for key, value in (risk or {}).items():
        overrides[f"ZTRADE__risk__{key}"] = _toml(value)
    for key, value in (("order_size", order_size), ("allow_short", allow_short)):
        if value is not None:
            overrides[f"ZTRADE__risk__{key}"] = _toml(value)
    for key, value in (("slippage_bps", slippage_bps), ("partial_fill_ratio", partial_fill_ratio),
                       ("volume_share", volume_share)):
        if value is not None:
            overrides[f"ZTRADE__execution__{key}"] = _toml(float(value))
    for key, value in (commission or {}).items():
        if key not in _COMMISSION_KEYS:
            raise ValueError(f"commission: unknown key {key!r} ({', '.join(_COMMISSION_KEYS)})")
        overrides[f"ZTRADE__execution__{_COMMISSION_KEYS[key]}"] = _toml(float(value))
    return path, overrides


def run(strategy: Strategy | str, data: Any, *, symbol: str | None = None,
        config: Any = None, overrides: Mapping[str, str] | None = None,
        cash: float = 100_000.0, order_size: float | None = None,
        slippage_bps: float | None = None, commission: Mapping[str, float] | None = None,
        fill: str = "next_open", allow_short: bool | None = None,
        risk: Mapping[str, Any] | str | None = None, partial_fill_ratio: float | None = None,
        volume_share: float | None = None, clean: bool = False, trades: Any = None,
        progress: bool | None = None, quiet: bool = False) -> Result:
    """Backtest ``strategy`` (a :class:`ztrade.strategy.Strategy`, or ``"macd_rsi"`` for the
    built-in C++ rule) over ``data`` (see :func:`load`).

    Settings are the engine's: ``config`` is a session's config file (or a dict of sections),
    read as the engine reads it, with ``overrides`` (``ZTRADE__section__key`` values, as a
    session's environment sets them), and the defaults are the engine's defaults - so a
    backtest trades under exactly the settings a session would. The arguments override single
    settings:
    ``order_size`` (risk.order_size, the quantity for a signal of strength 1), ``allow_short``
    (risk.allow_short: False makes a negative signal mean flat), ``risk`` (any other key of
    the ``[risk]`` section - limits, order_type "limit" with limit_offset_bps,
    daily_loss_limit, day_boundary - or ``"off"`` to run without limits), ``slippage_bps``,
    ``partial_fill_ratio``, ``volume_share`` and ``commission`` (``per_share`` with
    ``min_per_fill``, ``bps`` of notional, ``fixed`` per fill): the simulated broker's.
    ``fill``: ``"next_open"`` (default) or ``"close"`` (looks ahead: research only, the live
    engine has no such fill). ``trades``: the trades between the bars (a DataFrame or CSV with
    price and size, times as for bars, a ``symbol`` column when there are several symbols):
    orders then fill as in the live engine - after the trade that closed the bar they were
    decided on. ``clean``: sort, drop duplicates and rows that are not bars instead of
    refusing them. ``progress``: a tqdm bar (default: on for a million bars or more).
    ``quiet``: no closing line about the orders risk refused (it is always in the summary).
    """
    if not isinstance(strategy, str):
        name = getattr(strategy, "name", None)
        problem = strategy_name_problem(name)
        if problem:  # the live signal bridge would refuse its every signal
            raise ValueError(f"{type(strategy).__name__}.name {name!r} {problem}")
    path, settings = settings_overrides(
        config, overrides=overrides, order_size=order_size, slippage_bps=slippage_bps,
        commission=commission,
        allow_short=allow_short, risk=risk, partial_fill_ratio=partial_fill_ratio,
        volume_share=volume_share)
    bars, dropped = load(data, symbol, clean)
    n = len(bars.ts_ns)
    show = progress if progress is not None else n >= 1_000_000
    bar = _progress_bar(n) if show else None
    try:
        c = bars.columns
        t_ts, t_price, t_size, t_symbol = _trades(trades, bars.symbols, symbol)
        _check_trades_against_bars(bars, (t_ts, t_price, t_size, t_symbol))
        raw = _core.backtest_run(bars.ts_ns, c["open"], c["high"], c["low"], c["close"],
                                 c["volume"], bars.symbol, bars.symbols, strategy, settings,
                                 fill, float(cash),
                                 (lambda done: bar.update(done - bar.n)) if bar else None,
                                 t_ts, t_price, t_size, t_symbol, path)
    finally:
        if bar:
            bar.close()
    result = Result(raw, bars, float(cash), dropped,
                    strategy if isinstance(strategy, str) else type(strategy).__name__)
    line = result.risk_line()
    if line and not quiet:
        print(line, file=sys.stderr)
    return result


def _trades(data: Any, symbols: list[str], symbol: str | None
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The trades for the engine: times, prices, sizes and symbol indices, in time order."""
    if data is None:
        return (np.zeros(0, np.int64), np.zeros(0), np.zeros(0), np.zeros(0, np.int32))
    if isinstance(data, (str, Path)):
        pd = require_pandas("reading trades")
        if not Path(data).is_file():
            raise FileNotFoundError(f"{data}: no such file")
        data = pd.read_csv(data)
    missing = [c for c in ("price", "size") if c not in data]
    if missing:
        raise ValueError(f"trades: missing column(s) {', '.join(missing)}")
    ts = _frame_times(data, "trades")
    if "symbol" in data:
        names = np.asarray(data["symbol"]).astype(str)
    elif len(symbols) == 1 or symbol is not None:
        names = np.full(len(ts), symbol or symbols[0])
    else:
        raise ValueError("trades: a symbol column is needed for bars of several symbols")
    index = {s: i for i, s in enumerate(symbols)}
    unknown = sorted(set(np.unique(names)) - set(index))
    if unknown:
        raise ValueError(f"trades: symbol(s) {', '.join(unknown)} have no bars")
    sym = np.array([index[s] for s in names], dtype=np.int32) if len(names) else \
        np.zeros(0, np.int32)
    back = np.flatnonzero(np.diff(ts) < 0)
    if len(back):
        raise ValueError(f"trades: row {int(back[0]) + 1} is earlier than the row before it")
    price = _frozen(np.asarray(data["price"], dtype=np.float64), np.float64)
    size = _frozen(np.asarray(data["size"], dtype=np.float64), np.float64)
    bad = ~(np.isfinite(price) & (price > 0) & np.isfinite(size) & (size >= 0))
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"trades: row {i} (ts_ns {int(ts[i])}): price {price[i]} size "
                         f"{size[i]} is not a trade (a price > 0 and a size >= 0)")
    return _frozen(ts, np.int64), price, size, _frozen(sym, np.int32)


# How far outside the high-low range of the bar it falls in a trade may be before it is
# refused: bars and trades may come from different feeds (SIP bars, IEX trades), never this far
# apart - a price so far off is a bad row, and an order filled at it would be a fantasy.
TRADE_BAND = 0.10


def _check_trades_against_bars(bars: _Bars, trades: tuple) -> None:
    """ValueError naming the first trade more than TRADE_BAND outside its bar's high-low."""
    t_ts, t_price, _size, t_sym = trades
    if not len(t_ts):
        return
    for i, _name in enumerate(bars.symbols):
        mine = np.flatnonzero(t_sym == i)
        rows = np.flatnonzero(bars.symbol == i)
        if not len(mine) or not len(rows):
            continue
        starts = bars.ts_ns[rows]
        # The bar a trade falls in: the last that started at or before it.
        at = np.searchsorted(starts, t_ts[mine], side="right") - 1
        inside = at >= 0
        idx = rows[np.clip(at, 0, None)]
        hi, lo = bars.columns["high"][idx], bars.columns["low"][idx]
        p = t_price[mine]
        far = inside & ((p > hi * (1 + TRADE_BAND)) | (p < lo * (1 - TRADE_BAND)))
        if far.any():
            j = int(np.argmax(far))
            row = int(mine[j])
            raise ValueError(
                f"trades: row {row} (ts_ns {int(t_ts[row])}, {bars.symbols[i]}): price "
                f"{p[j]} is more than {TRADE_BAND:.0%} outside its bar's range "
                f"[{lo[j]}, {hi[j]}] (the bar at ts_ns {int(bars.ts_ns[idx[j]])})")


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _progress_bar(total: int, desc: str = "backtest", unit: str = "bar") -> Any:
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is a dependency; a missing one only loses the bar
        return None
    return tqdm(total=total, unit=unit, unit_scale=unit == "bar", desc=desc)


# -- results ------------------------------------------------------------------------------------
class Result:
    """What a backtest did: ``fills``, ``trades``, ``orders``, ``equity``, ``returns``,
    ``drawdown``, ``positions`` (pandas) and ``stats`` (a dict)."""

    def __init__(self, raw: dict, bars: _Bars, cash: float, dropped: list[str], name: str):
        pd = require_pandas("backtest results")
        self.name, self.cash, self.dropped, self._bars = name, cash, dropped, bars
        names = np.asarray(bars.symbols, dtype=object)
        f = raw
        self.fills = pd.DataFrame({
            "ts_ns": f["fill_ts"], "time": _times(f["fill_ts"]),
            "symbol": names[f["fill_symbol"]] if len(f["fill_ts"]) else np.array([], object),
            "side": np.where(f["fill_side"] > 0, "buy", "sell"), "qty": f["fill_qty"],
            "price": f["fill_price"], "commission": f["fill_commission"],
            "order_id": f["fill_order"]})
        self.orders = pd.DataFrame({
            "ts_ns": f["order_ts"], "time": _times(f["order_ts"]),
            "symbol": names[f["order_symbol"]] if len(f["order_ts"]) else np.array([], object),
            "side": np.where(f["order_side"] > 0, "buy", "sell"), "qty": f["order_qty"],
            "limit_price": f["order_limit"], "status": f["order_status"],
            "reject_reason": f["order_reason"], "filled": f["order_filled"],
            "avg_price": f["order_avg_price"], "order_id": f["order_id"]})
        # Equity after each bar; several symbols at one time keep the last (the time's close).
        eq = pd.Series(f["equity"], index=_times(bars.ts_ns), name="equity")  # a row per bar
        self.equity = eq[~eq.index.duplicated(keep="last")]
        ex = pd.Series(f["exposure"], index=eq.index, name="exposure")
        self.exposure = ex[~ex.index.duplicated(keep="last")]
        self.returns = self.equity.pct_change().fillna(0.0).rename("returns")
        self.drawdown = (self.equity / self.equity.cummax() - 1.0).rename("drawdown")
        self.positions = pd.DataFrame(raw["positions"],
                                      columns=["symbol", "quantity", "avg_price",
                                               "realized_pnl", "mark_price"])
        self.commissions = float(raw["commissions"])
        self.bars = int(raw["bars"])
        self.signals = int(raw["signals"])
        # Round trips, booked by the engine fill by fill (engine/backtest: Results::trade_*).
        qty, entry = f["trade_qty"], f["trade_entry_price"]
        self.trades = pd.DataFrame({
            "symbol": names[f["trade_symbol"]] if len(qty) else np.array([], object),
            "entry_time": _times(f["trade_entry_ts"]), "exit_time": _times(f["trade_exit_ts"]),
            "direction": np.where(f["trade_direction"] > 0, "long", "short"), "qty": qty,
            "entry_price": entry, "exit_price": f["trade_exit_price"], "pnl": f["trade_pnl"],
            "return": f["trade_pnl"] / (entry * qty) if len(qty) else np.array([]),
            "bars_held": f["trade_bars"], "commission": f["trade_commission"]})
        self.stats = self._stats()

    def _stats(self) -> dict[str, Any]:
        eq, r = self.equity.to_numpy(), self.returns.to_numpy()
        ts = index_ns(self.equity.index)
        span_years = (ts[-1] - ts[0]) / _NS_PER_YEAR if len(ts) > 1 else 0.0
        per_year = (len(ts) - 1) / span_years if span_years > 0 else float("nan")
        total = eq[-1] / self.cash - 1.0 if len(eq) else 0.0
        cagr = (eq[-1] / self.cash) ** (1 / span_years) - 1.0 \
            if span_years > 0 and eq[-1] > 0 else float("nan")
        sd = r.std(ddof=1) if len(r) > 1 else float("nan")
        downside = np.sqrt(np.mean(np.minimum(r, 0.0) ** 2)) if len(r) else float("nan")
        sharpe = r.mean() / sd * math.sqrt(per_year) if sd > 0 else float("nan")
        sortino = r.mean() / downside * math.sqrt(per_year) if downside > 0 else float("nan")
        dd = self.drawdown.to_numpy()
        max_dd = float(dd.min()) if len(dd) else 0.0
        # The longest time under a previous peak: from the peak to the last bar below it.
        duration = 0
        if len(dd) and (dd < 0).any():
            at_peak = dd >= 0
            peak_ts = np.maximum.accumulate(np.where(at_peak, ts, ts[0]))
            duration = int(np.max(np.where(at_peak, 0, ts - peak_ts)))
        t = self.trades
        pnl = t["pnl"].to_numpy() if len(t) else np.array([])
        wins, losses = pnl[pnl > 0], pnl[pnl < 0]
        first = self._bars.columns["close"]
        sym0 = self._bars.symbol == 0
        closes = first[sym0]
        buy_hold = closes[-1] / closes[0] - 1.0 if len(closes) > 1 else float("nan")
        exposure = float(np.mean(self.exposure.to_numpy() > 0)) if len(self.exposure) else 0.0
        return {
            "start": self.equity.index[0] if len(eq) else None,
            "end": self.equity.index[-1] if len(eq) else None,
            "bars": self.bars,
            "final_equity": float(eq[-1]) if len(eq) else self.cash,
            "total_return": float(total),
            "cagr": float(cagr),
            "volatility_ann": float(sd * math.sqrt(per_year)) if sd == sd else float("nan"),
            "sharpe": float(sharpe),
            "sortino": float(sortino),
            "max_drawdown": max_dd,
            "max_drawdown_duration": _duration(int(duration)),
            "calmar": float(cagr / -max_dd) if max_dd < 0 and cagr == cagr else float("nan"),
            "trades": len(t),
            "win_rate": float(len(wins) / len(pnl)) if len(pnl) else float("nan"),
            "profit_factor": float(wins.sum() / -losses.sum()) if len(losses) else float("nan"),
            "expectancy": float(pnl.mean()) if len(pnl) else float("nan"),
            "avg_trade_return": float(t["return"].mean()) if len(t) else float("nan"),
            "exposure_time": exposure,
            "commissions": self.commissions,
            "orders": int((self.orders["order_id"] > 0).sum()),
            "risk_rejects": int((self.orders["order_id"] == 0).sum()),
            "buy_and_hold_return": float(buy_hold),
        }

    @property
    def risk_refusals(self) -> dict[str, int]:
        """The orders risk refused, by reason (most first)."""
        refused = self.orders[self.orders["order_id"] == 0]
        counts = refused["reject_reason"].value_counts()
        return {str(k): int(v) for k, v in counts.items()}

    def risk_line(self) -> str:
        """One line on the orders risk refused and why ('' when none): limits shape research
        results, so a backtest says when they did."""
        refusals = self.risk_refusals
        if not refusals:
            return ""
        total = sum(refusals.values())
        reasons = ", ".join(f"{reason} {count}" for reason, count in refusals.items())
        return (f"backtest {self.name}: risk refused {total} of {len(self.orders)} orders "
                f"({reasons}); pass risk={{...}} to change a limit, or risk=\"off\" to run "
                "without limits")

    def __repr__(self) -> str:
        return self.summary()

    def summary(self) -> str:
        """The statistics as an aligned table."""
        from io import StringIO

        from rich.console import Console
        from rich.table import Table
        table = Table(title=f"backtest: {self.name}, {', '.join(self._bars.symbols)}",
                      show_header=False, title_justify="left")
        table.add_column("stat")
        table.add_column("value", justify="right")
        for key, value in self.stats.items():
            if isinstance(value, float):
                text = (f"{value:.2%}" if key in _PERCENT else f"{value:,.4f}")
            else:
                text = str(value)
            table.add_row(key, text)
        buf = StringIO()
        Console(file=buf, width=80, color_system=None, force_terminal=False).print(table)
        notes = "".join(f"\n{d}" for d in [*self.dropped, self.risk_line()] if d)
        return buf.getvalue().rstrip() + notes

    def plot(self, symbol: str | None = None, path: str | os.PathLike | None = None) -> Any:
        """Price with entries (^) and exits (v), equity, and drawdown, in one figure (returned;
        saved to ``path`` if given)."""
        import matplotlib
        if path is not None:
            matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        sym = symbol or self._bars.symbols[0]
        i = self._bars.symbols.index(sym)
        mask = self._bars.symbol == i
        times = _times(self._bars.ts_ns[mask])
        fig, (ax1, ax2, ax3) = plt.subplots(3, 1, figsize=(12, 8), sharex=True,
                                            gridspec_kw={"height_ratios": [3, 2, 1]})
        ax1.plot(times, self._bars.columns["close"][mask], lw=0.8, color="0.3", label=sym)
        f = self.fills[self.fills["symbol"] == sym]
        buys, sells = f[f["side"] == "buy"], f[f["side"] == "sell"]
        ax1.scatter(buys["time"], buys["price"], marker="^", color="tab:green", s=25,
                    label="buy", zorder=3)
        ax1.scatter(sells["time"], sells["price"], marker="v", color="tab:red", s=25,
                    label="sell", zorder=3)
        ax1.set_ylabel("price")
        ax1.legend(loc="upper left")
        ax2.plot(self.equity.index, self.equity.to_numpy(), color="tab:blue", lw=1)
        ax2.set_ylabel("equity")
        ax3.fill_between(self.drawdown.index, self.drawdown.to_numpy(), 0, color="tab:red",
                         alpha=0.4)
        ax3.set_ylabel("drawdown")
        fig.suptitle(f"{self.name}: total return {self.stats['total_return']:.2%}, "
                     f"Sharpe {self.stats['sharpe']:.2f}, max drawdown "
                     f"{self.stats['max_drawdown']:.2%}")
        fig.tight_layout()
        if path is not None:
            fig.savefig(path)
        return fig


def _times(ns: np.ndarray) -> Any:
    """A UTC DatetimeIndex from nanoseconds since the epoch (without pandas' object path)."""
    pd = require_pandas("backtest results")
    stamps = np.asarray(ns, dtype=np.int64).view("datetime64[ns]")
    return pd.DatetimeIndex(stamps).tz_localize("UTC")


# Every statistic in Result.stats, in order (a sweep's metric must be one; a test keeps this
# list equal to what _stats returns).
STAT_NAMES = ("start", "end", "bars", "final_equity", "total_return", "cagr", "volatility_ann",
              "sharpe", "sortino", "max_drawdown", "max_drawdown_duration", "calmar", "trades",
              "win_rate", "profit_factor", "expectancy", "avg_trade_return", "exposure_time",
              "commissions", "orders", "risk_rejects", "buy_and_hold_return")

_PERCENT = {"total_return", "cagr", "volatility_ann", "max_drawdown", "win_rate",
            "avg_trade_return", "exposure_time", "buy_and_hold_return"}


def _duration(ns: int) -> Any:
    pd = require_pandas("backtest results")
    return pd.Timedelta(ns, unit="ns")


# -- sweeps -------------------------------------------------------------------------------------
# Workers are started with "spawn" - never forked: a parent that has loaded LightGBM, BLAS or
# torch holds threads (OpenMP pools) whose locks a forked child inherits held, and deadlocks
# on. The bars go to the workers once, in shared memory (no copy per worker); the strategy
# class and parameters go by value (cloudpickle), so a class defined in a notebook cell works.
# A worker whose parent has gone (killed, crashed) exits at once instead of lingering.
_SHARED: dict[str, Any] = {}


def _share_bars(bars: _Bars) -> tuple[list[Any], dict]:
    """The bars' arrays copied once into shared memory blocks; returns the blocks (the parent
    unlinks them when the sweep ends) and what a worker needs to map them."""
    from multiprocessing import shared_memory
    blocks, layout = [], {}
    arrays = {"ts_ns": bars.ts_ns, "symbol": bars.symbol,
              **{f"col:{k}": v for k, v in bars.columns.items()}}
    for key, array in arrays.items():
        block = shared_memory.SharedMemory(create=True, size=max(1, array.nbytes))
        np.ndarray(array.shape, array.dtype, buffer=block.buf)[:] = array
        blocks.append(block)
        layout[key] = (block.name, array.shape, array.dtype.str)
    return blocks, {"symbols": bars.symbols, "arrays": layout}


def _watch_parent(parent: int) -> None:
    """Ends this worker when its parent is gone (it is then re-parented)."""
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)
    threading.Thread(target=watch, name="ztrade-sweep-parent-watch", daemon=True).start()


def _sweep_init(parent: int, shared: dict, jobs: bytes) -> None:
    """A worker's start: watch the parent, map the shared bars read-only, unpickle the jobs."""
    from multiprocessing import shared_memory

    import cloudpickle
    _watch_parent(parent)
    views, keep = {}, []
    for key, (name, shape, dtype) in shared["arrays"].items():
        # The parent owns the blocks and unlinks them (spawned workers share its resource
        # tracker, so mapping one here registers nothing new).
        block = shared_memory.SharedMemory(name=name)
        view = np.ndarray(shape, np.dtype(dtype), buffer=block.buf)
        view.setflags(write=False)
        views[key] = view
        keep.append(block)
    _SHARED["blocks"] = keep
    _SHARED["bars"] = _Bars(shared["symbols"], views["ts_ns"], views["symbol"],
                            {k[4:]: v for k, v in views.items() if k.startswith("col:")})
    _SHARED["make"], _SHARED["kwargs"] = cloudpickle.loads(jobs)


def _sweep_one(params: dict) -> dict:
    make, kwargs, data = _SHARED["make"], _SHARED["kwargs"], _SHARED["bars"]
    try:
        result = run(make(**params), data, progress=False, quiet=True, **kwargs)
    except Exception as exc:  # noqa: BLE001 - one combination's failure is that row's result
        return {**params, "error": f"{type(exc).__name__}: {exc}"}
    return {**params, **result.stats, "error": None}


def sweep(strategy_class: Callable[..., Any], data: Any, grid: Mapping[str, list], *,
          metric: str = "sharpe", processes: int | None = None, progress: bool | None = None,
          symbol: str | None = None, clean: bool = False, **kwargs: Any) -> Any:
    """Runs ``strategy_class(**params)`` for every combination of ``grid`` (name -> values),
    in parallel processes (default: one per core), with the same ``run`` arguments; returns a
    DataFrame of parameters and statistics, best ``metric`` first. :func:`heatmap` draws two
    parameters against the metric.

    ``strategy_class`` is a Strategy subclass or any callable of the parameters that returns
    what ``run`` takes - e.g. ``lambda fast, slow: f"sma_cross:{fast}:{slow}"`` sweeps the
    built-in C++ rule. The data is loaded and checked once and shared with the workers without
    a copy each. Workers are spawned, not forked, so a process that has loaded LightGBM, BLAS
    or torch can sweep; they end when the sweep does, or when this process dies.
    ``progress``: a tqdm bar over the combinations (default: on for 8 or more)."""
    import multiprocessing

    import cloudpickle

    pd = require_pandas("sweeps")
    names = list(grid)
    if metric not in STAT_NAMES and metric not in names:
        # Checked before hours of runs, not after them.
        raise ValueError(f"sweep: metric {metric!r} is not a statistic of a backtest "
                         f"({', '.join(STAT_NAMES)})")
    combos = [dict(zip(names, values)) for values in itertools.product(*grid.values())]
    bars, _ = load(data, symbol, clean)
    workers = min(processes or os.cpu_count() or 1, len(combos))
    show = progress if progress is not None else len(combos) >= 8
    bar = _progress_bar(len(combos), "sweep", "run") if show else None
    rows = []
    blocks: list[Any] = []
    try:
        if workers <= 1:
            _SHARED.update(make=strategy_class, kwargs=kwargs, bars=bars)
            for row in map(_sweep_one, combos):
                rows.append(row)
                if bar:
                    bar.update(1)
        else:
            blocks, shared = _share_bars(bars)
            jobs = cloudpickle.dumps((strategy_class, kwargs))
            with ProcessPoolExecutor(max_workers=workers,
                                     mp_context=multiprocessing.get_context("spawn"),
                                     initializer=_sweep_init,
                                     initargs=(os.getpid(), shared, jobs)) as pool:
                for row in pool.map(_sweep_one, combos,
                                    chunksize=max(1, len(combos) // (4 * workers))):
                    rows.append(row)
                    if bar:
                        bar.update(1)
    finally:
        _SHARED.clear()
        for block in blocks:
            block.close()
            block.unlink()
        if bar:
            bar.close()
    table = pd.DataFrame(rows)
    failed = table[table["error"].notna()] if len(table) else table
    if len(failed) == len(table) and len(table):
        raise ValueError(f"sweep: every combination failed; the first "
                         f"({_params_text(failed.iloc[0], names)}): {failed.iloc[0]['error']}")
    if len(failed):
        # The other rows stand; the failures are rows too, with their reason, and are said.
        import warnings
        warnings.warn(f"sweep: {len(failed)} of {len(table)} combination(s) failed (see the "
                      f"'error' column); the first ({_params_text(failed.iloc[0], names)}): "
                      f"{failed.iloc[0]['error']}", RuntimeWarning, stacklevel=2)
    if not len(failed) and "error" in table:
        table = table.drop(columns="error")
    table.attrs["metric"] = metric
    table.attrs["parameters"] = names
    return table.sort_values(metric, ascending=False, na_position="last").reset_index(drop=True)


def _params_text(row: Any, names: list[str]) -> str:
    return ", ".join(f"{n}={row[n]!r}" for n in names)


def heatmap(table: Any, x: str, y: str, metric: str | None = None,
            path: str | os.PathLike | None = None) -> Any:
    """Two swept parameters against a statistic (the sweep's metric by default)."""
    import matplotlib
    if path is not None:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    metric = metric or table.attrs.get("metric", "sharpe")
    grid = table.pivot_table(index=y, columns=x, values=metric, aggfunc="mean")
    fig, ax = plt.subplots(figsize=(1.0 + 0.7 * len(grid.columns), 1.0 + 0.5 * len(grid.index)))
    image = ax.imshow(grid.to_numpy(), origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(len(grid.columns)), [str(v) for v in grid.columns])
    ax.set_yticks(range(len(grid.index)), [str(v) for v in grid.index])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    for (i, j), value in np.ndenumerate(grid.to_numpy()):
        ax.text(j, i, f"{value:.2f}", ha="center", va="center", color="white", fontsize=8)
    fig.colorbar(image, ax=ax, label=metric)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path)
    return fig
