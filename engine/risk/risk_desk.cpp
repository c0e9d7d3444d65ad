#include "risk/risk_desk.hpp"

namespace ztrade::risk {

RiskDesk::Outcome RiskDesk::decide(const wire::SignalMsg& s, std::int64_t event_ns,
                                   std::uint64_t signal_seq, std::uint64_t order_id,
                                   std::int64_t now_ns) {
  Outcome out;
  const auto intent = engine_.size_signal(s.symbol.view(), s.strength, event_ns);
  if (!intent) return out;  // already at target
  // Event time, not wall time: a replay at full speed makes the same decisions as one at
  // recorded pace, and the rate limit counts orders per second of market time.
  const TradingState before = engine_.state();
  const Decision d = engine_.check(*intent, event_ns);
  out.halted_now = d.reason == RejectReason::kDailyLoss && before != TradingState::kHalted;
  out.resumed_now = before == TradingState::kHalted && engine_.state() != TradingState::kHalted;
  if (!d.accepted()) {
    out.kind = Outcome::Kind::kReject;
    wire::RiskRejectMsg& r = out.reject;
    r.symbol = s.symbol;
    r.strategy = s.strategy;
    r.reason = static_cast<std::uint16_t>(d.reason);
    r.side = intent->side;
    r.quantity = intent->quantity;
    r.price = d.reference_price;
    r.text.assign_truncated(reason_name(d.reason));
    return out;
  }
  out.kind = Outcome::Kind::kOrder;
  wire::NewOrderMsg& o = out.order;
  o.client_order_id = order_id;
  o.symbol = s.symbol;
  o.strategy = s.strategy;
  o.side = intent->side;
  o.type = intent->type;
  o.tif = wire::TimeInForce::kDay;
  o.quantity = intent->quantity;
  o.limit_price = intent->limit_price;
  o.signal_seq = signal_seq;
  tracker_.on_sent(o, event_ns, now_ns);
  return out;
}

void RiskDesk::on_report(const wire::ExecutionReportMsg& r, std::int64_t event_ns,
                         std::uint64_t exec_marks) {
  const auto out = tracker_.on_report(r, exec_marks);
  if (!out.tracked) return;
  if (out.fill_qty != 0) engine_.on_fill(out.symbol.view(), out.fill_qty, out.fill_price, event_ns);
  if (out.finished) engine_.add_pending(out.symbol.view(), -out.unfilled_qty);
}

}  // namespace ztrade::risk
