// Risk: sizing from signals, every pre-trade check with its reason code, trading states, the
// automatic halt on a daily-loss breach (in event time), the order-rate window, and the price
// history that decisions are made on.
#include "risk/risk_engine.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "core/holding.hpp"

namespace ztrade::risk {
namespace {

constexpr std::int64_t kSec = 1'000'000'000;

RiskConfig limits() {
  RiskConfig l;
  l.order_size = 100;
  l.max_order_qty = 150;
  l.max_order_notional = 20000;
  l.max_position = 120;
  l.max_gross_exposure = 30000;
  l.price_band_pct = 5;
  l.max_orders_per_s = 3;
  l.daily_loss_limit = 1000;
  l.stale_data_ms = 2000;
  return l;
}

OrderIntent buy(double qty) {
  return {"AAPL", wire::Side::kBuy, wire::OrderType::kMarket, qty, 0};
}
OrderIntent sell(double qty) {
  return {"AAPL", wire::Side::kSell, wire::OrderType::kMarket, qty, 0};
}

wire::PositionMsg position(const char* sym, double qty) {
  wire::PositionMsg p{};
  (void)p.symbol.assign(sym);
  p.quantity = qty;
  return p;
}

TEST(Risk, SizesSignalsTowardTarget) {
  RiskEngine r(limits());
  r.on_price("AAPL", 100, 0);
  auto o = r.size_signal("AAPL", 0.5);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->side, wire::Side::kBuy);
  EXPECT_EQ(o->quantity, 50);
  ASSERT_TRUE(r.check(*o, 1).accepted());
  EXPECT_EQ(r.pending("AAPL"), 50);
  EXPECT_FALSE(r.size_signal("AAPL", 0.5)) << "already at target counting pending";
  auto flip = r.size_signal("AAPL", -1.0);
  ASSERT_TRUE(flip);
  EXPECT_EQ(flip->side, wire::Side::kSell);
  EXPECT_EQ(flip->quantity, 150);
  EXPECT_EQ(r.size_signal("AAPL", 7.0)->quantity, 50) << "strength clamps to 1";
  EXPECT_FALSE(r.size_signal("AAPL", NAN));
}

TEST(Risk, LimitOrdersPricedThroughTheMarket) {
  RiskConfig l = limits();
  l.order_type = "limit";
  l.limit_offset_bps = 10;
  RiskEngine r(l);
  r.on_price("AAPL", 200, 0);
  auto o = r.size_signal("AAPL", -0.2);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->type, wire::OrderType::kLimit);
  EXPECT_DOUBLE_EQ(o->limit_price, 199.8);
}

