#pragma once
// Execution's settings: the [execution] section of the engine config. Defaults are the
// initialisers here; keys, bounds and meanings are read and documented in
// engine/ops/config.cpp.
#include <cstdint>
#include <string>

namespace ztrade::execution {

struct ExecutionConfig {
  std::uint16_t publisher_id = 4;
  int ops_port = 9104;
  std::string broker = "sim";     // sim or alpaca_paper
  double slippage_bps = 1;        // sim
  double latency_ms = 0;          // sim
  double partial_fill_ratio = 0;  // sim: fraction filled per bar for large orders (0: all)
  std::string journal = "execution.journal";  // relative to engine.run_dir
  std::string alpaca_base_url = "https://paper-api.alpaca.markets";
  bool allow_live_endpoint = false;  // the engine refuses Alpaca's live API unless set
};

}  // namespace ztrade::execution
