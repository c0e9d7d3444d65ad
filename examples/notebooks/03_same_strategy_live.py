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
# The class backtested in the previous notebook runs unchanged with the engine's four
# processes, replaying the bundled sample: `run_engine(strategies=[file])` starts it as the
# session's strategy (`ztrade run --strategy FILE` does the same from a shell). Bars and
# features reach it over the bus, its signals go to the signal bridge, risk sizes them and
# execution fills them - and the replay runs in lockstep with it, so its speed cannot change a
# fill.

# %%
import tempfile
from pathlib import Path

import ztrade.examples.momentum_strategy as example
from ztrade.compare import compare, render
from ztrade.launcher import run_engine

run_dir = Path(tempfile.mkdtemp(prefix="ztrade-nb-", dir="/tmp")) / "run"
session = run_engine(run_dir=str(run_dir), strategies=[example.__file__],
                     strategy_params={"overbought": 65}, progress=lambda *a: None,
                     timeout_s=240)
print(session["strategies"])

# %% [markdown]
# ## Proof: the session against its backtest
#
# `compare` backtests the bars the session recorded, with the session's settings and the same
# class and parameters, and matches every fill (`ztrade compare SESSION_DIR` from a shell).

# %%
result = compare(session["session"])
print(render(result))
assert result.agree and result.matched == session["fills"]
