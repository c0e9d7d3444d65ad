"""The ``ztrade`` command line."""
from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timezone

import numpy as np

from ztrade import FEATURE_NAMES, FeatureComputer, __version__
from ztrade.data import load_bars_csv, sample_path

# Columns shown in the table, with their print formats.
_TABLE = [
    ("close", "{:>10.4f}"),
    ("rsi", "{:>7.2f}"),
    ("macd_line", "{:>9.4f}"),
    ("macd_signal", "{:>11.4f}"),
    ("macd_hist", "{:>9.4f}"),
    ("ema_fast", "{:>10.4f}"),
    ("ema_slow", "{:>10.4f}"),
    ("sma", "{:>10.4f}"),
    ("dist_from_sma", "{:>13.5f}"),
    ("volume", "{:>9.0f}"),
    ("range_pct", "{:>9.5f}"),
]


def _fmt_time(ts_ns: int) -> str:
    if ts_ns == 0:
        return "-"
    return datetime.fromtimestamp(ts_ns / 1e9, tz=timezone.utc).strftime("%Y-%m-%d %H:%M")


def _cmd_features(args: argparse.Namespace) -> int:
    path = args.csv or sample_path()
    try:
        bars = load_bars_csv(path)
    except (OSError, ValueError) as exc:
        print(f"ztrade features: {exc}", file=sys.stderr)
        return 2
    try:
        fc = FeatureComputer(rsi_period=args.rsi, macd_fast=args.macd_fast,
                             macd_slow=args.macd_slow, macd_signal=args.macd_signal,
                             sma_period=args.sma)
    except ValueError as exc:
        print(f"ztrade features: {exc}", file=sys.stderr)
        return 2
    n = len(bars["close"])
    start = time.perf_counter()
    try:
        matrix = fc.compute_batch(bars["open"], bars["high"], bars["low"], bars["close"],
                                  bars["volume"])
    except ValueError as exc:
        print(f"ztrade features: {path}: {exc}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - start

    print(f"ztrade {__version__} - features over {n} bars from {path}")
    print(f"config: RSI {args.rsi}, MACD {args.macd_fast}/{args.macd_slow}/{args.macd_signal}, "
          f"SMA {args.sma}; every feature defined from bar {fc.lookback} (0-based)")
    col = {name: i for i, name in enumerate(FEATURE_NAMES)}
    tail = max(0, min(args.tail, n))
    header = f"{'bar':>6}  {'time (UTC)':<16}" + "".join(
        f" {name:>{len(fmt.format(0.0))}}" for name, fmt in _TABLE)
    print()
    print(header)
    print("-" * len(header))
    for i in range(n - tail, n):
        cells = "".join(" " + (fmt.format(v) if not np.isnan(v := matrix[i, col[name]])
                               else f"{'NaN':>{len(fmt.format(0.0))}}") for name, fmt in _TABLE)
        print(f"{i:>6}  {_fmt_time(int(bars['ts_ns'][i])):<16}{cells}")
    print()
    ready = matrix[fc.lookback:] if n > fc.lookback else matrix[:0]
    if len(ready):
        rsi = ready[:, col["rsi"]]
        hist = ready[:, col["macd_hist"]]
        crosses = int(np.count_nonzero(np.diff(np.sign(hist)) != 0))
        print(f"summary: {len(ready)} bars with every feature defined; RSI mean {rsi.mean():.2f} "
              f"(min {rsi.min():.2f}, max {rsi.max():.2f}); "
              f"{int((rsi > 70).sum())} bars overbought (>70), "
              f"{int((rsi < 30).sum())} oversold (<30); {crosses} MACD signal crosses")
    else:
        print(f"summary: fewer than {fc.lookback + 1} bars, so no bar has every feature defined")
    print(f"computed in {elapsed * 1e3:.2f} ms ({elapsed / max(n, 1) * 1e9:.1f} ns/bar, batch)")
    return 0


def _overrides(pairs: list[str]) -> dict:
    out = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or "." not in key:
            raise CliError(f"--set wants section.key=value, got {pair!r}")
        out["ZTRADE__" + key.replace(".", "__")] = value
    return out


class CliError(Exception):
    """A problem to report as one line (no traceback), with the exit code to use."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


_SIGNAL_EXIT = {"SIGINT": 130, "SIGTERM": 143}


def _cmd_run(args: argparse.Namespace) -> int:
    import os

    from ztrade import _core
    from ztrade.launcher import EngineError, ForcedStop, StopRequest, print_summary, run_engine
    if args.env_file:
        try:
            _core.read_env_file(args.env_file)  # a clear error now, not in four processes
        except ValueError as exc:
            raise CliError(str(exc)) from None
        os.environ["ZTRADE_ENV_FILE"] = os.path.abspath(args.env_file)
    stop = StopRequest()
    stop.install()
    overrides = _overrides(args.set)
    if args.gateway:
        overrides["ZTRADE__gateway__enabled"] = "true"
    try:
        from ztrade.strategy import StrategyLoadError, parse_params
        try:
            params = parse_params(args.strategy_param or [])
        except StrategyLoadError as exc:
            raise CliError(str(exc)) from None
        if params and not args.strategy:
            raise CliError("--strategy-param needs a --strategy")
        summary = run_engine(args.config, args.run_dir, args.threads, overrides,
                             args.timeout, resume=args.resume, stop=stop,
                             deployment="inline" if args.inline else None,
                             strategies=args.strategy, strategy_params=params)
    except EngineError as exc:
        raise CliError(str(exc), 1) from None
    except ForcedStop as exc:
        print(f"ztrade run: stopped at once ({exc}, twice): every engine process was killed; "
              "no summary", file=sys.stderr)
        return _SIGNAL_EXIT.get(str(exc), 130)
    print_summary(summary)
    if summary.get("failed"):
        print(f"ztrade run: {summary['failed']}", file=sys.stderr)
        return 1
    if summary.get("interrupted"):
        return _SIGNAL_EXIT.get(summary["interrupted"], 130)
    return 0 if all(v == 0 for v in summary["exit_codes"].values()) else 1


def _cmd_config(args: argparse.Namespace) -> int:
    """Every setting with its value, default, bounds and meaning (from the engine's reader)."""
    from rich.console import Console
    from rich.table import Table

    from ztrade import _core
    from ztrade.launcher import default_config
    path = str(args.config or default_config())
    try:
        settings = _core.config_settings(path, _overrides(args.set))
    except ValueError as exc:
        raise CliError(str(exc), 2) from None
    defaults = {s["key"]: s["value"] for s in _core.config_settings()}
    shown = [s for s in settings if not args.changed or s["value"] != defaults[s["key"]]]
    if args.key:
        shown = [s for s in shown if s["key"].startswith(args.key)]
    note = " (settings that differ from the defaults)" if args.changed else ""
    table = Table(title=f"{path}{note}", title_justify="left")
    table.add_column("key", no_wrap=True)
    for column in ("value", "default", "bounds"):
        table.add_column(column, overflow="fold", max_width=28)
    table.add_column("meaning", overflow="fold", ratio=1)
    for s in shown:
        default = defaults[s["key"]]
        value = s["value"] if s["value"] == default else f"[bold]{s['value']}[/bold]"
        table.add_row(s["key"], value, default, s["constraint"], s["doc"])
    console = Console(highlight=False)
    if not console.is_terminal:  # a pipe or a file: wide enough for one line per setting
        console = Console(highlight=False, width=200)
    console.print(table)
    return 0


def _endpoints(args: argparse.Namespace) -> dict:
    from ztrade import _core
    from ztrade.launcher import default_config
    overrides = {"ZTRADE__engine__run_dir": args.run_dir} if args.run_dir else {}
    if getattr(args, "threads", False):
        overrides["ZTRADE__engine__deployment"] = "threads"
    try:
        return _core.engine_config(str(args.config or default_config()), overrides)
    except ValueError as exc:
        raise CliError(str(exc)) from None


def _newest_session(base: str) -> str | None:
    """The most recent session directory under `base` (ztrade run's default layout)."""
    from pathlib import Path
    sessions = sorted((p for p in Path(base).glob("session-*") if p.is_dir()),
                      key=lambda p: p.stat().st_mtime)
    return str(sessions[-1]) if sessions else None


def _wait_for_engine(cfg: dict, args: argparse.Namespace, command: str) -> None:
    """Returns once a heartbeat from the engine is heard on its bus. Says what it waits for;
    without --wait, gives up after --connect-timeout seconds with a clear error."""
    import os

    import zmq

    from ztrade import wire
    from ztrade.bus import apply_curve
    run_dir = cfg["run_dir"]
    hint = ""
    if not args.run_dir:
        newest = _newest_session(run_dir)
        hint = (f"; pass the session's --run-dir (newest here: {newest})" if newest else
                "; pass the session's --run-dir (ztrade run prints it)")
    if cfg["transport"] == "ipc" and not os.path.isdir(run_dir) and not args.wait:
        raise CliError(f"no engine: the run directory {run_dir} does not exist{hint}", 1)
    sock: zmq.Socket = zmq.Context.instance().socket(zmq.SUB)
    sock.setsockopt(zmq.LINGER, 0)
    try:
        apply_curve(sock, cfg["curve"])
    except (OSError, ValueError) as exc:
        sock.close(0)
        raise CliError(f"bus.curve: {exc}") from None
    sock.setsockopt(zmq.SUBSCRIBE, wire.TOPICS["heartbeat"].encode())
    for name in ("market_data", "signals", "risk", "execution"):
        sock.connect(cfg["endpoints"][name])
    where = cfg["endpoints"]["signals"]
    print(f"ztrade {command}: waiting for the engine at {where}"
          + (" (--wait: until one starts; Ctrl-C to give up)" if args.wait else
             f" (up to {args.connect_timeout:g} s)"), file=sys.stderr)
    deadline = None if args.wait else time.monotonic() + args.connect_timeout
    try:
        while deadline is None or time.monotonic() < deadline:
            if sock.poll(200):
                return
    finally:
        sock.close(0)
    raise CliError(f"no engine answered at {where} within {args.connect_timeout:g} s{hint} "
                   "(or --wait to wait for one)", 1)


def _cmd_strategy_run(args: argparse.Namespace) -> int:
    import signal as _signal
    import threading

    from ztrade import _core
    from ztrade.launcher import default_config
    from ztrade.strategy import StrategyLoadError, drive, load_strategy, parse_params
    try:
        strategy = load_strategy(args.file, parse_params(args.param or []))
    except StrategyLoadError as exc:
        raise CliError(str(exc)) from None
    cfg = _endpoints(args)
    _wait_for_engine(cfg, args, "strategy run")
    overrides = {"ZTRADE__engine__run_dir": args.run_dir} if args.run_dir else {}
    if getattr(args, "threads", False):
        overrides["ZTRADE__engine__deployment"] = "threads"
    config_path = str(args.config or default_config())
    try:
        runner = _core.LiveRunner(strategy, config_path, overrides)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if "macd_rsi" in cfg.get("builtin_strategies", []):
        print("ztrade strategy run: note: the engine also runs the built-in macd_rsi strategy "
              "(signal_bridge.strategies) on the same account", file=sys.stderr)
    stop = threading.Event()
    for sig in (_signal.SIGINT, _signal.SIGTERM):
        _signal.signal(sig, lambda *_: stop.set())
    if args.duration:
        threading.Timer(args.duration, stop.set).start()
    on_error = cfg["strategy"]["on_error"]
    lockstep = cfg["lockstep"] and strategy.name in cfg["strategy"]["names"]
    print(f"running {type(strategy).__name__} ('{strategy.name}') against "
          f"{cfg['endpoints']['signals']}"
          f"{' in lockstep with the replay' if lockstep else ''}"
          " - Ctrl-C to stop", file=sys.stderr)

    def warn(text: str) -> None:
        print(f"ztrade strategy run: {text}", file=sys.stderr)
    try:
        stats = drive(runner, stop=stop, warn=warn)
    except Exception as exc:  # noqa: BLE001 - the strategy's own code raised: report, then end
        _report_strategy_failure(exc, runner, cfg, strategy.name, on_error)
        return 1
    _print_strategy_stats(strategy.name, stats)
    if args.stats_file:
        import json
        from pathlib import Path
        Path(args.stats_file).write_text(json.dumps(stats))
    return 0


def _report_strategy_failure(exc: BaseException, runner: object, cfg: dict, name: str,
                             on_error: str) -> None:
    """A hook raised: its traceback (with the note naming the hook, the symbol and the bar),
    signal-bridge told, and strategy.on_error applied."""
    import traceback
    traceback.print_exception(exc, file=sys.stderr)
    runner.report("failed")  # type: ignore[attr-defined]
    if on_error == "halt":
        halted = _control(cfg, "HALT")
        outcome = "HALTED" if halted.startswith("OK") else f"NOT halted ({halted})"
        print(f"ztrade strategy run: {name} failed; strategy.on_error = \"halt\": "
              f"trading {outcome}", file=sys.stderr)
    else:
        print(f"ztrade strategy run: {name} failed and stopped "
              "(strategy.on_error = \"stop\"; the engine trades on without it)", file=sys.stderr)


def _print_strategy_stats(name: str, stats: dict) -> None:
    rejected = stats.get("rejected") or {}
    print(f"{name}: {stats['bars']} bars, {stats['features']} feature rows, "
          f"{stats['fills']} fills, {stats['signals']} signals sent"
          + (f", {sum(rejected.values())} not sent ({rejected})" if rejected else "")
          + f"; warm-up {stats['warmup_bars']} bars; mean callback {stats['callback_us_mean']:.1f}"
          f" us; max lag {stats['max_lag_ms']:.1f} ms; skipped {stats['skipped_bars']} stale bars",
          file=sys.stderr)


def _cmd_compare(args: argparse.Namespace) -> int:
    import json

    from ztrade.compare import compare, render
    from ztrade.errors import EngineError
    from ztrade.strategy import StrategyLoadError, parse_params
    try:
        params = parse_params(args.param) if args.param else None
        result = compare(args.session, args.strategy, params)
    except (EngineError, StrategyLoadError, ValueError, FileNotFoundError) as exc:
        raise CliError(str(exc)) from None
    if args.json:
        print(json.dumps(result.as_dict(), indent=2))
    else:
        print(render(result))
    return 0 if result.agree else 1


def _control(cfg: dict, command: str) -> str:
    """Sends a command to risk's control socket with the session's token; returns the reply
    (or why there is none)."""
    import os
    from pathlib import Path

    import zmq

    from ztrade.bus import apply_curve
    token = os.environ.get(cfg["control_token_env"], "")
    token_file = Path(cfg["run_dir"]) / "control.token"
    if not token and token_file.is_file():
        token = token_file.read_text().strip()
    sock: zmq.Socket = zmq.Context.instance().socket(zmq.REQ)
    try:
        apply_curve(sock, cfg["curve"])
        sock.setsockopt(zmq.LINGER, 0)
        sock.setsockopt(zmq.RCVTIMEO, 3000)
        sock.connect(cfg["endpoints"]["risk_control"])
        sock.send((command + (" " + token if command != "STATE" else "")).encode())
        return str(sock.recv().decode(errors="replace"))
    except zmq.Again:
        return "ERROR risk did not answer (is the engine running with this --run-dir?)"
    finally:
        sock.close(0)


def _cmd_tap(args: argparse.Namespace) -> int:
    import json

    import zmq

    from ztrade import wire
    from ztrade.bus import apply_curve
    cfg = _endpoints(args)
    _wait_for_engine(cfg, args, "tap")
    sock: zmq.Socket = zmq.Context.instance().socket(zmq.SUB)
    apply_curve(sock, cfg["curve"])
    for t in args.topic or [""]:
        sock.setsockopt(zmq.SUBSCRIBE, t.encode())
    for name in ("market_data", "signals", "risk", "execution"):
        sock.connect(cfg["endpoints"][name])
    deadline = None if not args.duration else time.monotonic() + args.duration
    count = 0
    try:
        while deadline is None or time.monotonic() < deadline:
            if not sock.poll(200):
                continue
            parts = sock.recv_multipart()
            try:
                m = wire.decode(parts[-1])
                line = {"topic": parts[0].decode(errors="replace"), "type": m.type, **m.header,
                        **{k: (v.tolist() if hasattr(v, "tolist") else v)
                           for k, v in m.body.items()}}
            except wire.WireError as exc:
                line = {"topic": parts[0].decode(errors="replace"), "error": exc.reason}
            print(json.dumps(line), flush=True)
            count += 1
            if args.count and count >= args.count:
                break
    except KeyboardInterrupt:
        pass
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    import json
    import urllib.error
    import urllib.request
    cfg = _endpoints(args)
    worst = 0
    for name, port in cfg["ops_ports"].items():
        if not port:
            print(f"{name:<14} ops endpoint disabled (ops_port = 0)")
            continue
        base = f"http://127.0.0.1:{port}"
        try:
            with urllib.request.urlopen(base + "/status", timeout=2) as r:
                status = json.loads(r.read())
            try:
                with urllib.request.urlopen(base + "/ready", timeout=2) as r:
                    ready = r.status == 200
            except urllib.error.HTTPError:
                ready = False
        except (urllib.error.URLError, OSError, ValueError):
            print(f"{name:<14} DOWN     (nothing answers on {base})")
            worst = 1
            continue
        fields = ", ".join(f"{k}={v}" for k, v in status.items() if k != "component")
        print(f"{name:<14} {'ready' if ready else 'NOT READY':<8} {fields}")
        worst = worst if ready else 1
    return worst


def _cmd_broker(args: argparse.Namespace) -> int:
    from ztrade import broker_cli
    try:
        return broker_cli.run(args, _overrides(args.set))
    except broker_cli.BrokerCliError as exc:
        raise CliError(str(exc), exc.code) from None


def _cmd_control(args: argparse.Namespace) -> int:
    reply = _control(_endpoints(args), args.command.upper())
    print(reply, file=sys.stdout if reply.startswith("OK") else sys.stderr)
    return 0 if reply.startswith("OK") else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ztrade", description="ztrade trading engine tools")
    parser.add_argument("--version", action="version", version=f"ztrade {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show Python tracebacks instead of one-line errors")
    sub = parser.add_subparsers(dest="command", required=True)

    feat = sub.add_parser("features", help="compute features over a CSV of bars and print them")
    feat.add_argument("--csv", help="CSV with open,high,low,close,volume (+ ts or ts_ns) columns; "
                                    "default: the bundled sample")
    feat.add_argument("--tail", type=int, default=15, help="rows to print (default 15)")
    feat.add_argument("--rsi", type=int, default=14)
    feat.add_argument("--macd-fast", type=int, default=12)
    feat.add_argument("--macd-slow", type=int, default=26)
    feat.add_argument("--macd-signal", type=int, default=9)
    feat.add_argument("--sma", type=int, default=20)
    feat.set_defaults(func=_cmd_features)

    run = sub.add_parser("run", help="run the engine (default: replay of the bundled sample "
                                     "with the simulated broker) and print a session summary")
    run.add_argument("--config", help="engine TOML (default: the packaged config/ztrade.toml)")
    run.add_argument("--run-dir", help="session directory (default: run/session-<time>)")
    where = run.add_mutually_exclusive_group()
    where.add_argument("--threads", action="store_true",
                       help="run the four components as threads of one process (inproc)")
    where.add_argument("--inline", action="store_true",
                       help="run the four components on one thread with direct dispatch "
                            "(lowest latency)")
    run.add_argument("--gateway", action="store_true",
                     help="also run the gateway (REST API, WebSocket stream, dashboard at "
                          "http://127.0.0.1:9200/): gateway.enabled = true")
    run.add_argument("--set", action="append", metavar="SECTION.KEY=VALUE",
                     help="override a config value, e.g. --set market_data.venue=synthetic")
    run.add_argument("--timeout", type=float, default=600.0, help="seconds before giving up")
    run.add_argument("--env-file", help="KEY=VALUE file of secrets (broker keys, the control "
                                        "token) for the engine's processes; set variables win")
    run.add_argument("--strategy", action="append", metavar="FILE.py",
                     help="run this Strategy with the session (repeatable): the replay starts "
                          "when it is ready and runs in lockstep with it; the built-in "
                          "macd_rsi then trades only if the config names it")
    run.add_argument("--strategy-param", action="append", metavar="NAME=VALUE",
                     help="a constructor argument of the --strategy class (repeatable; the "
                          "names a sweep grid uses)")
    run.add_argument("--resume", action="store_true",
                     help="continue the session in --run-dir from its journal (orders, "
                          "positions); without it a run dir holding a journal is refused")
    run.set_defaults(func=_cmd_run)

    def engine_args(p, waits=False):
        p.add_argument("--config", help="engine TOML (default: the packaged one)")
        p.add_argument("--run-dir", help="the running session's directory (ipc sockets)")
        p.add_argument("--threads", action="store_true",
                       help="the engine runs as one process (threads or inline)")
        if waits:
            p.add_argument("--wait", action="store_true",
                           help="wait until an engine starts (default: give up after "
                                "--connect-timeout)")
            p.add_argument("--connect-timeout", type=float, default=5.0, metavar="SECONDS",
                           help="how long to look for a running engine (default 5)")

    conf = sub.add_parser("config", help="every setting of a config: value, default, bounds, "
                                         "meaning (validated as the engine does)")
    conf.add_argument("--config", help="engine TOML (default: the packaged config/ztrade.toml)")
    conf.add_argument("--set", action="append", metavar="SECTION.KEY=VALUE",
                      help="override a value, as ztrade run --set does")
    conf.add_argument("--changed", action="store_true",
                      help="only the settings that differ from the defaults")
    conf.add_argument("key", nargs="?", help="only keys starting with this, e.g. risk.")
    conf.set_defaults(func=_cmd_config)

    strat = sub.add_parser("strategy", help="Python strategies against a running engine")
    strat_sub = strat.add_subparsers(dest="strategy_command", required=True)
    srun = strat_sub.add_parser("run", help="connect the Strategy in FILE to the engine")
    srun.add_argument("file")
    engine_args(srun, waits=True)
    srun.add_argument("--param", action="append", metavar="NAME=VALUE",
                      help="a constructor argument of the strategy (repeatable; the names a "
                           "sweep grid uses), e.g. --param fast=10")
    srun.add_argument("--duration", type=float, default=0, help="stop after N seconds")
    srun.add_argument("--stats-file", help=argparse.SUPPRESS)  # ztrade run reads the counters
    srun.set_defaults(func=_cmd_strategy_run)

    cmp_ = sub.add_parser("compare", help="backtest what a session recorded, with its settings "
                                          "and strategy, and match the fills (exit 0: agree)")
    cmp_.add_argument("session", metavar="SESSION_DIR", help="the run directory of a session "
                                                           "of ztrade run --strategy")
    cmp_.add_argument("--strategy", metavar="FILE.py",
                      help="the strategy to backtest (default: the one the session ran)")
    cmp_.add_argument("--param", action="append", metavar="NAME=VALUE",
                      help="constructor arguments (default: the session's)")
    cmp_.add_argument("--json", action="store_true", help="the result as JSON")
    cmp_.set_defaults(func=_cmd_compare)

    tap = sub.add_parser("tap", help="print live bus messages as JSON lines")
    engine_args(tap, waits=True)
    tap.add_argument("--topic", action="append", help="topic prefix (repeatable; default all)")
    tap.add_argument("--count", type=int, default=0, help="stop after N messages")
    tap.add_argument("--duration", type=float, default=0, help="stop after N seconds")
    tap.set_defaults(func=_cmd_tap)

    st = sub.add_parser("status", help="query each running process's ops endpoint")
    engine_args(st)
    st.set_defaults(func=_cmd_status)

    ctl = sub.add_parser("control", help="kill switch: HALT, REDUCE, RESUME trading, CANCEL_ALL "
                         "open orders, or STATE")
    verbs = ["halt", "reduce", "resume", "cancel_all", "state"]
    ctl.add_argument("command", choices=verbs + [v.upper() for v in verbs])
    engine_args(ctl)
    ctl.set_defaults(func=_cmd_control)

    from ztrade import broker_cli
    broker_cli.add_parser(sub, engine_args)
    sub.choices["broker"].set_defaults(func=_cmd_broker)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CliError as exc:
        print(f"ztrade {args.command}: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug or an unforeseen condition: one line unless --debug
        if args.debug:
            raise
        print(f"ztrade {args.command}: {type(exc).__name__}: {exc} (--debug shows the traceback)",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
