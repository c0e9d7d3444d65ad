#pragma once
// Rolling population standard deviation, TA-Lib's TA_STDDEV(n, 1) to the bit, and the
// running sums Bollinger Bands share with it. TA-Lib keeps running totals of x and x^2 (add
// the new value, use, subtract the leaving one) and takes variance = E[x^2] - mean^2; a
// variance below 1e-14 (including negative rounding results) gives a deviation of 0.
#include <cmath>

#include "core/nan.hpp"
#include "core/validate.hpp"
#include "features/window.hpp"

namespace ztrade {
namespace detail {

// Running sum and sum of squares over the last n values.
class RollingMoments {
 public:
  explicit RollingMoments(int n) : n_(n), window_(n) {}

  struct Moments {
    double mean;
    double mean_sq;
  };
  // Adds x; returns false while fewer than n values have been seen.
  bool step(double x, Moments& out) noexcept {
    sum_ += x;
    sum_sq_ += x * x;
    window_.push(x);
    if (!window_.full()) return false;
    out = {sum_ / n_, sum_sq_ / n_};
    const double leaving = window_.oldest();
    sum_ -= leaving;
    sum_sq_ -= leaving * leaving;
    return true;
  }
  bool peek(double x, Moments& out) const noexcept {
    if (window_.count() + 1 < n_) return false;
    out = {(sum_ + x) / n_, (sum_sq_ + x * x) / n_};
    return true;
  }
  bool ready() const noexcept { return window_.full(); }
  void reset() noexcept {
    sum_ = sum_sq_ = 0.0;
    window_.clear();
  }

 private:
  int n_;
  double sum_ = 0.0;
  double sum_sq_ = 0.0;
  Window window_;
};

// sqrt(E[x^2] - mean^2), 0 when that variance is below TA-Lib's zero threshold.
inline double deviation(const RollingMoments::Moments& m) noexcept {
  const double variance = m.mean_sq - m.mean * m.mean;
  return variance < 1e-14 ? 0.0 : std::sqrt(variance);
}

}  // namespace detail

class RollingStdDev {
 public:
  explicit RollingStdDev(int period) : n_(checked(period)), moments_(period) {}

  double update(double x) {
    require_finite(x, "StdDev.update");
    return step(x);
  }
  double step(double x) noexcept {
    detail::RollingMoments::Moments m{};
    return moments_.step(x, m) ? detail::deviation(m) : kNaN;
  }
  double peek(double x) const {
    require_finite(x, "StdDev.peek");
    detail::RollingMoments::Moments m{};
    return moments_.peek(x, m) ? detail::deviation(m) : kNaN;
  }
  bool ready() const noexcept { return moments_.ready(); }
  int period() const noexcept { return n_; }
  int lookback() const noexcept { return n_ - 1; }
  void reset() noexcept { moments_.reset(); }

 private:
  static int checked(int period) {
    require_period(period, "StdDev period");
    return period;
  }
  int n_;
  detail::RollingMoments moments_;
};

}  // namespace ztrade
