// FeatureComputer: the 12-feature vector against the TA-Lib reference, readiness, validation,
// peek, reset, and batch == streaming.
#include "features/feature_computer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "series.hpp"
#include "test_data.hpp"

namespace ztrade {
namespace {

using test::same;
constexpr std::size_t col(Feature f) {
  return static_cast<std::size_t>(f);
}

TEST(FeatureComputer, NamesAreFixed) {
  EXPECT_EQ(kFeatureNames.size(), 12u);
  EXPECT_EQ(kFeatureNames[col(Feature::kClose)], "close");
  EXPECT_EQ(kFeatureNames[col(Feature::kMacdHist)], "macd_hist");
  EXPECT_EQ(kFeatureNames[col(Feature::kRangePct)], "range_pct");
}

TEST(FeatureComputer, MatchesTaLibReferenceBitForBit) {
  const auto sample = test::read_csv(test::data_path("talib/sample.csv"));
  const auto ref = test::read_csv(test::data_path("talib/sample_ref.csv"));
  const auto bars = test::bars_of(sample);
  FeatureComputer fc;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const FeatureRow row = fc.update(bars[i]);
    const Bar& b = bars[i];
    ASSERT_EQ(row[col(Feature::kClose)], b.close);
    ASSERT_TRUE(same(row[col(Feature::kRsi)], ref["rsi14"][i])) << i;
    ASSERT_TRUE(same(row[col(Feature::kMacdLine)], ref["macd"][i])) << i;
    ASSERT_TRUE(same(row[col(Feature::kMacdSignal)], ref["macd_signal"][i])) << i;
    ASSERT_TRUE(same(row[col(Feature::kMacdHist)], ref["macd_hist"][i])) << i;
    ASSERT_TRUE(same(row[col(Feature::kEmaFast)], ref["ema12"][i])) << i;
    ASSERT_TRUE(same(row[col(Feature::kEmaSlow)], ref["ema26"][i])) << i;
    ASSERT_TRUE(same(row[col(Feature::kSpread)], ref["ema12"][i] - ref["ema26"][i])) << i;
    ASSERT_TRUE(same(row[col(Feature::kSma)], ref["sma20"][i])) << i;
    ASSERT_TRUE(
        same(row[col(Feature::kDistFromSma)], (b.close - ref["sma20"][i]) / ref["sma20"][i]));
    ASSERT_EQ(row[col(Feature::kVolume)], b.volume);
    ASSERT_EQ(row[col(Feature::kRangePct)], (b.high - b.low) / b.close);
    ASSERT_EQ(fc.ready(), i >= 33u) << i;
  }
}

TEST(FeatureComputer, ReadyExactlyWhenEveryFeatureIsDefined) {
  for (FeatureConfig cfg :
       {FeatureConfig{}, FeatureConfig{50, 5, 10, 3, 7}, FeatureConfig{2, 2, 3, 1, 1}}) {
    FeatureComputer fc(cfg);
    for (const Bar& b : test::random_walk(120, 31)) {
      const FeatureRow row = fc.update(b);
      bool all_defined = true;
      for (double v : row) all_defined = all_defined && !std::isnan(v);
      ASSERT_EQ(fc.ready(), all_defined) << "bar " << fc.bars_seen();
    }
  }
}

TEST(FeatureComputer, InvalidConfigRejected) {
  EXPECT_THROW(FeatureComputer(FeatureConfig{0, 12, 26, 9, 20}), std::invalid_argument);
  EXPECT_THROW(FeatureComputer(FeatureConfig{14, 26, 12, 9, 20}), std::invalid_argument);
  EXPECT_THROW(FeatureComputer(FeatureConfig{14, 12, 26, 0, 20}), std::invalid_argument);
  EXPECT_THROW(FeatureComputer(FeatureConfig{14, 12, 26, 9, -1}), std::invalid_argument);
}

TEST(FeatureComputer, InvalidBarRejectedStateUnchanged) {
  const auto bars = test::random_walk(100, 41);
  FeatureComputer clean, probed;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    if (i == 50) {
      Bar bad = bars[i];
      bad.close = NAN;
      EXPECT_THROW(probed.update(bad), std::invalid_argument);
      FeatureRow untouched{};
      EXPECT_FALSE(probed.try_update(bad, untouched));
      EXPECT_EQ(untouched[0], 0.0);
      bad = bars[i];
      bad.volume = -1;
      EXPECT_THROW(probed.update(bad), std::invalid_argument);
      bad = bars[i];
      bad.high = INFINITY;
      EXPECT_THROW(probed.peek(bad), std::invalid_argument);
    }
    const FeatureRow a = clean.update(bars[i]);
    FeatureRow b{};
    ASSERT_TRUE(probed.try_update(bars[i], b));
    for (std::size_t c = 0; c < kFeatureCount; ++c) ASSERT_TRUE(same(a[c], b[c]));
  }
  EXPECT_EQ(probed.bars_seen(), clean.bars_seen());
}