TEST(Risk, EveryCheckHasItsReason) {
  RiskEngine r(limits());
  EXPECT_EQ(r.check(buy(10), 0).reason, RejectReason::kNoMarketData);
  r.on_price("AAPL", 100, 0);
  EXPECT_EQ(r.check(buy(0), 0).reason, RejectReason::kInvalidOrder);
  EXPECT_EQ(r.check({"AAPL", wire::Side::kBuy, wire::OrderType::kLimit, 10, 0}, 0).reason,
            RejectReason::kInvalidOrder);
  EXPECT_EQ(r.check(buy(10), 3 * kSec).reason, RejectReason::kStaleMarketData);
  EXPECT_EQ(r.check(buy(151), 0).reason, RejectReason::kMaxOrderQty);
  r.on_price("AAPL", 150, 0);
  EXPECT_EQ(r.check(buy(140), 0).reason, RejectReason::kMaxOrderNotional);  // 21000
  r.on_price("AAPL", 100, 0);
  EXPECT_EQ(r.check({"AAPL", wire::Side::kBuy, wire::OrderType::kLimit, 10, 106}, 0).reason,
            RejectReason::kPriceBand);
  EXPECT_TRUE(r.check({"AAPL", wire::Side::kBuy, wire::OrderType::kLimit, 10, 104}, 0).accepted());
  EXPECT_EQ(r.check(buy(115), 0).reason, RejectReason::kMaxPosition);  // 10 pending + 115
  r.on_price("MSFT", 250, 0);
  r.on_position(position("MSFT", 100));                                    // 25000 gross
  EXPECT_EQ(r.check(buy(60), 0).reason, RejectReason::kMaxGrossExposure);  // +6000 > 30000
  EXPECT_TRUE(r.check(buy(40), 0).accepted());
  EXPECT_TRUE(r.check(sell(10), 0).accepted());
  EXPECT_EQ(r.check(sell(10), 0).reason, RejectReason::kOrderRate) << "4th order within 1 s";
  EXPECT_TRUE(r.check(sell(10), kSec + 1).accepted()) << "the window moved on";
  const auto& c = r.rejects();
  for (RejectReason reason :
       {RejectReason::kNoMarketData, RejectReason::kStaleMarketData, RejectReason::kMaxOrderQty,
        RejectReason::kMaxOrderNotional, RejectReason::kPriceBand, RejectReason::kMaxPosition,
        RejectReason::kMaxGrossExposure, RejectReason::kOrderRate}) {
    EXPECT_EQ(c[static_cast<std::size_t>(reason)], 1u) << reason_name(reason);
  }
  EXPECT_EQ(c[static_cast<std::size_t>(RejectReason::kInvalidOrder)], 2u);
}

TEST(Risk, TradingStates) {
  RiskEngine r(limits());
  r.on_price("AAPL", 100, 0);
  r.on_position(position("AAPL", 50));
  r.set_state(TradingState::kReducing);
  EXPECT_EQ(r.check(buy(10), 0).reason, RejectReason::kReducingOnly);
  EXPECT_EQ(r.check(sell(60), 0).reason, RejectReason::kReducingOnly) << "would flip to short";
  EXPECT_TRUE(r.check(sell(20), 0).accepted());
  r.set_state(TradingState::kHalted);
  EXPECT_EQ(r.check(sell(10), 0).reason, RejectReason::kTradingHalted);
  r.set_state(TradingState::kActive);
  EXPECT_TRUE(r.check(buy(10), 0).accepted());
}

TEST(Risk, DailyLossBreachHaltsAutomatically) {
  RiskEngine r(limits());
  r.on_price("AAPL", 103, 0);
  r.on_fill("AAPL", 100, 103, 1);   // buy 100 @ 103
  r.on_fill("AAPL", -100, 100, 2);  // sell 100 @ 100: realised -300
  r.on_fill("AAPL", 100, 100, 3);   // buy 100 @ 100
  r.on_price("AAPL", 92, 4);        // unrealised -800 at t=4
  EXPECT_EQ(r.state(), TradingState::kActive);
  EXPECT_DOUBLE_EQ(r.pnl_at(4), -1100);
  EXPECT_EQ(r.check(sell(10), 4).reason, RejectReason::kDailyLoss);
  EXPECT_EQ(r.state(), TradingState::kHalted);
  EXPECT_EQ(r.check(sell(10), 5).reason, RejectReason::kTradingHalted) << "halted stays";
  EXPECT_EQ(reason_name(RejectReason::kDailyLoss), "daily_loss");
}

