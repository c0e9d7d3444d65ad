// The hot path allocates nothing: counts global operator new calls while indicators and a
// FeatureComputer process bars. Its own executable, because it replaces operator new.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>

#include "allocation_counter.hpp"
#include "features/atr.hpp"
#include "features/bollinger.hpp"
#include "features/feature_computer.hpp"
#include "features/obv.hpp"
#include "features/rolling_stddev.hpp"
#include "features/stochastic.hpp"
#include "features/vwap.hpp"
#include "series.hpp"

namespace ztrade {
namespace {

TEST(Allocation, NoneWhileUpdatingOrPeeking) {
  const auto bars = test::random_walk(5000, 61);
  FeatureComputer fc;
  Bollinger bb(20);
  Stochastic stoch(14, 3, 3);
  Atr atr(14);
  Obv obv;
  Vwap vwap;
  RollingStdDev sd(20);
  FeatureRow row{};
  double sink = 0;
  const long before = test::allocations();
  for (const Bar& b : bars) {
    sink += fc.peek(b)[1];
    ASSERT_TRUE(fc.try_update(b, row));
    sink += row[2] + bb.update(b.close).upper + stoch.update(b.high, b.low, b.close).k +
            stoch.peek(b.high, b.low, b.close).d + atr.update(b.high, b.low, b.close) +
            obv.update(b.close, b.volume) + vwap.update(b) + sd.update(b.close) +
            bb.peek(b.close).lower;
  }
  EXPECT_EQ(test::allocations() - before, 0) << "allocations on the update path";
  volatile double observed = sink;  // keeps the work from being optimised away
  (void)observed;
}

}  // namespace
}  // namespace ztrade
