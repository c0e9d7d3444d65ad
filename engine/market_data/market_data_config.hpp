#pragma once
// market-data's settings: the [market_data] section of the engine config (with its replay,
// synthetic and venue tables). Defaults are the initialisers here; keys, bounds and meanings
// are read and documented in engine/ops/config.cpp.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "venues/common/venue_config.hpp"

namespace ztrade::market_data {

struct ReplayConfig {
  std::string file;             // empty: the bundled sample
  std::string format = "bars";  // bars or trades (CSV), or recorded (market_data.record_file)
  std::string symbol = "SAMPLE";
  double speed = 0.0;  // 0: as fast as possible; 1: recorded pace; N: N times faster
};

struct SyntheticConfig {
  std::vector<std::string> symbols{"SYN1"};
  double rate_per_s = 1000.0;  // messages per second, all symbols together
  std::uint64_t seed = 42;
  double start_price = 100.0;
  double volatility = 0.0005;  // per-trade log-return standard deviation
  double duration_s = 10.0;    // 0: run until stopped
  double spread_bps = 0.0;     // > 0: a quote follows every trade (counts towards rate_per_s)
};

struct MarketDataConfig {
  std::uint16_t publisher_id = 1;
  int ops_port = 9101;
  std::string venue = "replay";     // replay, synthetic or live (the enabled venues below)
  double bar_interval_s = 60.0;     // time bars aggregated from trades
  bool start_gate = false;          // wait for "GO" on the control socket before streaming
  bool wait_for_downstream = true;  // false: stream without waiting for the other components
                                    // (market-data alone as a feed handler)
  std::string record_file;          // non-empty: record every published bar/trade/quote here
                                    // (relative paths are under engine.run_dir)
  bool lockstep = true;             // replay in step with declared strategies (ops::lockstep)
  double lockstep_timeout_s = 60;   // a batch waits at most this long for its orders
  int warmup_bars = 500;            // recent bars kept per symbol for strategies that attach
  ReplayConfig replay;
  SyntheticConfig synthetic;
  // Live venues by adapter name ([market_data.<name>]), one entry per registered adapter
  // (venues/adapters.hpp), enabled or not.
  std::map<std::string, venues::VenueConfig> venues;
};

}  // namespace ztrade::market_data
