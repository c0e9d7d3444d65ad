#pragma once
// FeatureComputer: the per-symbol feature vector every strategy sees, computed bar by bar.
//
//   index name           definition
//   0     close          bar close
//   1     rsi            RSI(rsi_period), Wilder, TA-Lib-exact
//   2     macd_line      TA-Lib MACD(fast, slow, signal) line
//   3     macd_signal    TA-Lib MACD signal
//   4     macd_hist      macd_line - macd_signal
//   5     ema_fast       standalone TA-Lib EMA(fast), seeded on bars 0..fast-1
//   6     ema_slow       standalone TA-Lib EMA(slow)
//   7     spread         ema_fast - ema_slow (differs from macd_line for ~150 bars: TA-Lib seeds
//                        the fast EMA inside MACD later, see macd.hpp)
//   8     sma            SMA(sma_period)
//   9     dist_from_sma  (close - sma) / sma
//   10    volume         bar volume
//   11    range_pct      (high - low) / close
//
// Undefined features are NaN (never 0). ready() once every feature is defined, i.e. after
// lookback()+1 bars (34 with the defaults, MACD being the longest).
#include <array>
#include <cstddef>
#include <span>
#include <string_view>

#include "core/bar.hpp"
#include "features/ema.hpp"
#include "features/macd.hpp"
#include "features/rsi.hpp"
#include "features/sma.hpp"

namespace ztrade {

struct FeatureConfig {
  int rsi_period = 14;
  int macd_fast = 12;
  int macd_slow = 26;
  int macd_signal = 9;
  int sma_period = 20;
};

enum class Feature : std::size_t {
  kClose,
  kRsi,
  kMacdLine,
  kMacdSignal,
  kMacdHist,
  kEmaFast,
  kEmaSlow,
  kSpread,
  kSma,
  kDistFromSma,
  kVolume,
  kRangePct,
};
inline constexpr std::size_t kFeatureCount = 12;

inline constexpr std::array<std::string_view, kFeatureCount> kFeatureNames = {
    "close",    "rsi",    "macd_line", "macd_signal",   "macd_hist", "ema_fast",
    "ema_slow", "spread", "sma",       "dist_from_sma", "volume",    "range_pct"};

using FeatureRow = std::array<double, kFeatureCount>;

// Column views over n bars, as held by numpy or a CSV loader. All spans have the same size.
struct BarColumns {
  std::span<const double> open, high, low, close, volume;
};

class FeatureComputer {
 public:
  explicit FeatureComputer(const FeatureConfig& config = {});

  // Folds a closed bar in and returns the feature vector. Throws std::invalid_argument for an
  // invalid bar (non-finite field, negative volume), leaving the state unchanged.
  FeatureRow update(const Bar& bar);
  // Hot-path variant: returns false (state unchanged, `out` untouched) for an invalid bar.
  bool try_update(const Bar& bar, std::span<double, kFeatureCount> out) noexcept;
  // The vector update(bar) would return if `bar` closed now; the state is unchanged.
  FeatureRow peek(const Bar& bar) const;

  bool ready() const noexcept { return bars_ > static_cast<std::size_t>(lookback_); }
  // Bars consumed before every feature is defined.
  int lookback() const noexcept { return lookback_; }
  std::size_t bars_seen() const noexcept { return bars_; }
  const FeatureConfig& config() const noexcept { return config_; }
  void reset() noexcept;

  // Features for n bars into `out` (n * kFeatureCount doubles, row-major), from a fresh state
  // with this configuration; rows equal what update() returns bar by bar. Validates every input
  // first and throws std::invalid_argument naming the first bad row; never touches this object.
  void compute_batch(const BarColumns& bars, std::span<double> out) const;

 private:
  void step(double high, double low, double close, double volume, double* out) noexcept;

  FeatureConfig config_;
  Rsi rsi_;
  Macd macd_;
  Ema ema_fast_;
  Sma sma_;
  int lookback_;
  std::size_t bars_ = 0;
};

}  // namespace ztrade
