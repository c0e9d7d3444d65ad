// Execution: the order state machine, average-cost positions, the simulated broker, and the
// journal (recovery, duplicate refusal, torn tails, and a real kill -9 mid-run).
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include "brokers/brokers.hpp"
#include "brokers/sim/sim_broker.hpp"

#include <spdlog/spdlog.h>
#include "execution/order_manager.hpp"

namespace ztrade::execution {
namespace {

using brokers::sim::SimBroker;

struct Recorder : ReportSink {
  std::vector<wire::ExecutionReportMsg> reports;
  std::vector<wire::PositionMsg> positions;
  void on_report(const wire::ExecutionReportMsg& r, std::int64_t) override { reports.push_back(r); }
  void on_position(const wire::PositionMsg& p, std::int64_t) override { positions.push_back(p); }
};

wire::NewOrderMsg new_order(std::uint64_t id, wire::Side side, double qty,
                            wire::OrderType type = wire::OrderType::kMarket, double limit = 0,
                            const char* sym = "AAPL") {
  wire::NewOrderMsg m{};
  m.client_order_id = id;
  (void)m.symbol.assign(sym);
  (void)m.strategy.assign("test");
  m.side = side;
  m.type = type;
  m.quantity = qty;
  m.limit_price = limit;
  return m;
}

brokers::sim::Options sim(double slippage_bps, double latency_ms, double partial_fill_ratio) {
  brokers::sim::Options c;
  c.slippage_bps = slippage_bps;
  c.latency_ms = latency_ms;
  c.partial_fill_ratio = partial_fill_ratio;
  return c;
}

std::string temp_path(const char* name) {
  auto p = std::filesystem::temp_directory_path() /
           (std::string("ztrade-") + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove(p);
  return p.string();
}

TEST(Order, StateMachineRefusesImpossibleTransitions) {
  Order o;
  o.quantity = 10;
  EXPECT_EQ(o.fill(5, 100), Transition::kIllegal) << "not accepted yet";
  EXPECT_EQ(o.accept(), Transition::kOk);
  EXPECT_EQ(o.accept(), Transition::kIllegal);
  EXPECT_EQ(o.fill(4, 100), Transition::kOk);
  EXPECT_EQ(o.status, OrderStatus::kPartiallyFilled);
  EXPECT_EQ(o.fill(7, 100), Transition::kOverfill);
  EXPECT_EQ(o.fill(6, 110), Transition::kOk);
  EXPECT_EQ(o.status, OrderStatus::kFilled);
  EXPECT_DOUBLE_EQ(o.avg_fill_price, 106.0);
  EXPECT_EQ(o.cancel(), Transition::kIllegal) << "filled orders cannot be canceled";
  EXPECT_EQ(o.leaves(), 0.0);
  Order r;
  EXPECT_EQ(r.reject(), Transition::kOk);
  EXPECT_EQ(r.accept(), Transition::kIllegal);
}

TEST(Portfolio, AverageCostRealisedAndFlips) {
  Portfolio p;
  p.apply_fill("X", wire::Side::kBuy, 10, 100);
  p.apply_fill("X", wire::Side::kBuy, 10, 110);
  EXPECT_DOUBLE_EQ(p.find("X")->avg_price, 105);
  p.apply_fill("X", wire::Side::kSell, 5, 120);
  EXPECT_DOUBLE_EQ(p.find("X")->realized, 75);
  EXPECT_DOUBLE_EQ(p.find("X")->quantity, 15);
  p.apply_fill("X", wire::Side::kSell, 20, 100);  // closes 15 (-75), opens 5 short at 100
  EXPECT_DOUBLE_EQ(p.find("X")->realized, 0);
  EXPECT_DOUBLE_EQ(p.find("X")->quantity, -5);
  EXPECT_DOUBLE_EQ(p.find("X")->avg_price, 100);
  p.mark("X", 90);
  EXPECT_DOUBLE_EQ(p.find("X")->unrealized(), 50);
  p.apply_fill("X", wire::Side::kBuy, 5, 90);
  EXPECT_DOUBLE_EQ(p.find("X")->quantity, 0);
  EXPECT_DOUBLE_EQ(p.realized(), 50);
}

// execution.broker names an adapter of brokers/brokers.hpp; a name none registers has none.
TEST(Brokers, TheRegistryMakesTheNamedAdapter) {
  Recorder rec;
  OrderManager om(nullptr, rec);
  auto log = spdlog::default_logger();
  auto broker = brokers::make_broker("sim", om, ExecutionConfig{}, log);
  ASSERT_NE(broker, nullptr);
  EXPECT_NE(dynamic_cast<SimBroker*>(broker.get()), nullptr);
  EXPECT_EQ(brokers::make_broker("ib", om, ExecutionConfig{}, log), nullptr);
  // The broker reports through the order manager: an accepted order fills at the next price.
  ASSERT_EQ(om.submit(new_order(1, wire::Side::kBuy, 10), 0), SubmitResult::kAccepted);
  EXPECT_EQ(broker->on_order(1), 0);
  EXPECT_EQ(broker->on_price("AAPL", 100.0, 1), 1);
  EXPECT_EQ(om.find(1)->status, OrderStatus::kFilled);
}

TEST(SimBroker, MarketLimitPartialAndLatency) {
  Recorder rec;
  OrderManager om(nullptr, rec);
  SimBroker broker(om, sim(10, 0, 0), 4096);  // 10 bps slippage
  ASSERT_EQ(om.submit(new_order(1, wire::Side::kBuy, 10), 0), SubmitResult::kAccepted);
  ASSERT_EQ(om.submit(new_order(2, wire::Side::kSell, 5, wire::OrderType::kLimit, 101), 0),
            SubmitResult::kAccepted);
  EXPECT_EQ(broker.on_price("AAPL", 100, 1), 1);  // market fills; limit 101 sell not reached
  EXPECT_DOUBLE_EQ(om.find(1)->avg_fill_price, 100.1);
  EXPECT_EQ(broker.on_price("AAPL", 102, 2), 1);  // limit sell fills at the better price
  EXPECT_DOUBLE_EQ(om.find(2)->avg_fill_price, 102);
  EXPECT_DOUBLE_EQ(om.portfolio().find("AAPL")->quantity, 5);

  SimBroker partial(om, sim(0, 5, 0.3), 4096);  // 5 ms latency, 30% per update
  ASSERT_EQ(om.submit(new_order(3, wire::Side::kBuy, 10), 10'000'000), SubmitResult::kAccepted);
  EXPECT_EQ(partial.on_price("AAPL", 100, 12'000'000), 0) << "inside the latency";
  EXPECT_EQ(partial.on_price("AAPL", 100, 15'000'001), 1);
  EXPECT_EQ(om.find(3)->status, OrderStatus::kPartiallyFilled);
  for (int i = 0; i < 3; ++i) partial.on_price("AAPL", 100, 16'000'000 + i);
  EXPECT_EQ(om.find(3)->status, OrderStatus::kFilled);
  EXPECT_EQ(om.counters().partial_fills, 3u);
  EXPECT_EQ(rec.reports.back().exec_type, wire::ExecType::kFill);
  EXPECT_DOUBLE_EQ(rec.positions.back().quantity, 15);
}

// No fill before the order existed: an order decided at 1 that reaches execution once it has
// seen the market at 4 fills at the first price after 4 - never at 2, 3 or 4, which it would
// have met had it arrived at once (order_time), whatever the simulator's history holds.
TEST(SimBroker, AnOrderNeverFillsAtAPriceExecutionHadAlreadySeen) {
  Recorder rec;
  OrderManager om(nullptr, rec);
  brokers::sim::Options o;
  o.slippage_bps = 0;
  SimBroker broker(om, o, 4096);
  for (int t = 1; t <= 4; ++t) broker.on_price("AAPL", 100 + t, t);
  EXPECT_EQ(execution::order_time(1, 4), 4);
  EXPECT_EQ(execution::order_time(7, 4), 7);
  ASSERT_EQ(om.submit(new_order(1, wire::Side::kBuy, 10), execution::order_time(1, 4)),
            SubmitResult::kAccepted);
  EXPECT_EQ(broker.on_order(1), 0) << "every recorded price was seen before it arrived";
  EXPECT_EQ(broker.on_price("AAPL", 105, 5), 1);
  EXPECT_DOUBLE_EQ(om.find(1)->avg_fill_price, 105);
}

TEST(SimBroker, CommissionOfAFill) {
  brokers::sim::Options o;
  o.commission_per_share = 0.005;
  o.commission_min_per_fill = 1.0;
  EXPECT_DOUBLE_EQ(brokers::sim::commission_of(o, 100, 50), 1.0) << "the minimum";
  EXPECT_DOUBLE_EQ(brokers::sim::commission_of(o, -1000, 50), 5.0) << "a sale counts the same";
  o.commission_bps = 10;
  o.commission_fixed = 0.5;
  EXPECT_DOUBLE_EQ(brokers::sim::commission_of(o, 1000, 50), 5.0 + 50.0 + 0.5);
}

// volume_share: the orders a bar reaches share a fraction of its volume, in arrival order and
// in whole units; the rest waits for later bars. A bar of unknown volume is not capped.
TEST(SimBroker, VolumeShareCapsWhatABarFills) {
  Recorder rec;
  OrderManager om(nullptr, rec);
  brokers::sim::Options o;
  o.slippage_bps = 0;
  o.volume_share = 0.1;
  SimBroker broker(om, o, 4096);
  ASSERT_EQ(om.submit(new_order(1, wire::Side::kBuy, 100), 0), SubmitResult::kAccepted);
  ASSERT_EQ(om.submit(new_order(2, wire::Side::kBuy, 30), 0), SubmitResult::kAccepted);
  EXPECT_EQ(broker.on_price("AAPL", 100, 1, 0, 805), 1);  // 80.5 of 805: order 1 takes 80
  EXPECT_DOUBLE_EQ(om.find(1)->filled, 80);
  EXPECT_DOUBLE_EQ(om.find(2)->filled, 0);
  EXPECT_EQ(broker.on_price("AAPL", 101, 2, 0, 300), 2);  // 30: 20 to order 1, 10 to order 2
  EXPECT_EQ(om.find(1)->status, OrderStatus::kFilled);
  EXPECT_DOUBLE_EQ(om.find(2)->filled, 10);
  EXPECT_EQ(broker.on_price("AAPL", 102, 3, 0, 0), 0);  // nothing traded: nothing fills
  EXPECT_EQ(broker.on_price("AAPL", 103, 4), 1);        // unknown volume: no cap
  EXPECT_EQ(om.find(2)->status, OrderStatus::kFilled);
  EXPECT_DOUBLE_EQ(om.portfolio().find("AAPL")->quantity, 130);
  // An order of fractional quantity takes the fraction.
  ASSERT_EQ(om.submit(new_order(3, wire::Side::kSell, 0.5), 5), SubmitResult::kAccepted);
  EXPECT_EQ(broker.on_price("AAPL", 100, 6, 0, 3), 1);
  EXPECT_DOUBLE_EQ(om.find(3)->filled, 0.3);
}

// An order that reaches execution after later bars were seen fills against those bars.
TEST(SimBroker, LateOrdersFillInEventTime) {
  Recorder rec;
  OrderManager om(nullptr, rec);
  SimBroker broker(om, sim(0, 0, 0), 4096);
  broker.on_price("AAPL", 100, 10);
  broker.on_price("AAPL", 101, 20);
  broker.on_price("AAPL", 102, 30);
  ASSERT_EQ(om.submit(new_order(1, wire::Side::kBuy, 10), 15), SubmitResult::kAccepted);
  EXPECT_EQ(broker.on_order(1), 1);
  EXPECT_DOUBLE_EQ(om.find(1)->avg_fill_price, 101) << "the first event after t=15";
  ASSERT_EQ(om.submit(new_order(2, wire::Side::kSell, 10, wire::OrderType::kLimit, 101.5), 5),
            SubmitResult::kAccepted);
  EXPECT_EQ(broker.on_order(2), 1);
  EXPECT_DOUBLE_EQ(om.find(2)->avg_fill_price, 102) << "first later price at or above the limit";
  ASSERT_EQ(om.submit(new_order(3, wire::Side::kBuy, 1), 30), SubmitResult::kAccepted);
  EXPECT_EQ(broker.on_order(3), 0) << "nothing after t=30 yet";
  EXPECT_EQ(broker.on_price("AAPL", 103, 40), 1);
}

TEST(SimBroker, HistoryOverrunIsCounted) {
  Recorder rec;
  OrderManager om(nullptr, rec);
  SimBroker broker(om, sim(0, 0, 0), 3);
  for (int i = 1; i <= 5; ++i) broker.on_price("AAPL", 100 + i, i * 10);  // keeps t=30,40,50
  ASSERT_EQ(om.submit(new_order(1, wire::Side::kBuy, 1), 15), SubmitResult::kAccepted);
  EXPECT_EQ(broker.on_order(1), 1);
  EXPECT_EQ(broker.degraded_fills(), 1u) << "t=20 was needed but already discarded";
  EXPECT_DOUBLE_EQ(om.find(1)->avg_fill_price, 103);
}

TEST(OrderManager, RejectsInvalidAndDuplicateOrders) {
  Recorder rec;
  OrderManager om(nullptr, rec);
  EXPECT_EQ(om.submit(new_order(1, wire::Side::kBuy, 0), 0), SubmitResult::kRejected);
  EXPECT_EQ(rec.reports.back().exec_type, wire::ExecType::kRejected);
  EXPECT_EQ(om.submit(new_order(2, wire::Side::kBuy, 5, wire::OrderType::kLimit, 0), 0),
            SubmitResult::kRejected);
  EXPECT_EQ(om.submit(new_order(3, wire::Side::kBuy, 5), 0), SubmitResult::kAccepted);
  const std::size_t before = rec.reports.size();
  EXPECT_EQ(om.submit(new_order(3, wire::Side::kBuy, 5), 0), SubmitResult::kDuplicate);
  ASSERT_EQ(rec.reports.size(), before + 1) << "a duplicate re-reports the order's state";
  EXPECT_EQ(rec.reports.back().exec_type, wire::ExecType::kAccepted);
  EXPECT_EQ(rec.reports.back().leaves_qty, 5);
  EXPECT_TRUE(om.cancel(3, 1));
  EXPECT_FALSE(om.cancel(3, 2)) << "canceled twice";
  EXPECT_FALSE(om.cancel(99, 2));
  EXPECT_EQ(om.counters().illegal_transitions, 2u);
}

// A broker may fill an order after it reported the cancel (it filled before the cancel
// took): the fill is applied, so positions match the broker's, and the order stays canceled
// unless the fill completes it. A rejected or filled order takes no fill.
TEST(OrderManager, LateFillsAfterACancelAreApplied) {
  Recorder rec;
  OrderManager om(nullptr, rec);
  ASSERT_EQ(om.submit(new_order(3, wire::Side::kBuy, 10), 0), SubmitResult::kAccepted);
  EXPECT_TRUE(om.cancel(3, 1));
  EXPECT_TRUE(om.fill(3, 4, 100, 2));
  EXPECT_EQ(om.find(3)->status, OrderStatus::kCanceled);
  EXPECT_EQ(om.counters().late_fills, 1u);
  EXPECT_DOUBLE_EQ(om.portfolio().find("AAPL")->quantity, 4);
  EXPECT_TRUE(om.fill(3, 6, 100, 3));
  EXPECT_EQ(om.find(3)->status, OrderStatus::kFilled) << "a late fill that completes it";
  EXPECT_FALSE(om.fill(3, 1, 100, 4)) << "overfill";
  ASSERT_EQ(om.submit(new_order(4, wire::Side::kBuy, 10), 0), SubmitResult::kAccepted);
  EXPECT_TRUE(om.reject(4, wire::ExecReject::kInsufficientFunds, "40310000 insufficient", 5));
  EXPECT_EQ(rec.reports.back().reject_code,
            static_cast<std::uint16_t>(wire::ExecReject::kInsufficientFunds));
  EXPECT_EQ(rec.reports.back().text.view(), "40310000 insufficient");
  EXPECT_FALSE(om.fill(4, 1, 100, 6)) << "a rejected order never filled";
}

TEST(Order, TheTransitionTableAgreesWithOpenness) {
  // Every state: an open order can be canceled; a final one cannot.
  for (auto s : {OrderStatus::kPendingNew, OrderStatus::kNew, OrderStatus::kPartiallyFilled,
                 OrderStatus::kFilled, OrderStatus::kCanceled, OrderStatus::kRejected,
                 OrderStatus::kExpired}) {
    Order o;
    o.quantity = 10;
    o.status = s;
    EXPECT_EQ(o.cancel() == Transition::kOk, execution::is_open(s)) << status_name(s);
  }
}

TEST(Journal, RecoveryRebuildsOrdersPositionsAndRefusesResends) {
  const std::string path = temp_path("journal");
  Recorder rec;
  {
    OrderManager om(std::make_unique<Journal>(path, JournalSync::kOff), rec);
    SimBroker broker(om, sim(0, 0, 0.5), 4096);
    om.submit(new_order(1, wire::Side::kBuy, 10), 0);
    om.submit(new_order(2, wire::Side::kSell, 4, wire::OrderType::kLimit, 150, "MSFT"), 0);
    om.submit(new_order(3, wire::Side::kBuy, 8), 0);
    broker.on_price("AAPL", 100, 1);  // 1: 5 of 10, 3: 4 of 8
    om.cancel(3, 2);
  }
  Recorder rec2;
  OrderManager again(std::make_unique<Journal>(path, JournalSync::kOff), rec2);
  const ReplayStats stats = again.recover(path);
  EXPECT_EQ(stats.records, 9u);  // 3 new + 3 accepted + 2 fills + 1 cancel
  EXPECT_EQ(stats.torn_bytes, 0u);
  EXPECT_EQ(again.find(1)->status, OrderStatus::kPartiallyFilled);
  EXPECT_DOUBLE_EQ(again.find(1)->filled, 5);
  EXPECT_EQ(again.find(2)->status, OrderStatus::kNew);
  EXPECT_EQ(again.find(3)->status, OrderStatus::kCanceled);
  EXPECT_DOUBLE_EQ(again.portfolio().find("AAPL")->quantity, 9);
  EXPECT_EQ(again.open_orders().size(), 2u);
  EXPECT_TRUE(rec2.reports.empty()) << "recovery republishes nothing by itself";
  EXPECT_EQ(again.submit(new_order(2, wire::Side::kSell, 4), 5), SubmitResult::kDuplicate);
  ASSERT_EQ(rec2.reports.size(), 1u) << "the resent order gets its state, not a second execution";
  EXPECT_EQ(rec2.reports[0].leaves_qty, 4);
  std::filesystem::remove(path);
}

TEST(Journal, TornTailIsTruncated) {
  const std::string path = temp_path("torn");
  Recorder rec;
  {
    OrderManager om(std::make_unique<Journal>(path, JournalSync::kOff), rec);
    om.submit(new_order(1, wire::Side::kBuy, 10), 0);
  }
  {
    std::ofstream out(path, std::ios::app | std::ios::binary);
    out << "half a record";
  }
  OrderManager again(nullptr, rec);
  const ReplayStats stats = again.recover(path);
  EXPECT_EQ(stats.records, 2u);
  EXPECT_EQ(stats.torn_bytes, 13u);
  EXPECT_EQ(std::filesystem::file_size(path), 2 * sizeof(JournalRecord));
  // A flipped bit in the last record: detected by its CRC, dropped.
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(sizeof(JournalRecord) + 30));
    f.put('\x7f');
  }
  OrderManager third(nullptr, rec);
  EXPECT_EQ(third.recover(path).records, 1u);
  EXPECT_EQ(third.find(1)->status, OrderStatus::kPendingNew);
  std::filesystem::remove(path);
}

// Journals written before the kinds were numbered as the wire's exec types (version 1) are
// still recovered, with their old numbering; a version this build does not know stops
// recovery with an error rather than being misread.
TEST(Journal, Version1RecordsKeepTheirMeaningAndUnknownVersionsAreRefused) {
  const std::string path = temp_path("v1");
  {
    Journal j(path, JournalSync::kOff);
    JournalRecord r;
    r.version = 1;
    r.client_order_id = 7;
    r.side = wire::Side::kBuy;
    (void)r.symbol.assign("AAPL");
    (void)r.strategy.assign("test");
    r.quantity = 10;
    for (int v1_kind : {1, 2, 4}) {  // new, accepted, fill (version 1 numbers)
      r.kind = static_cast<JournalKind>(static_cast<std::uint8_t>(v1_kind));
      if (v1_kind == 4) r.price = 100;
      ASSERT_TRUE(j.append(r));
    }
  }
  Recorder rec;
  OrderManager om(nullptr, rec);
  EXPECT_EQ(om.recover(path).records, 3u);
  ASSERT_NE(om.find(7), nullptr);
  EXPECT_EQ(om.find(7)->status, OrderStatus::kFilled);
  EXPECT_EQ(om.counters().illegal_transitions, 0u);
  {
    Journal j(path, JournalSync::kOff);
    JournalRecord r;
    r.version = 9;
    r.kind = JournalKind::kNew;
    r.client_order_id = 8;
    ASSERT_TRUE(j.append(r));
  }
  OrderManager again(nullptr, rec);
  EXPECT_THROW(again.recover(path), std::runtime_error);
  std::filesystem::remove(path);
}

// A child process trades against a journal and is killed with SIGKILL at an arbitrary point;
// recovery must find a consistent state: every journaled fill in positions, no order twice.
TEST(Journal, SurvivesKillDashNine) {
  const std::string path = temp_path("kill9");
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(pipefd[0]);
    Recorder rec;
    OrderManager om(std::make_unique<Journal>(path, JournalSync::kOff), rec);
    SimBroker broker(om, sim(0, 0, 0.5), 4096);
    for (std::uint64_t id = 1;; ++id) {
      om.submit(new_order(id, id % 3 ? wire::Side::kBuy : wire::Side::kSell, 2), 0);
      broker.on_price("AAPL", 100.0 + static_cast<double>(id % 7), static_cast<std::int64_t>(id));
      if (id == 200) (void)!::write(pipefd[1], "r", 1);  // enough history: kill me any time
    }
  }
  ::close(pipefd[1]);
  char c;
  ASSERT_EQ(::read(pipefd[0], &c, 1), 1);
  ::usleep(3000);
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));

  Recorder rec;
  OrderManager om(std::make_unique<Journal>(path, JournalSync::kOff), rec);
  const ReplayStats stats = om.recover(path);
  EXPECT_GT(stats.records, 600u);
  EXPECT_EQ(om.counters().illegal_transitions, 0u);
  double net = 0;
  for (const auto& [id, o] : om.orders()) net += o.side == wire::Side::kBuy ? o.filled : -o.filled;
  EXPECT_DOUBLE_EQ(om.portfolio().find("AAPL")->quantity, net);
  const std::uint64_t last_id = om.orders().rbegin()->first;
  EXPECT_EQ(om.orders().size(), last_id) << "ids 1..N, none lost in the middle";
  EXPECT_EQ(om.submit(new_order(last_id, wire::Side::kBuy, 1), 0), SubmitResult::kDuplicate);
  EXPECT_EQ(om.submit(new_order(last_id + 1, wire::Side::kBuy, 1), 0), SubmitResult::kAccepted);
  std::filesystem::remove(path);
}

