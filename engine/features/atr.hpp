#pragma once
// True range and Wilder's ATR, TA-Lib's TA_TRANGE and TA_ATR to the bit. Bar 0 has no true
// range (TA-Lib skips it rather than using high-low); the first ATR, at bar n, is the mean of
// TR[1..n]; after that atr = (atr * (n-1) + tr) / n in that order.
#include <cmath>

#include "core/nan.hpp"
#include "core/validate.hpp"
#include "features/seed.hpp"

namespace ztrade {

inline void require_finite_hlc(double high, double low, double close, const char* who) {
  require_finite(high, who);
  require_finite(low, who);
  require_finite(close, who);
}

class TrueRange {
 public:
  double update(double high, double low, double close) {
    require_finite_hlc(high, low, close, "TrueRange.update");
    return step(high, low, close);
  }
  double step(double high, double low, double close) noexcept {
    if (!has_prev_) [[unlikely]] {
      prev_close_ = close;
      has_prev_ = true;
      return kNaN;
    }
    const double out = range(high, low);
    prev_close_ = close;
    return out;
  }
  double peek(double high, double low, double close) const {
    require_finite_hlc(high, low, close, "TrueRange.peek");
    return has_prev_ ? range(high, low) : kNaN;
  }
  bool ready() const noexcept { return has_prev_; }
  int lookback() const noexcept { return 1; }
  void reset() noexcept { *this = TrueRange(); }

 private:
  double range(double high, double low) const noexcept {
    double greatest = high - low;
    const double to_high = std::fabs(prev_close_ - high);
    if (to_high > greatest) greatest = to_high;
    const double to_low = std::fabs(prev_close_ - low);
    if (to_low > greatest) greatest = to_low;
    return greatest;
  }
  bool has_prev_ = false;
  double prev_close_ = 0.0;
};

class Atr {
 public:
  explicit Atr(int period) : n_(checked(period)), n_minus_1_(static_cast<double>(period - 1)) {}

  double update(double high, double low, double close) {
    require_finite_hlc(high, low, close, "ATR.update");
    return step(high, low, close);
  }
  double step(double high, double low, double close) noexcept {
    const double tr = tr_.step(high, low, close);
    if (seeded_) [[likely]] {
      value_ *= n_minus_1_;
      value_ += tr;
      value_ /= n_;
      return value_;
    }
    if (std::isnan(tr)) return kNaN;  // bar 0
    seeded_ = seed_.add(tr, n_, value_);
    return value_;
  }
  double peek(double high, double low, double close) const {
    require_finite_hlc(high, low, close, "ATR.peek");
    Atr copy = *this;
    return copy.step(high, low, close);
  }
  bool ready() const noexcept { return seeded_; }
  int period() const noexcept { return n_; }
  int lookback() const noexcept { return n_; }
  void reset() noexcept { *this = Atr(n_); }

 private:
  static int checked(int period) {
    require_period(period, "ATR period");
    return period;
  }
  int n_;
  double n_minus_1_;
  TrueRange tr_;
  bool seeded_ = false;
  detail::MeanSeed seed_;
  double value_ = kNaN;
};

}  // namespace ztrade
