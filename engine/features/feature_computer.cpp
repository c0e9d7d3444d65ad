#include "features/feature_computer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "core/validate.hpp"

namespace ztrade {

namespace {

constexpr std::size_t idx(Feature f) {
  return static_cast<std::size_t>(f);
}

// Writes the features that depend only on this bar and the indicator outputs.
inline void fill_row(double* out, double high, double low, double close, double volume, double rsi,
                     const MacdValue& macd, double ema_fast, double ema_slow, double sma) noexcept {
  out[idx(Feature::kClose)] = close;
  out[idx(Feature::kRsi)] = rsi;
  out[idx(Feature::kMacdLine)] = macd.line;
  out[idx(Feature::kMacdSignal)] = macd.signal;
  out[idx(Feature::kMacdHist)] = macd.hist;
  out[idx(Feature::kEmaFast)] = ema_fast;
  out[idx(Feature::kEmaSlow)] = ema_slow;
  out[idx(Feature::kSpread)] = ema_fast - ema_slow;
  out[idx(Feature::kSma)] = sma;
  out[idx(Feature::kDistFromSma)] = (close - sma) / sma;
  out[idx(Feature::kVolume)] = volume;
  out[idx(Feature::kRangePct)] = (high - low) / close;
}

// Branch-free scans the compiler vectorises; the per-row check below runs only when one fails,
// to name the first bad row.
bool all_finite(std::span<const double> xs) noexcept {
  bool ok = true;
  for (double x : xs) ok &= std::fabs(x) <= std::numeric_limits<double>::max();
  return ok;
}
bool all_non_negative(std::span<const double> xs) noexcept {
  bool ok = true;
  for (double x : xs) ok &= x >= 0.0;
  return ok;
}

}  // namespace

FeatureComputer::FeatureComputer(const FeatureConfig& config)
    : config_(config),
      rsi_(config.rsi_period),
      macd_(config.macd_fast, config.macd_slow, config.macd_signal),
      ema_fast_(config.macd_fast),
      sma_(config.sma_period),
      lookback_(
          std::max({rsi_.lookback(), macd_.lookback(), ema_fast_.lookback(), sma_.lookback()})) {}

void FeatureComputer::step(double high, double low, double close, double volume,
                           double* out) noexcept {
  const double rsi = rsi_.step(close);
  const MacdValue macd = macd_.step(close);
  const double ema_fast = ema_fast_.step(close);
  const double sma = sma_.step(close);
  fill_row(out, high, low, close, volume, rsi, macd, ema_fast, macd_.slow_ema(), sma);
  ++bars_;
}

bool FeatureComputer::try_update(const Bar& bar, std::span<double, kFeatureCount> out) noexcept {
  if (bar_problem(bar) != nullptr) [[unlikely]]
    return false;
  step(bar.high, bar.low, bar.close, bar.volume, out.data());
  return true;
}

FeatureRow FeatureComputer::update(const Bar& bar) {
  require_valid_bar(bar);
  FeatureRow row;
  step(bar.high, bar.low, bar.close, bar.volume, row.data());
  return row;
}

FeatureRow FeatureComputer::peek(const Bar& bar) const {
  require_valid_bar(bar);
  const double c = bar.close;
  // Macd's copy-and-step peek also yields the slow EMA the bar would produce.
  Macd macd = macd_;
  const MacdValue m = macd.step(c);
  FeatureRow row;
  fill_row(row.data(), bar.high, bar.low, c, bar.volume, rsi_.peek(c), m, ema_fast_.peek(c),
           macd.slow_ema(), sma_.peek(c));
  return row;
}

void FeatureComputer::reset() noexcept {
  rsi_.reset();
  macd_.reset();
  ema_fast_.reset();
  sma_.reset();
  bars_ = 0;
}

void FeatureComputer::compute_batch(const BarColumns& bars, std::span<double> out) const {
  const std::size_t n = bars.close.size();
  if (bars.open.size() != n || bars.high.size() != n || bars.low.size() != n ||
      bars.volume.size() != n) {
    throw std::invalid_argument(fmt::format(
        "compute_batch: columns differ in length (open={}, high={}, low={}, close={}, volume={})",
        bars.open.size(), bars.high.size(), bars.low.size(), n, bars.volume.size()));
  }
  if (out.size() != n * kFeatureCount) {
    throw std::invalid_argument(
        fmt::format("compute_batch: output holds {} doubles, {} bars need {}", out.size(), n,
                    n * kFeatureCount));
  }
  const bool valid = all_finite(bars.open) && all_finite(bars.high) && all_finite(bars.low) &&
                     all_finite(bars.close) && all_finite(bars.volume) &&
                     all_non_negative(bars.volume);
  if (!valid) [[unlikely]] {
    for (std::size_t i = 0; i < n; ++i) {
      const Bar bar{bars.open[i], bars.high[i], bars.low[i], bars.close[i], bars.volume[i], 0};
      if (const char* problem = bar_problem(bar)) {
        throw std::invalid_argument(fmt::format("compute_batch: row {}: {}", i, problem));
      }
    }
  }
  FeatureComputer fresh(config_);
  double* row = out.data();
  for (std::size_t i = 0; i < n; ++i, row += kFeatureCount) {
    fresh.step(bars.high[i], bars.low[i], bars.close[i], bars.volume[i], row);
  }
}

}  // namespace ztrade
