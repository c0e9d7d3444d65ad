// Every indicator against TA-Lib 0.6.4's output for the shared 5,000-bar sample
// (tests/data/talib, see docs/indicators.md). The tolerance is
// |a-b| <= 1e-9 + 1e-12*|ref| (Bollinger: 1e-9 + 1e-11*price). Except for the Bollinger
// deviation (numerically stable by design, see rolling_stddev.hpp), the implementation follows
// TA-Lib's operation order, so we also hold it to bit-exactness.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>

#include "features/atr.hpp"
#include "features/bollinger.hpp"
#include "features/ema.hpp"
#include "features/macd.hpp"
#include "features/obv.hpp"
#include "features/rsi.hpp"
#include "features/sma.hpp"
#include "features/stochastic.hpp"
#include "test_data.hpp"

namespace ztrade {
namespace {

class Conformance : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sample_ = new test::Table(test::read_csv(test::data_path("talib/sample.csv")));
    ref_ = new test::Table(test::read_csv(test::data_path("talib/sample_ref.csv")));
  }
  static void TearDownTestSuite() {
    delete sample_;
    delete ref_;
  }

  // Compares one computed column with the reference column: NaN exactly where TA-Lib has no
  // value, within tolerance (and bit-exact) elsewhere.
  static void expect_column(const std::string& name, const std::vector<double>& ours,
                            double rel_tol = 1e-12, bool relative_to_price = false,
                            bool bit_exact = true) {
    const auto& ref = (*ref_)[name];
    const auto& close = (*sample_)["close"];
    ASSERT_EQ(ours.size(), ref.size()) << name;
    std::size_t inexact = 0;
    double worst = 0.0;
    for (std::size_t i = 0; i < ref.size(); ++i) {
      if (std::isnan(ref[i])) {
        EXPECT_TRUE(std::isnan(ours[i]))
            << name << " bar " << i << " should be NaN, got " << ours[i];
        continue;
      }
      const double scale = relative_to_price ? std::fabs(close[i]) : std::fabs(ref[i]);
      const double diff = std::fabs(ours[i] - ref[i]);
      worst = std::max(worst, diff);
      EXPECT_LE(diff, 1e-9 + rel_tol * scale) << name << " bar " << i;
      if (ours[i] != ref[i]) ++inexact;
    }
    if (bit_exact) {
      EXPECT_EQ(inexact, 0u) << name << ": " << inexact << " bars not bit-exact, worst |diff| "
                             << worst;
    }
  }

  static std::vector<double> map_close(const std::function<double(double)>& f) {
    const auto& close = (*sample_)["close"];
    std::vector<double> out;
    out.reserve(close.size());
    for (double c : close) out.push_back(f(c));
    return out;
  }

  static test::Table* sample_;
  static test::Table* ref_;
};

test::Table* Conformance::sample_ = nullptr;
test::Table* Conformance::ref_ = nullptr;

TEST_F(Conformance, Sma20) {
  Sma sma(20);
  expect_column("sma20", map_close([&](double c) { return sma.update(c); }));
}

TEST_F(Conformance, Ema12And26) {
  Ema ema12(12), ema26(26);
  expect_column("ema12", map_close([&](double c) { return ema12.update(c); }));
  expect_column("ema26", map_close([&](double c) { return ema26.update(c); }));
}

TEST_F(Conformance, Rsi14) {
  Rsi rsi(14);
  expect_column("rsi14", map_close([&](double c) { return rsi.update(c); }));
}

TEST_F(Conformance, Macd12_26_9) {
  Macd macd(12, 26, 9);
  std::vector<double> line, signal, hist;
  for (double c : (*sample_)["close"]) {
    const MacdValue v = macd.update(c);
    line.push_back(v.line);
    signal.push_back(v.signal);
    hist.push_back(v.hist);
  }
  expect_column("macd", line);
  expect_column("macd_signal", signal);
  expect_column("macd_hist", hist);
}

TEST_F(Conformance, Bollinger20_2) {
  Bollinger bb(20, 2.0, 2.0);
  std::vector<double> upper, middle, lower;
  for (double c : (*sample_)["close"]) {
    const BollingerValue v = bb.update(c);
    upper.push_back(v.upper);
    middle.push_back(v.middle);
    lower.push_back(v.lower);
  }
  expect_column("bb_upper", upper, 1e-11, true, false);
  expect_column("bb_middle", middle, 1e-11, true);
  expect_column("bb_lower", lower, 1e-11, true, false);
}

TEST_F(Conformance, Atr14) {
  Atr atr(14);
  std::vector<double> out;
  const auto& s = *sample_;
  for (std::size_t i = 0; i < s.rows; ++i)
    out.push_back(atr.update(s["high"][i], s["low"][i], s["close"][i]));
  expect_column("atr14", out);
}

TEST_F(Conformance, Obv) {
  Obv obv;
  std::vector<double> out;
  const auto& s = *sample_;
  for (std::size_t i = 0; i < s.rows; ++i) out.push_back(obv.update(s["close"][i], s["volume"][i]));
  expect_column("obv", out);
}

TEST_F(Conformance, Stochastic14_3_3) {
  Stochastic stoch(14, 3, 3);
  std::vector<double> k, d;
  const auto& s = *sample_;
  for (std::size_t i = 0; i < s.rows; ++i) {
    const StochValue v = stoch.update(s["high"][i], s["low"][i], s["close"][i]);
    k.push_back(v.k);
    d.push_back(v.d);
  }
  expect_column("stoch_k", k);
  expect_column("stoch_d", d);
}

}  // namespace
}  // namespace ztrade