TEST(FeatureComputer, PeekEqualsUpdate) {
  FeatureComputer fc;
  for (const Bar& b : test::random_walk(200, 43)) {
    const FeatureRow p = fc.peek(b);
    const FeatureRow u = fc.update(b);
    for (std::size_t c = 0; c < kFeatureCount; ++c) ASSERT_TRUE(same(p[c], u[c])) << c;
  }
}

TEST(FeatureComputer, ResetStartsOver) {
  const auto bars = test::random_walk(80, 47);
  FeatureComputer fc;
  for (const Bar& b : bars) fc.update(b);
  fc.reset();
  EXPECT_EQ(fc.bars_seen(), 0u);
  EXPECT_FALSE(fc.ready());
  FeatureComputer fresh;
  for (const Bar& b : bars) {
    const FeatureRow a = fc.update(b), c = fresh.update(b);
    for (std::size_t k = 0; k < kFeatureCount; ++k) ASSERT_TRUE(same(a[k], c[k]));
  }
}

struct Columns {
  std::vector<double> open, high, low, close, volume;
  explicit Columns(const std::vector<Bar>& bars) {
    for (const Bar& b : bars) {
      open.push_back(b.open);
      high.push_back(b.high);
      low.push_back(b.low);
      close.push_back(b.close);
      volume.push_back(b.volume);
    }
  }
  BarColumns view() const { return {open, high, low, close, volume}; }
};

TEST(FeatureComputer, BatchEqualsStreamingExactly) {
  const auto bars = test::random_walk(3000, 53, 50000.0);
  const Columns cols(bars);
  FeatureComputer fc(FeatureConfig{10, 6, 19, 5, 30});
  std::vector<double> out(bars.size() * kFeatureCount);
  fc.compute_batch(cols.view(), out);
  EXPECT_EQ(fc.bars_seen(), 0u) << "compute_batch must not touch the object's state";
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const FeatureRow row = fc.update(bars[i]);
    for (std::size_t c = 0; c < kFeatureCount; ++c)
      ASSERT_TRUE(same(row[c], out[i * kFeatureCount + c])) << i << "," << c;
  }
}

TEST(FeatureComputer, BatchValidatesShapesAndValues) {
  const auto bars = test::random_walk(10, 59);
  Columns cols(bars);
  FeatureComputer fc;
  std::vector<double> out(bars.size() * kFeatureCount);
  std::vector<double> short_out(5);
  EXPECT_THROW(fc.compute_batch(cols.view(), short_out), std::invalid_argument);
  cols.volume.pop_back();
  EXPECT_THROW(fc.compute_batch(cols.view(), out), std::invalid_argument);
  cols.volume.push_back(1.0);
  cols.low[7] = NAN;
  try {
    fc.compute_batch(cols.view(), out);
    FAIL() << "expected a throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("row 7"), std::string::npos) << e.what();
  }
  std::vector<double> empty;
  fc.compute_batch(BarColumns{}, empty);  // zero bars: fine, nothing written
}

}  // namespace
}  // namespace ztrade
