// Edge cases for every indicator: parameter and input validation, peek/update agreement,
// reset, flat prices, zero volume, period 1, short series, extreme price levels and gaps.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <stdexcept>

#include "features/atr.hpp"
#include "features/bollinger.hpp"
#include "features/ema.hpp"
#include "features/log_return.hpp"
#include "features/macd.hpp"
#include "features/obv.hpp"
#include "features/rolling_extreme.hpp"
#include "features/rolling_stddev.hpp"
#include "features/rsi.hpp"
#include "features/sma.hpp"
#include "features/stochastic.hpp"
#include "features/vwap.hpp"
#include "series.hpp"

namespace ztrade {
namespace {

using test::same;
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(Parameters, RejectedAtConstruction) {
  EXPECT_THROW(Sma(0), std::invalid_argument);
  EXPECT_THROW(Ema(-3), std::invalid_argument);
  EXPECT_THROW(Rsi(0), std::invalid_argument);
  EXPECT_THROW(Atr(0), std::invalid_argument);
  EXPECT_THROW(RollingStdDev(0), std::invalid_argument);
  EXPECT_THROW(Bollinger(0), std::invalid_argument);
  EXPECT_THROW(Bollinger(20, NAN, 2.0), std::invalid_argument);
  EXPECT_THROW(Bollinger(20, 2.0, kInf), std::invalid_argument);
  EXPECT_THROW(Macd(12, 12, 9), std::invalid_argument);
  EXPECT_THROW(Macd(26, 12, 9), std::invalid_argument);
  EXPECT_THROW(Macd(0, 26, 9), std::invalid_argument);
  EXPECT_THROW(Macd(12, 26, 0), std::invalid_argument);
  EXPECT_THROW(Stochastic(0, 3, 3), std::invalid_argument);
  EXPECT_THROW(Stochastic(14, 0, 3), std::invalid_argument);
  EXPECT_THROW(Stochastic(14, 3, 0), std::invalid_argument);
  EXPECT_THROW(Vwap(-1), std::invalid_argument);
}

TEST(Parameters, ErrorNamesTheParameter) {
  try {
    Macd(26, 12, 9);
    FAIL() << "expected a throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("fast period must be < slow period"), std::string::npos)
        << e.what();
  }
  try {
    Rsi(0);
    FAIL() << "expected a throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("RSI period"), std::string::npos) << e.what();
  }
}

// Feeds `bars` to a fresh indicator and to one that also receives a NaN and an inf (which must
// throw) halfway through; both must produce identical outputs.
template <class Make, class Update, class Bad>
void expect_bad_input_leaves_state(Make make, Update update, Bad bad) {
  auto bars = test::random_walk(200, 7);
  auto clean = make();
  auto probed = make();
  for (std::size_t i = 0; i < bars.size(); ++i) {
    if (i == 100) {
      EXPECT_THROW(bad(probed, NAN), std::invalid_argument);
      EXPECT_THROW(bad(probed, kInf), std::invalid_argument);
      EXPECT_THROW(bad(probed, -kInf), std::invalid_argument);
    }
    const auto a = update(clean, bars[i]);
    const auto b = update(probed, bars[i]);
    ASSERT_TRUE(same(a, b)) << "bar " << i;
  }
}

TEST(Input, NonFiniteRejectedAndStateUnchanged) {
  expect_bad_input_leaves_state([] { return Sma(20); },
                                [](Sma& s, const Bar& b) { return s.update(b.close); },
                                [](Sma& s, double x) { s.update(x); });
  expect_bad_input_leaves_state([] { return Ema(12); },
                                [](Ema& s, const Bar& b) { return s.update(b.close); },
                                [](Ema& s, double x) { s.update(x); });
  expect_bad_input_leaves_state([] { return Rsi(14); },
                                [](Rsi& s, const Bar& b) { return s.update(b.close); },
                                [](Rsi& s, double x) { s.update(x); });
  expect_bad_input_leaves_state([] { return Macd(12, 26, 9); },
                                [](Macd& s, const Bar& b) { return s.update(b.close).hist; },
                                [](Macd& s, double x) { s.update(x); });
  expect_bad_input_leaves_state([] { return Bollinger(20); },
                                [](Bollinger& s, const Bar& b) { return s.update(b.close).upper; },
                                [](Bollinger& s, double x) { s.update(x); });
  expect_bad_input_leaves_state([] { return RollingStdDev(20); },
                                [](RollingStdDev& s, const Bar& b) { return s.update(b.close); },
                                [](RollingStdDev& s, double x) { s.update(x); });
  expect_bad_input_leaves_state(
      [] { return Atr(14); }, [](Atr& s, const Bar& b) { return s.update(b.high, b.low, b.close); },
      [](Atr& s, double x) { s.update(100.0, x, 100.0); });
  expect_bad_input_leaves_state(
      [] { return Stochastic(14, 3, 3); },
      [](Stochastic& s, const Bar& b) { return s.update(b.high, b.low, b.close).d; },
      [](Stochastic& s, double x) { s.update(x, 99.0, 100.0); });
  expect_bad_input_leaves_state([] { return Obv(); },
                                [](Obv& s, const Bar& b) { return s.update(b.close, b.volume); },
                                [](Obv& s, double x) { s.update(100.0, x); });
  expect_bad_input_leaves_state([] { return Vwap(); },
                                [](Vwap& s, const Bar& b) { return s.update(b); },
                                [](Vwap& s, double x) { s.update(x, 10.0); });
  expect_bad_input_leaves_state([] { return LogReturn(); },
                                [](LogReturn& s, const Bar& b) { return s.update(b.close); },
                                [](LogReturn& s, double x) { s.update(x); });
}

TEST(Input, NegativeVolumeAndNonPositivePriceRejected) {
  Vwap vwap;
  EXPECT_THROW(vwap.update(100.0, -1.0), std::invalid_argument);
  LogReturn lr;
  EXPECT_THROW(lr.update(0.0), std::invalid_argument);
  EXPECT_THROW(lr.update(-5.0), std::invalid_argument);
}

// peek(x) must return exactly what update(x) then returns, and must not change the state
// (peeking twice, or peeking a different value first, changes nothing).
template <class Make, class Peek, class Update>
void expect_peek_matches_update(Make make, Peek peek, Update update) {
  auto bars = test::random_walk(300, 11);
  auto ind = make();
  for (std::size_t i = 0; i < bars.size(); ++i) {
    Bar other = bars[i];
    other.close *= 1.01;
    other.high *= 1.02;
    (void)peek(ind, other);
    const auto p = peek(ind, bars[i]);
    const auto u = update(ind, bars[i]);
    ASSERT_TRUE(same(p, u)) << "bar " << i << " peek " << p << " update " << u;
  }
}

TEST(Peek, EqualsUpdateWithoutChangingState) {
  expect_peek_matches_update([] { return Sma(20); },
                             [](const Sma& s, const Bar& b) { return s.peek(b.close); },
                             [](Sma& s, const Bar& b) { return s.update(b.close); });
  expect_peek_matches_update([] { return Ema(12); },
                             [](const Ema& s, const Bar& b) { return s.peek(b.close); },
                             [](Ema& s, const Bar& b) { return s.update(b.close); });
  expect_peek_matches_update([] { return Rsi(14); },
                             [](const Rsi& s, const Bar& b) { return s.peek(b.close); },
                             [](Rsi& s, const Bar& b) { return s.update(b.close); });
  expect_peek_matches_update([] { return Macd(12, 26, 9); },
                             [](const Macd& s, const Bar& b) { return s.peek(b.close).signal; },
                             [](Macd& s, const Bar& b) { return s.update(b.close).signal; });
  expect_peek_matches_update([] { return Bollinger(20); },
                             [](const Bollinger& s, const Bar& b) { return s.peek(b.close).lower; },
                             [](Bollinger& s, const Bar& b) { return s.update(b.close).lower; });
  expect_peek_matches_update([] { return RollingStdDev(10); },
                             [](const RollingStdDev& s, const Bar& b) { return s.peek(b.close); },
                             [](RollingStdDev& s, const Bar& b) { return s.update(b.close); });
  expect_peek_matches_update(
      [] { return Atr(14); },
      [](const Atr& s, const Bar& b) { return s.peek(b.high, b.low, b.close); },
      [](Atr& s, const Bar& b) { return s.update(b.high, b.low, b.close); });
  expect_peek_matches_update(
      [] { return Stochastic(14, 3, 3); },
      [](const Stochastic& s, const Bar& b) { return s.peek(b.high, b.low, b.close).k; },
      [](Stochastic& s, const Bar& b) { return s.update(b.high, b.low, b.close).k; });
  expect_peek_matches_update(
      [] { return Stochastic(5, 1, 1); },
      [](const Stochastic& s, const Bar& b) { return s.peek(b.high, b.low, b.close).d; },
      [](Stochastic& s, const Bar& b) { return s.update(b.high, b.low, b.close).d; });
  expect_peek_matches_update([] { return Obv(); },
                             [](const Obv& s, const Bar& b) { return s.peek(b.close, b.volume); },
                             [](Obv& s, const Bar& b) { return s.update(b.close, b.volume); });
  expect_peek_matches_update(
      [] { return Vwap(); },
      [](const Vwap& s, const Bar& b) { return s.peek(b.close, b.volume, b.ts_ns); },
      [](Vwap& s, const Bar& b) { return s.update(b.close, b.volume, b.ts_ns); });
  expect_peek_matches_update([] { return LogReturn(); },
                             [](const LogReturn& s, const Bar& b) { return s.peek(b.close); },
                             [](LogReturn& s, const Bar& b) { return s.update(b.close); });
}

TEST(Reset, BehavesLikeAFreshInstance) {
  auto bars = test::random_walk(120, 3);
  Macd macd(12, 26, 9);
  Stochastic stoch(14, 3, 3);
  Bollinger bb(20);
  for (const Bar& b : bars) {
    macd.update(b.close);
    stoch.update(b.high, b.low, b.close);
    bb.update(b.close);
  }
  macd.reset();
  stoch.reset();
  bb.reset();
  Macd fresh_macd(12, 26, 9);
  Stochastic fresh_stoch(14, 3, 3);
  Bollinger fresh_bb(20);
  for (const Bar& b : bars) {
    ASSERT_TRUE(same(macd.update(b.close).hist, fresh_macd.update(b.close).hist));
    ASSERT_TRUE(
        same(stoch.update(b.high, b.low, b.close).d, fresh_stoch.update(b.high, b.low, b.close).d));
    ASSERT_TRUE(same(bb.update(b.close).upper, fresh_bb.update(b.close).upper));
  }
}

TEST(Lookback, FirstValueBarsMatchTaLib) {
  auto bars = test::random_walk(100, 5);
  auto first_value = [&](auto&& f) {
    for (std::size_t i = 0; i < bars.size(); ++i)
      if (!std::isnan(f(bars[i]))) return static_cast<int>(i);
    return -1;
  };
  Sma sma(20);
  Ema ema(12);
  Rsi rsi(14);
  Macd macd(12, 26, 9);
  Bollinger bb(20);
  Atr atr(14);
  Obv obv;
  Stochastic stoch(14, 3, 3);
  TrueRange tr;
  EXPECT_EQ(first_value([&](const Bar& b) { return sma.update(b.close); }), 19);
  EXPECT_EQ(first_value([&](const Bar& b) { return ema.update(b.close); }), 11);
  EXPECT_EQ(first_value([&](const Bar& b) { return rsi.update(b.close); }), 14);
  EXPECT_EQ(first_value([&](const Bar& b) { return macd.update(b.close).line; }), 33);
  EXPECT_EQ(first_value([&](const Bar& b) { return bb.update(b.close).middle; }), 19);
  EXPECT_EQ(first_value([&](const Bar& b) { return atr.update(b.high, b.low, b.close); }), 14);
  EXPECT_EQ(first_value([&](const Bar& b) { return obv.update(b.close, b.volume); }), 0);
  EXPECT_EQ(first_value([&](const Bar& b) { return stoch.update(b.high, b.low, b.close).k; }), 17);
  EXPECT_EQ(first_value([&](const Bar& b) { return tr.update(b.high, b.low, b.close); }), 1);
  EXPECT_EQ(Sma(20).lookback(), 19);
  EXPECT_EQ(Macd(12, 26, 9).lookback(), 33);
  EXPECT_EQ(Stochastic(14, 3, 3).lookback(), 17);
}

TEST(ShortSeries, AllNaNAndNotReady) {
  auto bars = test::random_walk(10, 9);
  Sma sma(20);
  Rsi rsi(14);
  Macd macd(12, 26, 9);
  Atr atr(14);
  Stochastic stoch(14, 3, 3);
  for (const Bar& b : bars) {
    EXPECT_TRUE(std::isnan(sma.update(b.close)));
    EXPECT_TRUE(std::isnan(rsi.update(b.close)));
    EXPECT_TRUE(std::isnan(macd.update(b.close).line));
    EXPECT_TRUE(std::isnan(atr.update(b.high, b.low, b.close)));
    EXPECT_TRUE(std::isnan(stoch.update(b.high, b.low, b.close).k));
  }
  EXPECT_FALSE(sma.ready() || rsi.ready() || macd.ready() || atr.ready() || stoch.ready());
}

TEST(FlatPrices, TaLibConventions) {
  Rsi rsi(14);
  Stochastic stoch(14, 3, 3);
  RollingStdDev sd(20);
  Bollinger bb(20);
  Atr atr(14);
  Sma sma(20);
  for (int i = 0; i < 60; ++i) {
    const double r = rsi.update(50.0);
    const StochValue s = stoch.update(50.0, 50.0, 50.0);
    const double d = sd.update(50.0);
    const BollingerValue b = bb.update(50.0);
    const double a = atr.update(50.0, 50.0, 50.0);
    const double m = sma.update(50.0);
    if (i >= 14) {
      EXPECT_EQ(r, 0.0) << "flat RSI is 0 in TA-Lib, not 50";
      EXPECT_EQ(a, 0.0);
    }
    if (i >= 17) {
      EXPECT_EQ(s.k, 0.0) << "flat stochastic is 0 in TA-Lib";
    }
    if (i >= 19) {
      EXPECT_EQ(d, 0.0);
      EXPECT_EQ(b.upper, b.middle);
      EXPECT_EQ(b.lower, b.middle);
      EXPECT_EQ(m, 50.0);
    }
  }
}

TEST(FlatPrices, RsiAfterOnlyGainsIs100) {
  Rsi rsi(14);
  double last = NAN;
  for (int i = 0; i < 30; ++i) last = rsi.update(100.0 + i);
  EXPECT_EQ(last, 100.0);
}

TEST(ZeroVolume, ObvConstantVwapUndefined) {
  Obv obv;
  Vwap vwap;
  auto bars = test::random_walk(50, 13);
  for (const Bar& b : bars) {
    EXPECT_EQ(obv.update(b.close, 0.0), 0.0);
    EXPECT_TRUE(std::isnan(vwap.update(b.close, 0.0)));
  }
  EXPECT_FALSE(vwap.ready());
  EXPECT_DOUBLE_EQ(vwap.update(101.0, 5.0), 101.0);
}

TEST(PeriodOne, Degenerates) {
  Sma sma(1);
  Rsi rsi(1);
  Stochastic stoch(1, 1, 1);
  Atr atr(1);
  TrueRange tr;
  auto bars = test::random_walk(50, 21);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    EXPECT_EQ(sma.update(b.close), b.close);
    const double r = rsi.update(b.close);
    if (i > 0) {
      const double change = b.close - bars[i - 1].close;
      EXPECT_EQ(r, change > 0 ? 100.0 : 0.0);
    }
    const StochValue s = stoch.update(b.high, b.low, b.close);
    EXPECT_EQ(s.k, (b.close - b.low) / ((b.high - b.low) / 100.0));
    EXPECT_TRUE(same(atr.update(b.high, b.low, b.close), tr.update(b.high, b.low, b.close))) << i;
  }
}

TEST(Gaps, TrueRangeSpansTheGap) {
  TrueRange tr;
  EXPECT_TRUE(std::isnan(tr.update(101.0, 99.0, 100.0)));
  EXPECT_EQ(tr.update(121.0, 119.0, 120.0), 21.0);  // gap up: |prev close - high|
  EXPECT_EQ(tr.update(81.0, 79.0, 80.0), 41.0);     // gap down: |prev close - low|
  EXPECT_EQ(tr.update(90.0, 70.0, 85.0), 20.0);     // inside: high - low
}

// Scale-free indicators must give the same reading at price 0.5 and 50,000 as at 100; linear
// ones must scale. Checks numerical soundness across price levels.
TEST(PriceLevels, ScaleInvarianceAcrossLevels) {
  auto base = test::random_walk(2000, 17, 100.0);
  for (double scale : {0.005, 500.0}) {
    Rsi rsi_a(14), rsi_b(14);
    Stochastic st_a(14, 3, 3), st_b(14, 3, 3);
    Ema ema_a(26), ema_b(26);
    Bollinger bb_a(20), bb_b(20);
    for (const Bar& b : base) {
      const double r1 = rsi_a.update(b.close), r2 = rsi_b.update(b.close * scale);
      const double k1 = st_a.update(b.high, b.low, b.close).k;
      const double k2 = st_b.update(b.high * scale, b.low * scale, b.close * scale).k;
      const double e1 = ema_a.update(b.close), e2 = ema_b.update(b.close * scale);
      const double u1 = bb_a.update(b.close).upper, u2 = bb_b.update(b.close * scale).upper;
      if (std::isnan(r1)) {
        EXPECT_TRUE(std::isnan(r2));
      } else {
        EXPECT_NEAR(r1, r2, 1e-8) << "scale " << scale;
      }
      if (!std::isnan(k1)) {
        EXPECT_NEAR(k1, k2, 1e-8) << "scale " << scale;
      }
      if (!std::isnan(e1)) {
        EXPECT_NEAR(e1 * scale, e2, 1e-12 * std::fabs(e2));
      }
      if (!std::isnan(u1)) {
        EXPECT_NEAR(u1 * scale, u2, 1e-9 * std::fabs(u2));
      }
    }
  }
}

TEST(RollingExtreme, MatchesBruteForce) {
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<int> coarse(0, 20);  // many ties
  for (int n : {1, 2, 3, 14, 50}) {
    detail::RollingMax hi(n);
    detail::RollingMin lo(n);
    std::deque<double> window;
    for (int i = 0; i < 2000; ++i) {
      const double x = coarse(rng);
      const double next = coarse(rng);
      std::deque<double> after = window;
      after.push_back(next);
      if (static_cast<int>(after.size()) > n) after.pop_front();
      window.push_back(x);
      if (static_cast<int>(window.size()) > n) window.pop_front();
      hi.push(x);
      lo.push(x);
      ASSERT_EQ(hi.best(), *std::max_element(window.begin(), window.end())) << n << " " << i;
      ASSERT_EQ(lo.best(), *std::min_element(window.begin(), window.end())) << n << " " << i;
      std::deque<double> peeked = window;
      peeked.push_back(next);
      if (static_cast<int>(peeked.size()) > n) peeked.pop_front();
      ASSERT_EQ(hi.best_after(next), *std::max_element(peeked.begin(), peeked.end()));
      ASSERT_EQ(lo.best_after(next), *std::min_element(peeked.begin(), peeked.end()));
    }
  }
}

TEST(Vwap, MatchesExactReferenceAndAnchorsPerSession) {
  constexpr std::int64_t kDay = 86'400'000'000'000;
  Vwap vwap(kDay);
  auto bars = test::random_walk(3000, 23, 50000.0);
  long double pv = 0, v = 0;
  std::int64_t day = -1;
  for (Bar b : bars) {
    b.ts_ns *= 5;  // 5-minute spacing: the series spans ~10 days
    if (b.ts_ns / kDay != day) {
      day = b.ts_ns / kDay;
      pv = v = 0;
    }
    const double tp = Vwap::typical_price(b);
    pv += static_cast<long double>(tp * b.volume);
    v += b.volume;
    const double ours = vwap.update(b);
    if (v == 0) {
      EXPECT_TRUE(std::isnan(ours));
    } else {
      const double ref = static_cast<double>(pv / v);
      EXPECT_NEAR(ours, ref, 1e-12 * ref);
    }
  }
  vwap.reset();
  EXPECT_TRUE(std::isnan(vwap.value()));
}

// A window that has turned flat reads exactly 0 at any price level; TA-Lib 0.6's raw running
// sums left ~1e-6 there (sqrt of cancellation noise). Near-flat windows keep their true value.
TEST(StdDev, FlatAndNearFlatWindowsAtAnyPriceLevel) {
  for (double level : {0.5, 86.179, 50000.0, 3.2e-5}) {
    RollingStdDev sd(2);
    Bollinger bb(2, 2.0, 2.0);
    const double xs[] = {level * 1.1618, level, level, level, level * (1 + 1e-9)};
    double got[5];
    for (int i = 0; i < 5; ++i) {
      got[i] = sd.update(xs[i]);
      bb.update(xs[i]);
    }
    EXPECT_EQ(got[2], 0.0) << level;
    EXPECT_EQ(got[3], 0.0) << level;
    const double truth = std::fabs(xs[4] - xs[3]) / 2;
    EXPECT_NEAR(got[4], truth, 1e-6 * truth) << level;
  }
}

// After a gap the shift can equal the flat value exactly, leaving only the residue of departed
// values in the sums; that must still read 0.
TEST(StdDev, FlatAfterGapReadsZero) {
  RollingStdDev sd(17);
  double last = -1;
  for (int i = 0; i < 40; ++i) last = sd.update(i < 10 ? 4.4 + 0.01 * i : 5.11251);
  for (int i = 0; i < 40; ++i) {
    last = sd.update(5.11251);
    ASSERT_EQ(last, 0.0) << i;
  }
}

TEST(StdDev, MatchesTwoPassOverLongNoisySeries) {
  for (double level : {0.5, 100.0, 50000.0}) {
    auto bars = test::random_walk(20000, 71, level, 0.0005);
    RollingStdDev sd(20);
    std::deque<double> w;
    for (std::size_t i = 0; i < bars.size(); ++i) {
      const double x = bars[i].close;
      w.push_back(x);
      if (w.size() > 20) w.pop_front();
      const double got = sd.update(x);
      if (w.size() < 20) continue;
      double mean = 0;
      for (double v : w) mean += v;
      mean /= 20;
      double ss = 0;
      for (double v : w) ss += (v - mean) * (v - mean);
      const double truth = std::sqrt(ss / 20);
      ASSERT_NEAR(got, truth, 1e-9 * truth + 1e-12 * level) << level << " bar " << i;
    }
  }
}

TEST(LogReturn, Values) {
  LogReturn lr;
  EXPECT_TRUE(std::isnan(lr.update(100.0)));
  EXPECT_DOUBLE_EQ(lr.update(110.0), std::log(1.1));
  EXPECT_DOUBLE_EQ(lr.update(99.0), std::log(99.0 / 110.0));
}

}  // namespace
}  // namespace ztrade
