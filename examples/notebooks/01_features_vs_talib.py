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
# # Features and indicators against TA-Lib
#
# ztrade's streaming indicators are the C++ code the engine runs, bar by bar. Here they are
# computed over the bundled sample and compared with TA-Lib's own functions (the `ta-lib`
# wheel): RSI, MACD, EMA and SMA agree to the last bits.

# %%
import matplotlib.pyplot as plt
import numpy as np
import talib

from ztrade import FEATURE_NAMES, FeatureComputer
from ztrade.data import load_bars_frame, sample_path

bars = load_bars_frame(sample_path())
features = FeatureComputer().compute_batch(bars)
table = dict(zip(FEATURE_NAMES, features.T))
close = bars["close"].to_numpy()
print(len(bars), "bars;", len(FEATURE_NAMES), "features:", ", ".join(FEATURE_NAMES))

# %%
macd, signal, hist = talib.MACD(close, 12, 26, 9)
reference = {"rsi": talib.RSI(close, 14), "macd_line": macd, "macd_signal": signal,
             "macd_hist": hist, "sma": talib.SMA(close, 20)}
for name, ref in reference.items():
    ours = table[name]
    both = ~np.isnan(ref) & ~np.isnan(ours)
    worst = np.max(np.abs(ours[both] - ref[both]))
    print(f"{name:12s} defined from bar {np.argmax(both):3d}; largest difference {worst:.2e}")
    assert worst < 1e-9

# %%
fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(11, 6), sharex=True)
ax1.plot(bars.index, close, lw=0.8, label="close")
ax1.plot(bars.index, table["sma"], lw=0.8, label="SMA(20)")
ax1.legend()
ax2.plot(bars.index, table["rsi"], lw=0.8, label="RSI(14), ztrade")
ax2.plot(bars.index, reference["rsi"], lw=0.8, ls="--", label="RSI(14), TA-Lib")
ax2.axhline(70, color="0.6", lw=0.5)
ax2.axhline(30, color="0.6", lw=0.5)
ax2.legend()
fig.tight_layout()
