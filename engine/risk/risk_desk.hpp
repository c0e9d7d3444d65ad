#pragma once
// What risk does with a signal and with execution's reports, without sockets: size the signal
// into an order and check it (RiskEngine), track the order until execution reports it finished
// (OrderTracker), book its fills and release what it left unfilled. The risk component (on the
// bus) and the in-process backtester (engine/backtest) both run exactly this.
#include <cstdint>

#include "bus/messages.hpp"
#include "risk/order_tracker.hpp"
#include "risk/risk_engine.hpp"

namespace ztrade::risk {

class RiskDesk {
 public:
  RiskDesk(RiskEngine& engine, OrderTracker& tracker) : engine_(engine), tracker_(tracker) {}

  struct Outcome {
    enum class Kind : std::uint8_t { kNone, kOrder, kReject } kind = Kind::kNone;
    wire::NewOrderMsg order{};     // kOrder: to send to execution (tracked from now)
    wire::RiskRejectMsg reject{};  // kReject: to publish, with its reason
    bool halted_now = false;       // this decision breached the daily loss limit: HALTED
    bool resumed_now = false;      // a new trading day ended a halt the daily loss caused
  };

  // A signal decided at market time event_ns: nothing (already at the target position), an
  // order with id `order_id`, or a rejection. `now_ns`: the wall clock, for re-send timing.
  [[nodiscard]] Outcome decide(const wire::SignalMsg& s, std::int64_t event_ns,
                               std::uint64_t signal_seq, std::uint64_t order_id,
                               std::int64_t now_ns);
  // An execution report: fills booked at their price and time, a finished order's unfilled
  // part released. `exec_marks`: execution's marks seen so far (OrderTracker).
  void on_report(const wire::ExecutionReportMsg& r, std::int64_t event_ns,
                 std::uint64_t exec_marks);

 private:
  RiskEngine& engine_;
  OrderTracker& tracker_;
};

}  // namespace ztrade::risk
