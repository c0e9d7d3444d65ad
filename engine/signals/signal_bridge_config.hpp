#pragma once
// signal-bridge's settings: the [signal_bridge] section of the engine config. Defaults are the
// initialisers here; keys, bounds and meanings are read and documented in engine/ops/config.cpp.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ztrade::signals {

struct SignalBridgeConfig {
  std::uint16_t publisher_id = 2;
  int ops_port = 9102;
  int rsi_period = 14, macd_fast = 12, macd_slow = 26, macd_signal = 9, sma_period = 20;
  std::vector<std::string> strategies{"macd_rsi"};  // built-in strategies to run
  double rsi_buy_below = 50.0;      // macd_rsi: buy on a MACD up-cross with RSI below this
  double rsi_sell_above = 50.0;     // ... sell on a down-cross with RSI above this
  double max_signal_age_ms = 5000;  // external signals older than this are rejected
  // With CURVE client authentication (bus.curve.authorized_keys_file): strategy id -> the
  // Z85 public key of the only client that may send signals under it. Empty: no binding.
  std::map<std::string, std::string> strategy_keys;
};

}  // namespace ztrade::signals
