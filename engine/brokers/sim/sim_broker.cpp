#include "brokers/sim/sim_broker.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace ztrade::brokers::sim {

using execution::is_open;
using execution::OrderStatus;

double SimBroker::room_of(const Event& e) const noexcept {
  if (config_.volume_share <= 0 || !(e.volume >= 0)) return std::numeric_limits<double>::infinity();
  return e.volume * config_.volume_share;
}

bool SimBroker::try_fill(const Order& o, const Event& e, double& room) {
  if (!is_open(o.status) || o.status == OrderStatus::kPendingNew) return false;
  const auto latency_ns = static_cast<std::int64_t>(config_.latency_ms * 1e6);
  if (e.ts_ns <= o.created_ns + latency_ns) return false;  // strictly after the decision
  const bool buy = o.side == wire::Side::kBuy;
  double fill_price = e.price;
  if (o.type == wire::OrderType::kMarket) {
    const double slip = e.price * config_.slippage_bps / 10000.0;
    fill_price = buy ? e.price + slip : e.price - slip;
  } else {
    const bool crosses = buy ? e.price <= o.limit_price : e.price >= o.limit_price;
    if (!crosses) return false;
    fill_price = buy ? std::min(e.price, o.limit_price) : std::max(e.price, o.limit_price);
  }
  double qty = o.leaves();
  if (config_.partial_fill_ratio > 0) {
    qty = std::min(qty, std::ceil(o.quantity * config_.partial_fill_ratio));
  }
  if (room < qty) {
    // Whole units for an order of whole units; nothing when less than one is left.
    qty = o.quantity == std::floor(o.quantity) ? std::floor(room) : room;
    if (!(qty > 0)) return false;
  }
  if (!orders_.fill(o.client_order_id, qty, fill_price, e.ts_ns)) return false;
  room -= qty;
  return true;
}

int SimBroker::on_price(std::string_view symbol, double price, std::int64_t ts_ns, double mark,
                        double volume) {
  if (!(price > 0)) return 0;
  auto it = history_.find(symbol);
  if (it == history_.end()) {
    // A symbol's first price: its history, reserved for the usual depth, grows to the limit.
    it = history_
             .emplace(std::string(symbol),
                      PriceHistory(history_limit_, std::min<std::size_t>(history_limit_, 4096)))
             .first;
  }
  auto& h = it->second;
  h.record(ts_ns, price, volume);
  int fills = 0;
  // A fill closes orders, which changes the open set: note the candidates first (the scratch
  // vector keeps its capacity, so this allocates nothing once warm).
  candidates_.clear();
  for (const auto& [id, o] : orders_.open_orders()) {
    if (o->symbol.view() == symbol) candidates_.push_back(id);
  }
  const Event event = *h.latest();
  double room = room_of(event);  // shared by the orders this event reaches, in arrival order
  for (const std::uint64_t id : candidates_) {
    const Order* o = orders_.find(id);
    if (o && try_fill(*o, event, room)) ++fills;
  }
  orders_.mark(symbol, mark > 0 ? mark : price);
  return fills;
}

int SimBroker::on_order(std::uint64_t client_order_id) {
  const Order* o = orders_.find(client_order_id);
  if (!o) return 0;
  // "SIM-<id>", formatted on the stack: no heap string per order (24 bytes hold any id).
  char id[24];
  const auto id_end = fmt::format_to_n(id, sizeof(id), "SIM-{}", client_order_id).out;
  orders_.set_venue_order_id(client_order_id, {id, static_cast<std::size_t>(id_end - id)});
  auto it = history_.find(o->symbol.view());
  if (it == history_.end()) return 0;
  int fills = 0;
  // Events are in time order; start at the first one after the order's time.
  const auto& h = it->second;
  if (h.full() && h.at_index(0).ts_ns > o->created_ns) ++overruns_;
  for (std::size_t i = h.first_after(o->created_ns); i < h.size() && is_open(o->status); ++i) {
    double room = room_of(h.at_index(i));
    if (try_fill(*o, h.at_index(i), room)) ++fills;
  }
  return fills;
}

void SimBroker::on_cancel(std::uint64_t client_order_id, std::int64_t now_ns) {
  if (client_order_id != 0) {
    orders_.cancel(client_order_id, now_ns);
    return;
  }
  candidates_.clear();
  for (const auto& [id, o] : orders_.open_orders()) candidates_.push_back(id);
  for (const auto id : candidates_) orders_.cancel(id, now_ns, "kill switch");
}

}  // namespace ztrade::brokers::sim
