#include "risk/order_tracker.hpp"

namespace ztrade::risk {

void OrderTracker::on_sent(const wire::NewOrderMsg& order, std::int64_t event_ns,
                           std::int64_t now_ns) {
  Sent s;
  s.order = order;
  s.event_ns = event_ns;
  s.last_sent_ns = now_ns;
  orders_.insert_or_assign(order.client_order_id, s);
}

OrderTracker::ReportOutcome OrderTracker::on_report(const wire::ExecutionReportMsg& r,
                                                    std::uint64_t marks_seen) {
  ReportOutcome out;
  auto it = orders_.find(r.client_order_id);
  if (it == orders_.end()) return out;  // not ours, or already finished
  Sent& o = it->second;
  out.tracked = true;
  out.symbol = o.order.symbol;
  if (!o.acknowledged) o.marks_at_ack = marks_seen;
  o.acknowledged = true;
  const double sign = o.order.side == wire::Side::kBuy ? 1.0 : -1.0;
  if (r.cum_qty > o.filled) {
    // Normally this fill alone; after lost reports (an execution restart) the cumulative
    // quantity jumps, and the missing part is booked at the order's average price.
    const double qty = r.cum_qty - o.filled;
    out.fill_qty = sign * qty;
    out.fill_price =
        qty == r.last_qty || !(r.avg_price > 0)
            ? r.last_price
            : (r.avg_price * r.cum_qty - (o.filled > 0 ? o.filled * o.avg_price : 0.0)) / qty;
    o.filled = r.cum_qty;
    o.avg_price = r.avg_price;
  }
  out.finished = r.exec_type == wire::ExecType::kRejected ||
                 r.exec_type == wire::ExecType::kCanceled ||
                 r.exec_type == wire::ExecType::kExpired ||
                 (r.exec_type == wire::ExecType::kFill && r.leaves_qty <= 0);
  if (out.finished) {
    out.unfilled_qty = sign * (o.order.quantity - o.filled);
    orders_.erase(it);
  }
  return out;
}

bool OrderTracker::on_execution_uptime(std::int64_t uptime_ns) noexcept {
  // Reports execution had queued when it died are lost with it, while the positions it
  // publishes after recovery include those fills: an order held as acknowledged but unfinished
  // may in fact be done. So every unfinished order is sent again; execution knows its id and
  // re-reports its state, and on_report reconciles from the cumulative quantity.
  const bool restarted = execution_uptime_ns_ > 0 && uptime_ns < execution_uptime_ns_;
  execution_uptime_ns_ = uptime_ns;
  if (!restarted) return false;
  for (auto& [id, o] : orders_) {
    o.acknowledged = false;
    o.last_sent_ns = INT64_MIN / 2;  // due now, whatever the clock
    o.attempts = 1;
  }
  ++counters_.execution_restarts;
  return true;
}

bool OrderTracker::settled_before(std::int64_t t, std::uint64_t marks_seen,
                                  std::int64_t newest_mark_ns) const noexcept {
  for (const auto& [id, o] : orders_) {
    if (o.event_ns >= t) continue;  // decided at or after T: cannot have filled by T
    if (!o.acknowledged || marks_seen <= o.marks_at_ack || newest_mark_ns < t) return false;
  }
  return true;
}

}  // namespace ztrade::risk
