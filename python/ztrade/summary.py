"""A session's summary as an operator reads it: counts, rejects by reason, positions, P&L,
latency per hop and bus losses, in tables (rich). ``format_summary`` gives plain text (files,
tests, pipes); ``print_summary`` prints to a terminal, in colour where it is one."""
from __future__ import annotations

import io
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from ztrade.untrusted import printable

WIDTH = 110


def _count(n: int | None) -> str:
    return "n/a (market-data ops endpoint off)" if n is None else str(n)


def resume_line(status: dict) -> str:
    """What a resumed session restored, from execution's /status."""
    if not status:
        return ("RESUMING an earlier session from its journal (execution's ops endpoint is off, "
                "so what was restored is not shown)")
    held = ", ".join(f"{sym} {p['quantity']:g} @ {p['avg_price']:.4f}"
                     for sym, p in sorted(status.get("positions", {}).items())) or "flat"
    return (f"RESUMING an earlier session: restored {status.get('restored_records')} journal "
            f"records, {status.get('open_orders')} open orders; positions: {held}")


def _banners(s: dict[str, Any]) -> list[RenderableType]:
    out: list[RenderableType] = []
    if s.get("interrupted"):
        out.append(Text(f"INTERRUPTED ({s['interrupted']}): the summary covers what ran until "
                        "then", style="bold yellow"))
    if s.get("failed"):
        out.append(Text(f"FAILED: {s['failed']}; the summary covers what ran until then",
                        style="bold red"))
    if s.get("resumed"):
        r = s["resumed"]
        out.append(Text(f"RESUMED an earlier session: {r.get('journal_records')} journal records "
                        "restored; positions include its fills", style="bold"))
    return out


def _activity(s: dict[str, Any]) -> Table:
    t = Table(show_header=False, box=None, padding=(0, 2))
    t.add_column(style="bold")
    t.add_column()
    t.add_row("market data", f"bars {s['bars']}, trades {_count(s['trades'])}, "
                             f"quotes {_count(s['quotes'])}")
    t.add_row("signals", f"{s['signals']} (features published: {s['features']})")
    reasons = "".join(f"\n  {k}: {v}"
                      for k, v in sorted((s.get("exec_reject_reasons") or {}).items()))
    t.add_row("orders", f"{s['orders']} sent, {s['accepted']} accepted, "
                        f"{s['exec_rejects']} rejected by execution{reasons}")
    rejects = "".join(f"\n  {k}: {v}" for k, v in sorted(s["rejects"].items()))
    t.add_row("risk rejects", f"{sum(s['rejects'].values())}{rejects}")
    open_note = (f"; {s['open_orders']} order(s) still open at the end (unfilled limit orders, "
                 "or decided on the last bar)" if s.get("open_orders") else "")
    t.add_row("fills", f"{s['fills']} complete, {s['partial_fills']} partial{open_note}")
    total = s["realized_pnl"] + s["unrealized_pnl"]
    t.add_row("P&L", f"realized {s['realized_pnl']:.2f}, unrealized {s['unrealized_pnl']:.2f}, "
                     f"total {total:.2f}")
    losses = sum(sum(v.values()) for v in s.get("bus_losses", {}).values())
    t.add_row("bus", f"gaps seen by the tap {s['bus_gaps_seen_by_tap']}, undecodable frames "
                     f"{sum(s['decode_errors'].values())}, component losses {losses}")
    for name, r in (s.get("strategies") or {}).items():
        how = "ended with the session" if r.get("exit_code") == 0 else \
            f"exited with code {r.get('exit_code')} (strategy-{name}.log)"
        counts = (f"{r['bars']} bars, {r['features']} feature rows, {r['signals']} signals, "
                  f"mean callback {r['callback_us_mean']:.1f} us, max lag {r['max_lag_ms']:.1f} "
                  f"ms; " if "bars" in r else "")
        t.add_row(f"strategy {name}", counts + how)
    if s.get("lockstep"):
        ls = s["lockstep"]
        t.add_row("lockstep", f"{ls['batches']} batches, waited {ls['wait_s']:.2f} s for "
                              f"decisions, {ls['timeouts']} timeouts")
    if s.get("peak_rss_mb"):
        t.add_row("peak RSS", ", ".join(f"{k} {v:.1f} MB" for k, v in s["peak_rss_mb"].items()))
    return t


def _positions(s: dict[str, Any]) -> Table:
    broker = s.get("broker")
    theirs = (broker or {}).get("positions", {})
    t = Table(title="positions" + (f" (engine and {broker['name']})" if broker else ""),
              title_justify="left", box=None, padding=(0, 2))
    columns = ["symbol", "qty", "avg", "mark", "realized", "unrealized"]
    if broker:
        columns.insert(2, "broker qty")  # what the broker itself holds, side by side
    for name in columns:
        t.add_column(name, justify="left" if name == "symbol" else "right")
    symbols = sorted(set(s["positions"]) | set(theirs))
    for sym in symbols:
        p = s["positions"].get(sym, {"quantity": 0.0, "avg_price": 0.0, "mark_price": 0.0,
                                     "realized_pnl": 0.0, "unrealized_pnl": 0.0})
        row = [sym, f"{p['quantity']:.2f}", f"{p['avg_price']:.4f}", f"{p['mark_price']:.4f}",
               f"{p['realized_pnl']:.2f}", f"{p['unrealized_pnl']:.2f}"]
        if broker:
            row.insert(2, f"{theirs.get(sym, 0.0):.2f}")
        t.add_row(*row)
    if not symbols:
        t.add_row("(flat)", *[""] * (len(columns) - 1))
    return t


