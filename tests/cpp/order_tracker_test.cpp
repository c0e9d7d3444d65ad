// Risk's order tracking on a fake clock: re-sends of unacknowledged orders (timing, limit),
// execution restarts, reconciliation from cumulative quantities, and when a signal at time T
// may be decided (every earlier order settled up to T).
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "risk/order_tracker.hpp"

namespace ztrade::risk {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

wire::NewOrderMsg order(std::uint64_t id, wire::Side side = wire::Side::kBuy, double qty = 100) {
  wire::NewOrderMsg o{};
  o.client_order_id = id;
  (void)o.symbol.assign("AAPL");
  o.side = side;
  o.quantity = qty;
  return o;
}

wire::ExecutionReportMsg report(std::uint64_t id, wire::ExecType type, double cum, double leaves,
                                double last_qty = 0, double last_price = 0, double avg = 0) {
  wire::ExecutionReportMsg r{};
  r.client_order_id = id;
  r.exec_type = type;
  r.cum_qty = cum;
  r.leaves_qty = leaves;
  r.last_qty = last_qty;
  r.last_price = last_price;
  r.avg_price = avg;
  return r;
}

struct Resends {
  std::vector<std::uint64_t> sent, abandoned;
  void run(OrderTracker& t, std::int64_t now) {
    t.resend_due(
        now, [&](const wire::NewOrderMsg& o, std::int64_t) { sent.push_back(o.client_order_id); },
        [&](const wire::NewOrderMsg& o) { abandoned.push_back(o.client_order_id); });
  }
};

TEST(OrderTracker, UnacknowledgedOrderIsResentEverySecondUntilAcknowledged) {
  OrderTracker t;
  Resends r;
  t.on_sent(order(1), 100, 10 * kSecond);
  r.run(t, 10 * kSecond + kSecond - 1);  // not yet due
  EXPECT_TRUE(r.sent.empty());
  r.run(t, 11 * kSecond);
  EXPECT_EQ(r.sent, std::vector<std::uint64_t>{1});
  r.run(t, 11 * kSecond + kSecond / 2);  // the clock restarts at the re-send
  EXPECT_EQ(r.sent.size(), 1u);
  EXPECT_TRUE(t.on_report(report(1, wire::ExecType::kAccepted, 0, 100), 0).tracked);
  r.run(t, 100 * kSecond);  // acknowledged: never again
  EXPECT_EQ(r.sent.size(), 1u);
  EXPECT_EQ(t.counters().resent, 1u);
}

TEST(OrderTracker, ResendsStopAfterTheLimitAndTheOrderIsReportedOnce) {
  OrderTracker t;
  Resends r;
  t.on_sent(order(7), 0, 0);
  for (int i = 1; i <= OrderTracker::kMaxAttempts + 5; ++i) r.run(t, i * kSecond);
  EXPECT_EQ(r.sent.size(), static_cast<std::size_t>(OrderTracker::kMaxAttempts - 1));
  EXPECT_EQ(r.abandoned, std::vector<std::uint64_t>{7});
  EXPECT_EQ(t.counters().gave_up, 1u);
  EXPECT_EQ(t.unfinished(), 1u);  // still tracked: a late report still reconciles it
}

TEST(OrderTracker, ExecutionRestartMakesEveryUnfinishedOrderDueNow) {
  OrderTracker t;
  Resends r;
  EXPECT_FALSE(t.on_execution_uptime(5 * kSecond));  // the first heartbeat is no restart
  t.on_sent(order(1), 0, 0);
  t.on_sent(order(2), 0, 0);
  (void)t.on_report(report(1, wire::ExecType::kAccepted, 0, 100), 0);
  (void)t.on_report(report(2, wire::ExecType::kPartialFill, 40, 60, 40, 10.0, 10.0), 0);
  EXPECT_FALSE(t.on_execution_uptime(6 * kSecond));  // uptime grows: same process
  r.run(t, kSecond / 10);
  EXPECT_TRUE(r.sent.empty());                        // both acknowledged
  EXPECT_TRUE(t.on_execution_uptime(kSecond / 100));  // went backwards: a new process
  EXPECT_EQ(t.counters().execution_restarts, 1u);
  r.run(t, kSecond / 10);  // due at once, not a second later
  EXPECT_EQ(r.sent.size(), 2u);
  // The restarted execution re-reports order 2 with fills whose reports died with the old
  // process: only the new quantity is booked, at the price that makes the average right.
  const auto out = t.on_report(report(2, wire::ExecType::kFill, 100, 0, 10, 13.0, 12.0), 0);
  EXPECT_DOUBLE_EQ(out.fill_qty, 60.0);
  EXPECT_DOUBLE_EQ(out.fill_price, (12.0 * 100 - 10.0 * 40) / 60);
  EXPECT_TRUE(out.finished);
  EXPECT_DOUBLE_EQ(out.unfilled_qty, 0.0);
}

TEST(OrderTracker, RepeatedReportsAreNotCountedTwiceAndFinishedOrdersReleaseTheRest) {
  OrderTracker t;
  t.on_sent(order(3, wire::Side::kSell, 100), 0, 0);
  const auto first =
      t.on_report(report(3, wire::ExecType::kPartialFill, 30, 70, 30, 50.0, 50.0), 0);
  EXPECT_DOUBLE_EQ(first.fill_qty, -30.0);  // a sell: signed
  EXPECT_DOUBLE_EQ(first.fill_price, 50.0);
  const auto again =
      t.on_report(report(3, wire::ExecType::kPartialFill, 30, 70, 30, 50.0, 50.0), 0);
  EXPECT_TRUE(again.tracked);
  EXPECT_EQ(again.fill_qty, 0.0);  // a duplicate books nothing
  const auto canceled = t.on_report(report(3, wire::ExecType::kCanceled, 30, 0), 0);
  EXPECT_TRUE(canceled.finished);
  EXPECT_DOUBLE_EQ(canceled.unfilled_qty, -70.0);
  EXPECT_EQ(t.unfinished(), 0u);
  EXPECT_FALSE(t.on_report(report(3, wire::ExecType::kFill, 100, 0), 0).tracked);  // finished
  EXPECT_FALSE(t.on_report(report(99, wire::ExecType::kFill, 1, 0), 0).tracked);   // not ours
  for (auto type : {wire::ExecType::kRejected, wire::ExecType::kExpired}) {
    t.on_sent(order(4), 0, 0);
    const auto done = t.on_report(report(4, type, 0, 0), 0);
    EXPECT_TRUE(done.finished);
    EXPECT_DOUBLE_EQ(done.unfilled_qty, 100.0);
  }
}

TEST(OrderTracker, SignalAtTWaitsForEarlierOrdersToSettleUpToT) {
  OrderTracker t;
  const std::int64_t T = 1'000;
  EXPECT_TRUE(t.settled_before(T, 0, INT64_MIN));   // nothing sent
  t.on_sent(order(1), T - 10, 0);                   // decided before T
  t.on_sent(order(2), T, 0);                        // at T: cannot have filled by T
  EXPECT_FALSE(t.settled_before(T, 0, INT64_MIN));  // order 1 unacknowledged
  (void)t.on_report(report(1, wire::ExecType::kAccepted, 0, 100), 3);  // 3 marks seen at ack
  EXPECT_FALSE(t.settled_before(T, 3, T));              // no mark since the acknowledgement
  EXPECT_FALSE(t.settled_before(T, 4, T - 1));          // a new mark, but before T
  EXPECT_TRUE(t.settled_before(T, 4, T));               // execution processed T: fills reported
  EXPECT_TRUE(t.settled_before(T - 10, 0, INT64_MIN));  // order 1 is not before T - 10
  (void)t.on_report(report(1, wire::ExecType::kFill, 100, 0, 100, 5.0, 5.0), 3);
  EXPECT_FALSE(t.settled_before(T + 1'000, 0, INT64_MIN));  // order 2 still open
}

}  // namespace
}  // namespace ztrade::risk
