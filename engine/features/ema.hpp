#pragma once
// Exponential moving average, TA-Lib's TA_EMA to the bit: seeded with the simple mean of the
// first n inputs (emitted at bar n-1), then prev = (x - prev) * k + prev with k = 2/(n+1).
// That operation order matters: k*x + (1-k)*prev rounds differently.
#include "core/nan.hpp"
#include "core/validate.hpp"
#include "features/seed.hpp"

namespace ztrade {

class Ema {
 public:
  explicit Ema(int period) : n_(checked(period)), k_(2.0 / static_cast<double>(period + 1)) {}

  double update(double x) {
    require_finite(x, "EMA.update");
    return step(x);
  }
  double step(double x) noexcept {
    if (seeded_) [[likely]] {
      value_ = (x - value_) * k_ + value_;
      return value_;
    }
    seeded_ = seed_.add(x, n_, value_);
    return value_;
  }
  double peek(double x) const {
    require_finite(x, "EMA.peek");
    Ema copy = *this;  // a few scalars: copying is the surest way to match step() exactly
    return copy.step(x);
  }
  double value() const noexcept { return value_; }
  bool ready() const noexcept { return seeded_; }
  int period() const noexcept { return n_; }
  int lookback() const noexcept { return n_ - 1; }
  void reset() noexcept { *this = Ema(n_); }

 private:
  static int checked(int period) {
    require_period(period, "EMA period");
    return period;
  }
  int n_;
  double k_;
  bool seeded_ = false;
  detail::MeanSeed seed_;
  double value_ = kNaN;
};

}  // namespace ztrade
