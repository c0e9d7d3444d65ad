#include "execution/sim_broker.hpp"

#include <algorithm>
#include <cmath>

namespace ztrade::execution {

int SimBroker::on_price(std::string_view symbol, double price, std::int64_t ts_ns) {
  if (!(price > 0)) return 0;
  orders_.mark(symbol, price);
  int fills = 0;
  const auto latency_ns = static_cast<std::int64_t>(config_.latency_ms * 1e6);
  for (const Order* o : orders_.open_orders()) {
    if (o->symbol != symbol || o->status == OrderStatus::kPendingNew) continue;
    if (ts_ns < o->created_ns + latency_ns) continue;
    const bool buy = o->side == wire::Side::kBuy;
    double fill_price = price;
    if (o->type == wire::OrderType::kMarket) {
      const double slip = price * config_.slippage_bps / 10000.0;
      fill_price = buy ? price + slip : price - slip;
    } else {
      const bool crosses = buy ? price <= o->limit_price : price >= o->limit_price;
      if (!crosses) continue;
      fill_price = buy ? std::min(price, o->limit_price) : std::max(price, o->limit_price);
    }
    double qty = o->leaves();
    if (config_.partial_fill_ratio > 0) {
      qty = std::min(qty, std::ceil(o->quantity * config_.partial_fill_ratio));
    }
    if (orders_.fill(o->client_order_id, qty, fill_price, ts_ns)) ++fills;
  }
  return fills;
}

}  // namespace ztrade::execution