TEST(Risk, DailyLossStartsAgainAtTheDayBoundary) {
  // A loss on day 1 halts; at the next boundary (market time) the day's P&L starts from the
  // P&L there, the halt ends, and a further loss is measured from that start.
  constexpr std::int64_t kDay = 86'400 * kSec;
  RiskConfig l = limits();
  l.stale_data_ms = 0;
  l.max_orders_per_s = 1000;
  l.day_boundary = "UTC 00:00";
  RiskEngine r(l);
  const std::int64_t t0 = 10 * kDay + 3600 * kSec;  // day 10, 01:00 UTC
  r.on_price("AAPL", 100, t0);
  r.on_fill("AAPL", 100, 100, t0);
  r.on_price("AAPL", 88, t0 + 60 * kSec);  // -1200 on day 10
  EXPECT_EQ(r.check(sell(10), t0 + 60 * kSec).reason, RejectReason::kDailyLoss);
  EXPECT_EQ(r.state(), TradingState::kHalted);
  EXPECT_EQ(r.check(sell(10), t0 + 120 * kSec).reason, RejectReason::kTradingHalted);
  // Day 11: the day starts at -1200; a small further loss is within the limit.
  r.on_price("AAPL", 87, 11 * kDay + 60 * kSec);
  EXPECT_TRUE(r.check(sell(10), 11 * kDay + 60 * kSec).accepted()) << "a new day, a new limit";
  EXPECT_EQ(r.state(), TradingState::kActive);
  EXPECT_EQ(r.day_rolls(), 1u);
  EXPECT_DOUBLE_EQ(r.day_pnl_at(11 * kDay + 60 * kSec), -100.0);
  // An operator's halt does not end with the day.
  r.set_state(TradingState::kHalted);
  r.on_price("AAPL", 87, 12 * kDay + 60 * kSec);
  EXPECT_EQ(r.check(sell(10), 12 * kDay + 60 * kSec).reason, RejectReason::kTradingHalted);
}

TEST(Risk, TradingDayFollowsTheTimeZonesRules) {
  // 17:00 New York is 21:00 UTC in summer (EDT) and 22:00 UTC in winter (EST).
  const auto ny = TradingDay::parse("America/New_York 17:00");
  ASSERT_TRUE(ny.has_value());
  constexpr std::int64_t kJul1 = 1'719'792'000LL * kSec;  // 2024-07-01T00:00:00Z
  constexpr std::int64_t kJan2 = 1'704'153'600LL * kSec;  // 2024-01-02T00:00:00Z
  const auto summer = ny->span_of(kJul1 + 12 * 3600 * kSec);
  EXPECT_EQ(summer.start_ns, kJul1 - 3 * 3600 * kSec);  // 2024-06-30T21:00Z
  EXPECT_EQ(summer.end_ns, kJul1 + 21 * 3600 * kSec);
  const auto winter = ny->span_of(kJan2 + 12 * 3600 * kSec);
  EXPECT_EQ(winter.start_ns, kJan2 - 2 * 3600 * kSec);  // 2024-01-01T22:00Z
  const auto utc = TradingDay::parse("UTC 00:00");
  ASSERT_TRUE(utc.has_value());
  EXPECT_EQ(utc->span_of(kJan2 + 5).start_ns, kJan2);
  std::string why;
  EXPECT_FALSE(TradingDay::parse("Mars/Olympus 17:00", &why));
  EXPECT_NE(why.find("Mars/Olympus"), std::string::npos);
  EXPECT_FALSE(TradingDay::parse("UTC 25:00", &why));
  EXPECT_FALSE(TradingDay::parse("17:00", &why));
}

TEST(Risk, AllowShortFalseMakesANegativeTargetFlat) {
  RiskConfig l = limits();
  l.allow_short = false;
  RiskEngine r(l);
  r.on_price("AAPL", 100, 0);
  EXPECT_FALSE(r.size_signal("AAPL", -1.0).has_value()) << "flat already: nothing to do";
  r.on_position(position("AAPL", 50));
  const auto o = r.size_signal("AAPL", -1.0);
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->side, wire::Side::kSell);
  EXPECT_DOUBLE_EQ(o->quantity, 50) << "to flat, not short";
}

