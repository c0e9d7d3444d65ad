#pragma once
// The simulated broker: fills the OrderManager's open orders against market data, in event
// time. Market orders fill at the first price event (bar open or trade) later than the
// order's time plus `latency_ms`, moved against the order by `slippage_bps`; limit orders fill
// at the first later price that reaches their limit, at the better of the two. With
// partial_fill_ratio > 0 an order fills at most that fraction of its quantity (rounded up) per
// price event, so large orders fill over several events. With volume_share > 0 the orders an
// event reaches share at most that fraction of its volume (a bar's volume, a trade's size), in
// arrival order - in whole units for an order of whole units - and what is left waits for
// later events; an event of unknown volume is not capped. (An order that arrives late is
// filled against recorded events, each capped for it alone: what orders before it took there
// is not kept.)
//
// Event time makes a replay deterministic whatever the processes' relative speed: an order
// that arrives after later bars were already seen is filled against those recorded bars, the
// ones it would have met. The broker keeps the last `history` price events per symbol for that.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "brokers/sim/config.hpp"
#include "core/price_history.hpp"
#include "core/string_hash.hpp"

#include "execution/broker.hpp"
#include "execution/order_manager.hpp"

namespace ztrade::brokers::sim {

using execution::Order;
using execution::OrderManager;

class SimBroker final : public execution::Broker {
 public:
  // Price events kept per symbol (24 bytes each; memory grows only with real events). An order
  // whose next event was already discarded - market data ran further ahead of the order flow
  // than this - fills at the oldest kept event and is counted and logged as an overrun.
  static constexpr std::size_t kDefaultHistory = 1'000'000;

  SimBroker(OrderManager& orders, const Options& options, std::size_t history = kDefaultHistory)
      : orders_(orders), config_(options), history_limit_(history) {}

  // A price event for symbol at market time ts_ns (a bar's open at its start, or a trade).
  // Marks positions to `mark` (0: to price), records the event, fills what it reaches.
  // Returns the number of fills made.
  int on_price(std::string_view symbol, double price, std::int64_t ts_ns, double mark = 0,
               double volume = std::numeric_limits<double>::quiet_NaN()) override;
  // An order just accepted: fills it against recorded events later than its time.
  int on_order(std::uint64_t client_order_id) override;
  // Cancels at once (every open order for id 0).
  void on_cancel(std::uint64_t client_order_id, std::int64_t now_ns) override;
  // Orders that needed a price event the history no longer held (see kDefaultHistory).
  std::uint64_t degraded_fills() const noexcept override { return overruns_; }

 private:
  using Event = PriceHistory::Point;
  // Tries to fill one order against one event, taking at most `room` of its volume (and
  // lowering it by what filled); true if it filled (part of) it.
  bool try_fill(const Order& o, const Event& e, double& room);
  // What of event e's volume orders may take (infinite: no cap).
  double room_of(const Event& e) const noexcept;

  OrderManager& orders_;
  Options config_;
  std::size_t history_limit_;
  StringMap<PriceHistory> history_;
  std::vector<std::uint64_t> candidates_;
  std::uint64_t overruns_ = 0;
};

}  // namespace ztrade::brokers::sim
