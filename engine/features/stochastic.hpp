#pragma once
// Slow stochastic, TA-Lib's TA_STOCH(fastK, slowK, SMA, slowD, SMA) to the bit:
// fastK = (close - LL) / ((HH - LL) / 100), 0 when HH == LL; slowK = SMA(slowK) of fastK started
// at the first fastK; slowD = SMA(slowD) of slowK. Both are emitted from bar
// (fastK-1)+(slowK-1)+(slowD-1), 17 for 14/3/3 (slowK's earlier values are dropped, as TA-Lib
// does).
#include "core/nan.hpp"
#include "core/validate.hpp"
#include "features/atr.hpp"
#include "features/rolling_extreme.hpp"
#include "features/sma.hpp"

namespace ztrade {

struct StochValue {
  double k = kNaN;
  double d = kNaN;
};

class Stochastic {
 public:
  Stochastic(int fast_k, int slow_k, int slow_d)
      : fast_k_(checked(fast_k, slow_k, slow_d)),
        highs_(fast_k),
        lows_(fast_k),
        slow_k_(slow_k),
        slow_d_(slow_d) {}

  StochValue update(double high, double low, double close) {
    require_finite_hlc(high, low, close, "Stochastic.update");
    return step(high, low, close);
  }
  StochValue step(double high, double low, double close) noexcept {
    highs_.push(high);
    lows_.push(low);
    if (seen_ < fast_k_) ++seen_;
    if (seen_ < fast_k_) return {};
    return smooth_step(fast_k(highs_.best(), lows_.best(), close));
  }
  StochValue peek(double high, double low, double close) const {
    require_finite_hlc(high, low, close, "Stochastic.peek");
    if (seen_ + 1 < fast_k_) return {};
    const double k_raw = fast_k(highs_.best_after(high), lows_.best_after(low), close);
    const double k = slow_k_.peek(k_raw);
    if (k != k) return {};  // NaN: slowK not defined yet
    const double d = slow_d_.peek(k);
    if (d != d) return {};
    return {k, d};
  }
  bool ready() const noexcept { return slow_d_.ready(); }
  int lookback() const noexcept { return (fast_k_ - 1) + slow_k_.lookback() + slow_d_.lookback(); }
  void reset() noexcept {
    highs_.clear();
    lows_.clear();
    slow_k_.reset();
    slow_d_.reset();
    seen_ = 0;
  }

 private:
  static int checked(int fast_k, int slow_k, int slow_d) {
    require_period(fast_k, "Stochastic fastK period");
    require_period(slow_k, "Stochastic slowK period");
    require_period(slow_d, "Stochastic slowD period");
    return fast_k;
  }
  static double fast_k(double highest, double lowest, double close) noexcept {
    const double range = (highest - lowest) / 100.0;
    return range != 0.0 ? (close - lowest) / range : 0.0;
  }
  StochValue smooth_step(double k_raw) noexcept {
    const double k = slow_k_.step(k_raw);
    if (!slow_k_.ready()) return {};
    const double d = slow_d_.step(k);
    if (!slow_d_.ready()) return {};
    return {k, d};
  }

  int fast_k_;
  int seen_ = 0;
  detail::RollingMax highs_;
  detail::RollingMin lows_;
  Sma slow_k_;
  Sma slow_d_;
};

}  // namespace ztrade