TEST(Risk, PnlIsTakenInEventTime) {
  // A fill made after the decision time and prices seen after it do not count toward the
  // loss at that time, whatever order they were reported in: the same decision at any
  // replay speed.
  RiskConfig l = limits();
  l.stale_data_ms = 0;
  RiskEngine r(l);
  r.on_price("AAPL", 100, 10 * kSec);
  r.on_fill("AAPL", 100, 100, 10 * kSec);
  r.on_price("AAPL", 80, 20 * kSec);          // seen early, happens later
  r.on_fill("AAPL", -100, 80, 20 * kSec);     // a realised -2000, later
  r.on_fill("AAPL", 50, 100, 10 * kSec + 1);  // reported late, happened before 15 s
  EXPECT_DOUBLE_EQ(r.pnl_at(15 * kSec), 0.0) << "marked at 100, the price at 15 s";
  EXPECT_TRUE(r.check(sell(10), 15 * kSec).accepted());
  EXPECT_DOUBLE_EQ(r.pnl_at(20 * kSec), -3000.0) << "150 @ 100 marked at 80; 100 sold at 80";
  EXPECT_EQ(r.check(sell(10), 20 * kSec).reason, RejectReason::kDailyLoss);
}

TEST(Risk, DecidesOnThePriceAtTheSignalTime) {
  RiskConfig l = limits();
  l.order_type = "limit";
  l.limit_offset_bps = 10;
  RiskEngine r(l);
  r.on_price("AAPL", 100, 1 * kSec);
  r.on_price("AAPL", 200, 3 * kSec);  // a later bar that reached risk first
  EXPECT_DOUBLE_EQ(r.size_signal("AAPL", 0.5, 2 * kSec)->limit_price, 100.1);
  EXPECT_EQ(r.check(buy(10), 2 * kSec).reference_price, 100.0);
  EXPECT_EQ(r.check(buy(10), 0).reason, RejectReason::kNoMarketData) << "nothing before 1 s";
  EXPECT_EQ(r.check(buy(10), 3 * kSec).reference_price, 200.0);
}

TEST(Risk, RestartedRiskStartsFromExecutionsPositions) {
  // A restarted risk has booked no fill: execution's snapshot gives it the position (sizing)
  // and the holding its P&L starts from.
  RiskConfig l = limits();
  l.stale_data_ms = 0;
  RiskEngine r(l);
  wire::PositionMsg p = position("AAPL", 100);
  p.avg_price = 100;
  p.realized_pnl = -900;
  r.on_position_snapshot(p);
  r.on_price("AAPL", 99, 5);
  EXPECT_EQ(r.position("AAPL"), 100);
  EXPECT_DOUBLE_EQ(r.pnl_at(5), -1000);
  EXPECT_FALSE(r.size_signal("AAPL", 1.0)) << "already at the target of +100";
  EXPECT_EQ(r.size_signal("AAPL", -1.0)->quantity, 200);
  r.on_fill("AAPL", -100, 99, 6);
  p.quantity = 0;
  r.on_position_snapshot(p);  // booked from fills now: the snapshot no longer resets it
  EXPECT_DOUBLE_EQ(r.pnl_at(6), -1000);
}

// Across blocks and after wrapping round, first_after (galloping back from the newest point)
// and at (binary search) agree with a plain scan of what is kept.
TEST(PriceHistory, SearchesAgreeWithAScanAcrossBlocksAndWraps) {
  PriceHistory h(5000, 0);  // more than one block; allocated as it grows
  std::vector<PriceHistory::Point> all;
  for (std::int64_t i = 0; i < 12000; ++i) {
    const std::int64_t ts = i * 10 + (i % 3 == 0 ? 0 : 5);
    h.record(ts, static_cast<double>(i));
    all.push_back({ts, static_cast<double>(i)});
    if (i % 997 != 0 && i < 11990) continue;
    const std::size_t kept = std::min<std::size_t>(all.size(), 5000);
    ASSERT_EQ(h.size(), kept);
    const std::size_t first = all.size() - kept;
    for (std::int64_t q = all[first].ts_ns - 3; q <= all.back().ts_ns + 3; q += 7) {
      std::size_t expect = 0;
      while (expect < kept && all[first + expect].ts_ns <= q) ++expect;
      ASSERT_EQ(h.first_after(q), expect) << "i=" << i << " q=" << q;
      const auto at = h.at(q);
      if (expect == 0) {
        EXPECT_EQ(at.has_value(), h.full());  // before the oldest kept: the oldest if dropped
      } else {
        ASSERT_TRUE(at);
        EXPECT_EQ(at->price, all[first + expect - 1].price);
      }
    }
  }
}

