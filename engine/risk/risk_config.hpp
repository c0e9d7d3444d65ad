#pragma once
// Risk's settings: the [risk] section of the engine config. Defaults are the initialisers here;
// keys, bounds and meanings are read and documented in engine/ops/config.cpp.
#include <cstdint>
#include <string>

namespace ztrade::risk {

struct RiskConfig {
  std::uint16_t publisher_id = 3;
  int ops_port = 9103;
  double order_size = 100;            // quantity for a signal of strength 1
  bool allow_short = true;            // false: a negative strength means flat
  std::string order_type = "market";  // market or limit
  double limit_offset_bps = 5;
  double max_order_qty = 1000;
  double max_order_notional = 100000;
  double max_position = 2000;  // per symbol, absolute
  double max_gross_exposure = 1000000;
  double price_band_pct = 5;  // reject orders priced further than this from last
  int max_orders_per_s = 50;
  double daily_loss_limit = 10000;  // realised + unrealised; breach halts trading
  // When the trading day (and so the daily loss) starts again: "<time zone> HH:MM" in market
  // time (risk/trading_day.hpp). A halt the daily loss caused ends there too.
  std::string day_boundary = "UTC 00:00";
  double stale_data_ms = 0;                                // 0: off (replay); live: e.g. 5000
  std::string control_token_env = "ZTRADE_CONTROL_TOKEN";  // env var holding the kill-switch token
};

}  // namespace ztrade::risk
