"""The live Python strategy path beside the backtest's (a measurement, not a test).

The same trivial strategy (an ``on_bar`` that reads the close and returns nothing) is run

  * live: ``ztrade-market-data`` alone replays N bars on its bus at --rate bars a second and a
    ``_core.LiveRunner`` (the runner ``ztrade strategy run`` uses) handles them - bus receive,
    decode in C++, one callback per bar. Reported: bars per second while streaming, the CPU
    time per bar of the runner's process (its overhead and the callback together), bars lost
    to the socket's high-water mark (0 when the runner keeps up);
  * in a backtest: ``ztrade.backtest.run`` over the same bars - CPU time per bar of the whole
    engine loop with the callback.

    python bench/live_strategy_bench.py --bars 300000 --repeat 3 --rate 200000
"""
from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from ztrade import _core
from ztrade.launcher import default_config, find_binary
from ztrade.strategy import Strategy


class Touch(Strategy):
    name = "bench"

    def __init__(self):
        self.n = 0
        self.last = 0.0
        self.first_t = self.last_t = 0.0

    def on_bar(self, symbol, bar):
        self.n += 1
        self.last = bar["close"]
        self.last_t = time.perf_counter()
        if self.n == 1:
            self.first_t = self.last_t


def write_bars(path: Path, n: int) -> None:
    rng = np.random.default_rng(7)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.0008, n)))
    open_ = np.concatenate([[100.0], close[:-1]])
    ts = 1_600_000_000 + 60 * np.arange(n)
    with open(path, "w") as f:
        f.write("ts,open,high,low,close,volume\n")
        for t, o, c in zip(ts, open_, close):
            f.write(f"{t},{o:.4f},{max(o, c) * 1.0004:.4f},{min(o, c) * 0.9996:.4f},{c:.4f},1000\n")


def live(bars_csv: Path, n: int, rate: float) -> dict:
    run_dir = Path(tempfile.mkdtemp(prefix="ztrade-live-bench-"))
    overrides = {"ZTRADE__engine__run_dir": str(run_dir),
                 "ZTRADE__market_data__replay__file": str(bars_csv),
                 "ZTRADE__market_data__wait_for_downstream": "false",
                 "ZTRADE__market_data__start_gate": "true",
                 # one bar a minute recorded: this pace publishes `rate` bars a second
                 "ZTRADE__market_data__replay__speed": repr(rate * 60.0),
                 "ZTRADE__market_data__ops_port": "0",
                 "ZTRADE__signal_bridge__strategies": "[]"}
    env = {**os.environ, **overrides}
    md = subprocess.Popen([find_binary("ztrade-market-data"), "--config", str(default_config())],
                          env=env, stderr=subprocess.DEVNULL)
    try:
        strategy = Touch()
        runner = _core.LiveRunner(strategy, str(default_config()), overrides)
        cfg = _core.engine_config(str(default_config()), overrides)
        # Open the start gate once the runner is subscribed (it hears market-data's heartbeat).
        import zmq
        req = zmq.Context.instance().socket(zmq.REQ)
        req.setsockopt(zmq.LINGER, 0)
        req.setsockopt(zmq.RCVTIMEO, 5000)
        req.connect(cfg["endpoints"]["market_data_control"])
        started = threading.Event()

        def go() -> None:
            time.sleep(0.5)  # the bench's subscriber joins; a measurement, not a test
            req.send(b"GO")
            req.recv()
            started.set()
        threading.Thread(target=go, daemon=True).start()
        cpu0 = time.process_time()
        stats = runner.run()
        cpu = time.process_time() - cpu0
        wall = max(1e-9, strategy.last_t - strategy.first_t)  # first bar to last
        return {"bars": strategy.n, "lost": n - strategy.n, "bars_per_s": strategy.n / wall,
                "cpu_us_per_bar": cpu / max(1, strategy.n) * 1e6,
                "callback_us": stats["callback_us_mean"]}
    finally:
        md.terminate()
        md.wait(10)


def backtest(bars_csv: Path) -> dict:
    from ztrade.backtest import run
    strategy = Touch()
    cpu0 = time.process_time()
    run(strategy, str(bars_csv), symbol="X", risk="off", quiet=True, progress=False)
    cpu = time.process_time() - cpu0
    return {"bars": strategy.n, "cpu_us_per_bar": cpu / strategy.n * 1e6}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bars", type=int, default=300_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--rate", type=float, default=200_000,
                   help="bars per second market-data publishes (0: as fast as it can)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as d:
        csv = Path(d) / "bars.csv"
        write_bars(csv, args.bars)
        lives = [live(csv, args.bars, args.rate) for _ in range(args.repeat)]
        backs = [backtest(csv) for _ in range(args.repeat)]
    best = max(lives, key=lambda r: r["bars_per_s"])
    bt = min(backs, key=lambda r: r["cpu_us_per_bar"])
    pace = f"published at {args.rate:,.0f}/s" if args.rate else "published at full speed"
    print(f"{args.bars} bars ({pace}), best of {args.repeat}:")
    print(f"  live (bus -> C++ decode -> on_bar): {best['bars_per_s']:,.0f} bars/s, "
          f"{best['cpu_us_per_bar']:.2f} us CPU per bar (callback itself {best['callback_us']:.2f}"
          f" us), {best['lost']} lost")
    print(f"  backtest (engine loop + on_bar):    {bt['cpu_us_per_bar']:.2f} us CPU per bar")


if __name__ == "__main__":
    main()
