#pragma once
// The simulated broker's settings: keys of [execution] itself (brokers/adapters.hpp).
namespace ztrade::brokers::sim {

struct Options {
  double slippage_bps = 1;        // every fill moves this far against the order
  double latency_ms = 0;          // in market time
  double partial_fill_ratio = 0;  // fraction of a large order filled per price event (0: all)
  double volume_share = 0;        // fraction of a price event's volume orders may take (0: no cap)
};

}  // namespace ztrade::brokers::sim
