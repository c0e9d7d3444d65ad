#pragma once
// Risk's record of the orders it sent, until each finishes. Orders travel on PUB/SUB, which
// drops messages while execution is down (a restart), and reports can be lost with a killed
// execution; this unit makes both safe:
//  - re-send: an order without an acknowledgement is sent again (same client_order_id, which
//    execution's journal makes idempotent) once kResendAfterNs has passed since the last send,
//    at most kMaxAttempts times;
//  - restart detection: execution's uptime going backwards means it restarted; every unfinished
//    order is then due for a re-send now, so execution re-reports its state;
//  - reconciliation: fills are taken from cumulative quantities, so a report that is lost,
//    repeated or re-sent after a restart is never counted twice.
// Pure logic on an injected clock (now_ns arguments): tests drive it with a fake one.
#include <cstddef>
#include <cstdint>
#include <unordered_map>

#include "bus/messages.hpp"

namespace ztrade::risk {

class OrderTracker {
 public:
  static constexpr std::int64_t kResendAfterNs = 1'000'000'000;
  static constexpr int kMaxAttempts = 30;

  // What a report changed: a fill to book (signed quantity at price, in event time) and, when
  // the order finished, the signed quantity that never filled (to release from pending).
  struct ReportOutcome {
    bool tracked = false;  // one of ours, not yet finished
    wire::Symbol symbol;
    double fill_qty = 0;  // signed: > 0 bought
    double fill_price = 0;
    bool finished = false;
    double unfilled_qty = 0;  // signed, when finished
  };

  struct Counters {
    std::uint64_t resent = 0;
    std::uint64_t execution_restarts = 0;
    std::uint64_t gave_up = 0;  // orders still unacknowledged after kMaxAttempts sends
  };

  void on_sent(const wire::NewOrderMsg& order, std::int64_t event_ns, std::int64_t now_ns);

  // `marks_seen`: how many execution marks risk has seen (see settled_before).
  [[nodiscard]] ReportOutcome on_report(const wire::ExecutionReportMsg& r,
                                        std::uint64_t marks_seen);

  // From each execution heartbeat; true when execution restarted.
  bool on_execution_uptime(std::int64_t uptime_ns) noexcept;

  // Calls resend(order, event_ns) for each order due for a re-send, and give_up(order) once
  // for an order that reached kMaxAttempts unacknowledged.
  template <class Resend, class GiveUp>
  void resend_due(std::int64_t now_ns, Resend&& resend, GiveUp&& give_up);

  // True when every order decided before t has had its chance to fill up to t: it finished,
  // or it was acknowledged and execution has since published a mark at or after t (execution
  // reports every fill up to a bar before its mark for that bar).
  [[nodiscard]] bool settled_before(std::int64_t t, std::uint64_t marks_seen,
                                    std::int64_t newest_mark_ns) const noexcept;

  [[nodiscard]] std::size_t unfinished() const noexcept { return orders_.size(); }
  [[nodiscard]] const Counters& counters() const noexcept { return counters_; }

 private:
  struct Sent {
    wire::NewOrderMsg order;
    std::int64_t event_ns = 0;
    double filled = 0;     // cumulative, as last reported by execution
    double avg_price = 0;  // of what filled, as last reported
    bool acknowledged = false;
    std::uint64_t marks_at_ack = 0;  // execution's marks seen when it was acknowledged
    std::int64_t last_sent_ns = 0;
    int attempts = 1;
  };
  std::unordered_map<std::uint64_t, Sent> orders_;
  std::int64_t execution_uptime_ns_ = 0;
  Counters counters_;
};

template <class Resend, class GiveUp>
void OrderTracker::resend_due(std::int64_t now_ns, Resend&& resend, GiveUp&& give_up) {
  for (auto& [id, o] : orders_) {
    if (o.acknowledged || o.attempts > kMaxAttempts || now_ns - o.last_sent_ns < kResendAfterNs) {
      continue;
    }
    ++o.attempts;
    o.last_sent_ns = now_ns;
    if (o.attempts > kMaxAttempts) {
      ++counters_.gave_up;
      give_up(o.order);
    } else {
      ++counters_.resent;
      resend(o.order, o.event_ns);
    }
  }
}

}  // namespace ztrade::risk