// execution.journal_sync: "record" syncs before each append returns, "batch" once per batch
// that wrote something, "off" only when flushed (a clean stop). Counted, so /metrics shows it.
TEST(Journal, SyncModesSyncWhenTheySay) {
  JournalRecord r;
  r.kind = JournalKind::kNew;
  (void)r.symbol.assign("AAPL");
  {
    Journal j(temp_path("sync-record"), JournalSync::kRecord);
    ASSERT_TRUE(j.append(r));
    ASSERT_TRUE(j.append(r));
    EXPECT_EQ(j.syncs(), 2u);
    EXPECT_TRUE(j.end_batch());
    EXPECT_EQ(j.syncs(), 2u);  // nothing left to sync
  }
  {
    Journal j(temp_path("sync-batch"), JournalSync::kBatch);
    ASSERT_TRUE(j.append(r));
    ASSERT_TRUE(j.append(r));
    EXPECT_EQ(j.syncs(), 0u);
    EXPECT_TRUE(j.end_batch());
    EXPECT_EQ(j.syncs(), 1u);
    EXPECT_TRUE(j.end_batch());  // a batch that wrote nothing syncs nothing
    EXPECT_EQ(j.syncs(), 1u);
  }
  {
    Journal j(temp_path("sync-off"), JournalSync::kOff);
    ASSERT_TRUE(j.append(r));
    EXPECT_TRUE(j.end_batch());
    EXPECT_EQ(j.syncs(), 0u);
    j.flush();
    EXPECT_EQ(j.syncs(), 1u);
  }
}

}  // namespace
}  // namespace ztrade::execution
