# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # The same strategy class against the live engine
#
# The class backtested in the previous notebook runs unchanged against the engine's four
# processes, replaying the bundled sample: bars and features arrive from the bus, its signals
# go to the signal bridge, risk sizes them, execution fills them, and its `on_fill` hears each
# fill. The backtest of the same bars makes the same decisions.
#
# (In a notebook the cells below use top-level `await`, which Jupyter's kernel supports.)

# %%
import asyncio
import tempfile
import threading
from pathlib import Path

from ztrade import _core
from ztrade.backtest import run
from ztrade.data import load_bars_frame, sample_path
from ztrade.examples.momentum_strategy import Momentum
from ztrade.launcher import default_config, run_engine
from ztrade.strategy import run_live


class Listening(Momentum):
    def __init__(self):
        super().__init__()
        self.fills = []

    def on_fill(self, fill):
        self.fills.append(fill)


run_dir = Path(tempfile.mkdtemp(prefix="ztrade-nb-", dir="/tmp")) / "run"
overrides = {"ZTRADE__signal_bridge__strategies": "[]",      # only this strategy trades
             "ZTRADE__market_data__replay__speed": "20000"}  # a few seconds for the sample
session = {}
engine = threading.Thread(target=lambda: session.update(run_engine(
    run_dir=str(run_dir), overrides=overrides, progress=lambda *a: None, timeout_s=120)))
engine.start()

# %%
while not (run_dir / "signals.sock").exists():
    await asyncio.sleep(0.05)
cfg = _core.engine_config(str(default_config()), {"ZTRADE__engine__run_dir": str(run_dir)})
live = Listening()
stop = asyncio.Event()


async def until_engine_done():
    while engine.is_alive():
        await asyncio.sleep(0.1)
    stop.set()


watcher = asyncio.ensure_future(until_engine_done())
stats = await run_live(live, cfg["endpoints"], stop=stop)
await watcher
summary = session
print(f"live: {stats['signals']} signals, {len(live.fills)} fills heard by on_fill; "
      f"position {summary['positions'].get('SAMPLE', {}).get('quantity', 0.0)}")

# %%
backtest = run(Momentum(), load_bars_frame(sample_path()), symbol="SAMPLE", slippage_bps=1)
print(f"backtest: {backtest.signals} signals, {len(backtest.fills)} fills; "
      f"position {backtest.positions['quantity'].iloc[0] if len(backtest.positions) else 0.0}")
# The strategy saw the same bars and features, so it made the same decisions. (Fills can
# differ when the strategy lags a fast replay: the engine stamps a Python signal with the
# market time it arrives at, never the strategy's own clock.)
assert stats["signals"] == backtest.signals
