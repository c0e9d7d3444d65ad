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
# # A strategy backtested, its statistics and plots, and a parameter sweep
#
# `ztrade.backtest.run` sends the bars through the engine's own parts: the FeatureComputer,
# risk (sizing and every check, as live), the order manager and the simulated broker. A
# signal decided on a bar's close fills at the next bar's open.

# %%
from ztrade.backtest import heatmap, run, sweep
from ztrade.data import load_bars_frame, sample_path
from ztrade.examples.momentum_strategy import Momentum

bars = load_bars_frame(sample_path())
result = run(Momentum(), bars, symbol="SAMPLE", cash=100_000, order_size=100,
             slippage_bps=1, commission={"per_share": 0.005, "min_per_fill": 1.0})
print(result)

# %%
result.plot();

# %%
result.trades.head(10)

# %%
result.orders["status"].value_counts()

# %% [markdown]
# ## A sweep over two parameters
#
# Every combination runs in its own process; the table is sorted by the metric.

# %%
table = sweep(Momentum, bars, {"overbought": [60, 65, 70, 75, 80], "oversold": [20, 25, 30, 35, 40]},
              metric="sharpe", symbol="SAMPLE", slippage_bps=1)
table[["overbought", "oversold", "sharpe", "total_return", "max_drawdown", "trades"]].head()

# %%
heatmap(table, "overbought", "oversold", "sharpe");
