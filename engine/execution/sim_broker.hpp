#pragma once
// The simulated broker: fills the OrderManager's open orders against market data. Market
// orders fill at the next trade/bar price after `latency_ms` (of market time), moved against
// the order by `slippage_bps`; limit orders fill when the price reaches their limit, at the
// better of the two. With partial_fill_ratio > 0 an order fills at most that fraction of its
// quantity per price update (rounded up), so large orders fill over several updates.
#include <cstdint>
#include <string_view>

#include "execution/order_manager.hpp"

namespace ztrade::execution {

struct SimBrokerConfig {
  double slippage_bps = 1;
  double latency_ms = 0;
  double partial_fill_ratio = 0;
};

class SimBroker {
 public:
  SimBroker(OrderManager& orders, const SimBrokerConfig& config)
      : orders_(orders), config_(config) {}

  // A new price for symbol at market time ts_ns: marks positions, then fills what crosses.
  // Returns the number of fills made.
  int on_price(std::string_view symbol, double price, std::int64_t ts_ns);

 private:
  OrderManager& orders_;
  SimBrokerConfig config_;
};

}  // namespace ztrade::execution
