// Risk: sizing from signals, every pre-trade check with its reason code, trading states, the
// automatic halt on a daily-loss breach, and the order-rate window.
#include "risk/risk_engine.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace ztrade::risk {
namespace {

constexpr std::int64_t kSec = 1'000'000'000;

RiskLimits limits() {
  RiskLimits l;
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

wire::PositionMsg position(const char* sym, double qty, double avg, double realized,
                           double unrealized) {
  wire::PositionMsg p{};
  p.symbol.assign(sym);
  p.quantity = qty;
  p.avg_price = avg;
  p.realized_pnl = realized;
  p.unrealized_pnl = unrealized;
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
  RiskLimits l = limits();
  l.limit_orders = true;
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
  r.on_position(position("MSFT", 100, 250, 0, 0));                         // 25000 gross
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
  r.on_position(position("AAPL", 50, 100, 0, 0));
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
  r.on_price("AAPL", 100, 0);
  r.on_position(position("AAPL", 100, 100, -300, 0));
  EXPECT_EQ(r.state(), TradingState::kActive);
  r.on_price("AAPL", 92, 0);  // unrealised -800, total -1100
  EXPECT_DOUBLE_EQ(r.total_pnl(), -1100);
  EXPECT_EQ(r.check(sell(10), 0).reason, RejectReason::kDailyLoss);
  EXPECT_EQ(r.state(), TradingState::kHalted);
  RiskEngine r2(limits());
  r2.on_position(position("AAPL", 0, 0, -1200, 0));
  EXPECT_EQ(r2.state(), TradingState::kHalted) << "a position update showing the breach halts";
  EXPECT_EQ(reason_name(RejectReason::kDailyLoss), "daily_loss");
}

}  // namespace
}  // namespace ztrade::risk
