"""Example: a MACD-momentum strategy with an RSI filter, written once for backtests and the
live engine.

    ztrade strategy run python/ztrade/examples/momentum_strategy.py --run-dir run/session-...
"""
from ztrade.strategy import Signal, Strategy


class Momentum(Strategy):
    name = "py_momentum"

    def __init__(self, overbought: float = 70.0, oversold: float = 30.0):
        self.overbought = overbought
        self.oversold = oversold
        self.last: dict[str, float] = {}

    def on_features(self, symbol, features, bar_ns):
        if not features.ready:
            return None
        hist, rsi = features["macd_hist"], features["rsi"]
        prev = self.last.get(symbol)
        self.last[symbol] = hist
        if prev is None:
            return None
        if prev <= 0 < hist and rsi < self.overbought:
            return Signal(symbol, 0.5, metadata='{"why":"macd up-cross"}')
        if prev >= 0 > hist and rsi > self.oversold:
            return Signal(symbol, -0.5, metadata='{"why":"macd down-cross"}')
        return None