def _broker_banner(s: dict[str, Any]) -> list[RenderableType]:
    b = s.get("broker")
    if not b:
        return []
    out: list[RenderableType] = []
    if b.get("reduce_only") and b.get("unexplained"):
        out.append(Text(f"{b['name']}: {b.get('unexplained')} position(s) or order(s) the "
                        "journal cannot explain; trading was REDUCING (see the log; "
                        "execution.alpaca.adopt_broker_state adopts them)", style="bold yellow"))
    if b.get("unreconciled"):
        # Booked as the broker has it, not as the journal expected: an operator must look.
        notes = "; ".join(printable(n) for n in b.get("unreconciled_notes", [])[-3:])
        out.append(Text(f"{b['name']}: {b['unreconciled']} state(s) booked as the broker has "
                        f"them but not reconciled with the journal - trading was REDUCING: "
                        f"{notes}", style="bold red"))
    unbookable = {k: v for k, v in b.get("unbookable_events", {}).items() if v}
    if unbookable or b.get("fills_off_market"):
        out.append(Text(f"{b['name']}: events looked up over REST because they could not be "
                        f"booked as sent: {unbookable}; fills off the market: "
                        f"{b.get('fills_off_market', 0)}", style="bold yellow"))
    if b.get("failure"):
        out.append(Text(f"{b['name']}: {printable(b['failure'])}", style="bold red"))
    engine = {k: v["quantity"] for k, v in s["positions"].items() if v["quantity"]}
    theirs = {k: v for k, v in b.get("positions", {}).items() if v}
    if any(abs(engine.get(k, 0.0) - theirs.get(k, 0.0)) > 1e-9 for k in {*engine, *theirs}):
        out.append(Text(f"WARNING: positions differ from {b['name']}'s: engine {engine}, "
                        f"broker {theirs}", style="bold red"))
    return out


def _latency(s: dict[str, Any]) -> Table:
    t = Table(title="latency (us)", title_justify="left", box=None, padding=(0, 2))
    for name in ("hop", "count", "p50", "p99", "p99.9", "max"):
        t.add_column(name, justify="left" if name == "hop" else "right")
    for hop, p in s["latency"].items():
        if p:
            t.add_row(hop, str(p["count"]), f"{p['p50_us']:.1f}", f"{p['p99_us']:.1f}",
                      f"{p['p999_us']:.1f}", f"{p['max_us']:.1f}")
    return t


def _bus_losses(s: dict[str, Any]) -> Table:
    t = Table(title="bus losses by component", title_justify="left", box=None, padding=(0, 2))
    for name in ("component", "missed", "dropped", "send failures", "reordered",
                 "publisher restarts"):
        t.add_column(name, justify="left" if name == "component" else "right")
    for name, loss in sorted(s.get("bus_losses", {}).items()):
        t.add_row(name, str(loss["missing"]), str(loss["dropped"]), str(loss["send_failures"]),
                  str(loss["reordered"]), str(loss["restarts"]))
    return t


def render_summary(s: dict[str, Any]) -> Group:
    parts: list[RenderableType] = [
        *_banners(s),
        Text(f"Session summary ({s['deployment']}, {s['duration_s']:.2f} s) - {s['session']}",
             style="bold"),
        _activity(s), _positions(s), *_broker_banner(s), _latency(s)]
    if any(any(v.values()) for v in s.get("bus_losses", {}).values()):
        parts.append(_bus_losses(s))  # the detail, only when something was lost
    unhealthy = {k: v for k, v in s.get("health", {}).items() if v}
    if unhealthy:
        parts.append(Text("WARNING: " + ", ".join(f"{k} = {v}" for k, v in unhealthy.items()),
                          style="bold yellow"))
    if s.get("gateway_deaths"):
        parts.append(Text(f"WARNING: the gateway died {len(s['gateway_deaths'])} time(s) "
                          f"(exit codes {s['gateway_deaths']}) and was restarted "
                          f"{s.get('gateway_restarts', 0)} time(s); trading went on",
                          style="bold yellow"))
    bad = {k: v for k, v in s["exit_codes"].items() if v != 0}
    if bad:
        parts.append(Text(f"WARNING: non-zero exit codes: {bad}", style="bold red"))
    return Group(*parts)


def format_summary(s: dict[str, Any], width: int = WIDTH) -> str:
    """The summary as plain text."""
    buf = io.StringIO()
    Console(file=buf, width=width, color_system=None, force_terminal=False,
            highlight=False).print(render_summary(s))
    return "\n" + "\n".join(line.rstrip() for line in buf.getvalue().rstrip().splitlines())


def print_summary(s: dict[str, Any]) -> None:
    """The summary on stdout: coloured on a terminal, plain text otherwise."""
    console = Console(highlight=False)
    if not console.is_terminal:
        print(format_summary(s))
        return
    console.print()
    console.print(render_summary(s))