TEST(PriceHistory, LastPriceAtOrBeforeATime) {
  PriceHistory h(4);
  EXPECT_FALSE(h.at(5));
  h.record(10, 1.0);
  h.record(20, 2.0);
  h.record(15, 3.0);  // out of order: kept at the newest time
  EXPECT_FALSE(h.at(9));
  EXPECT_EQ(h.at(10)->price, 1.0);
  EXPECT_EQ(h.at(19)->price, 1.0);
  EXPECT_EQ(h.at(20)->price, 3.0);
  h.record(30, 4.0);
  h.record(40, 5.0);  // the ring drops the price at 10
  bool overrun = false;
  EXPECT_EQ(h.at(25, &overrun)->price, 3.0);
  EXPECT_FALSE(overrun);
  EXPECT_EQ(h.at(12, &overrun)->price, 2.0) << "older than kept: the oldest, flagged";
  EXPECT_TRUE(overrun);
  EXPECT_EQ(h.latest()->price, 5.0);
}

// P&L and exposure are running totals over the symbols that hold something (not a sum over
// every symbol per check): across many symbols, fills that open, flip and close positions, and
// snapshots, they equal a brute-force sum at every decision time.
TEST(RiskEngine, RunningTotalsEqualTheSumOverEverySymbol) {
  RiskConfig l = limits();
  RiskEngine e(l);
  constexpr int kSymbols = 40;
  std::vector<std::string> names;
  std::vector<Holding> reference(kSymbols);
  std::vector<double> price(kSymbols, 0), quantity(kSymbols, 0), pending(kSymbols, 0);
  for (int i = 0; i < kSymbols; ++i) {
    char name[8];
    std::snprintf(name, sizeof(name), "S%d", i);  // (GCC 12 warns falsely on "S" + string)
    names.emplace_back(name);
  }
  std::uint64_t x = 12345;
  auto next = [&](int n) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<int>((x >> 33) % static_cast<std::uint64_t>(n));
  };
  for (std::int64_t t = 1; t <= 3000; ++t) {
    const int i = next(kSymbols);
    price[i] = 50.0 + next(100);
    e.on_price(names[i], price[i], t * kSec);
    if (next(3) == 0) {  // a fill of -3..3 lots, some flipping or closing the position
      const double qty = 10.0 * (next(7) - 3);
      if (qty != 0) {
        e.add_pending(names[i], qty);
        e.on_fill(names[i], qty, price[i], t * kSec);
        reference[i].apply_fill(qty, price[i]);
        quantity[i] += qty;
      }
    }
    if (next(5) == 0) {  // an order sent, not filled
      const double qty = 10.0 * (next(3) - 1);
      e.add_pending(names[i], qty);
      pending[i] += qty;
    }
    double pnl = 0, gross = 0;
    for (int k = 0; k < kSymbols; ++k) {
      pnl += reference[k].realized + (quantity[k] != 0 ? reference[k].unrealized(price[k]) : 0.0);
      gross += std::fabs((quantity[k] + pending[k]) * price[k]);
    }
    ASSERT_NEAR(e.pnl_at(t * kSec), pnl, 1e-6 * (1 + std::fabs(pnl))) << "t=" << t;
    ASSERT_NEAR(e.gross_exposure(t * kSec), gross, 1e-6 * (1 + gross)) << "t=" << t;
  }
}

}  // namespace
}  // namespace ztrade::risk
