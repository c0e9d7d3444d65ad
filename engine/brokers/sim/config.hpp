#pragma once
// The simulated broker's settings: keys of [execution] itself (brokers/adapters.hpp).
#include <algorithm>
#include <cmath>

namespace ztrade::brokers::sim {

struct Options {
  double slippage_bps = 1;        // every fill moves this far against the order
  double latency_ms = 0;          // in market time
  double partial_fill_ratio = 0;  // fraction of a large order filled per price event (0: all)
  double volume_share = 0;        // fraction of a price event's volume orders may take (0: no cap)
  // The commission of one fill: per share (at least min_per_fill), bps of notional, and a fixed
  // amount; any mix. Charged to P&L in backtests, session summaries and `ztrade compare`.
  double commission_per_share = 0;
  double commission_min_per_fill = 0;
  double commission_bps = 0;
  double commission_fixed = 0;
};

// The commission of a fill of qty at price under these settings.
[[nodiscard]] inline double commission_of(const Options& o, double qty, double price) noexcept {
  const double q = std::fabs(qty);
  double c = o.commission_fixed + q * std::fabs(price) * o.commission_bps / 10'000.0;
  if (o.commission_per_share > 0)
    c += std::max(q * o.commission_per_share, o.commission_min_per_fill);
  return c;
}

}  // namespace ztrade::brokers::sim
