#pragma once
// External (Python) strategies' settings: the [strategy] section of the engine config. Keys,
// bounds and meanings are read and documented in engine/ops/config.cpp.
#include <string>
#include <vector>

namespace ztrade::signals {

struct StrategyConfig {
  // The external strategies this session runs (their `name`s; `ztrade run --strategy` sets
  // it). signal-bridge is ready only once each has said so, and a replay then runs in lockstep
  // with them (market_data.lockstep).
  std::vector<std::string> names;
  std::string on_error = "stop";  // a hook raised: "stop" that strategy, or "halt" trading
  int max_lag_bars = 0;           // a strategy this many bars behind skips to the newest; 0: never
  double timeout_s = 30;          // a declared strategy silent this long is left out of lockstep
};

}  // namespace ztrade::signals
