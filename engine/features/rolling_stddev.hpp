#pragma once
// Rolling population variance / standard deviation (TA-Lib's TA_VAR / TA_STDDEV with nbdev 1),
// and the deviation Bollinger Bands use.
//
// TA-Lib up to 0.6.4 took variance = E[x^2] - mean^2 from raw running sums. That cancels
// catastrophically: at price 100 a flat window comes out as sqrt(~1e-12) ~ 1e-6 instead of 0,
// and at price 50,000 the error reaches 5e-8. TA-Lib 0.8 moved to shifted sums, and so do we:
// sums of d = x - K, where the shift K sits near the window's values, keep both terms at the
// scale of the variance. K is re-anchored to the window mean by an exact two-pass recompute
// when the shifted sums go stale (variance < 1e-6 of E[d^2], i.e. over half the digits would
// cancel), when the sum of squares has collapsed below 1e-6 of its peak since the last
// recompute (it then consists mostly of the rounding residue the departed values left behind,
// which the first test cannot see when the shift happens to equal the window's values), and at
// least every 32 periods, which bounds drift. That recompute is O(n) but rare,
// so update() stays O(1) amortised. A variance below 1e-12 of E[d^2] is rounding noise and
// reads as 0, so flat windows give exactly 0 at any price level.
#include <cmath>

#include "core/nan.hpp"
#include "core/validate.hpp"
#include "features/window.hpp"

namespace ztrade {
namespace detail {

class RollingVariance {
 public:
  explicit RollingVariance(int n) : n_(n), window_(n) {}

  // Adds x; writes the variance of the last n values and returns true once n were seen.
  bool step(double x, double& variance) noexcept {
    if (window_.count() == 0) shift_ = x;
    const double d = x - shift_;
    s1_ += d;
    s2_ += d * d;
    window_.push(x);
    if (s2_ > peak_s2_) peak_s2_ = s2_;
    if (!window_.full()) return false;
    variance = shifted_variance(s1_, s2_);
    if (++since_reseed_ >= reseed_every() || stale(variance, s2_, peak_s2_)) {
      reseed(window_, n_, 0.0, false, shift_, s1_, s2_);
      variance = shifted_variance(s1_, s2_);
      since_reseed_ = 0;
      peak_s2_ = s2_;
    }
    variance = denoised(variance, s2_);
    const double leaving = window_.oldest() - shift_;
    s1_ -= leaving;
    s2_ -= leaving * leaving;
    return true;
  }
  // What step(x) would write, without changing state (same arithmetic, same order).
  bool peek(double x, double& variance) const noexcept {
    if (window_.count() + 1 < n_) return false;
    const double shift = window_.count() == 0 ? x : shift_;
    const double d = x - shift;
    double s1 = s1_ + d, s2 = s2_ + d * d;
    const double peak = s2 > peak_s2_ ? s2 : peak_s2_;
    variance = shifted_variance(s1, s2);
    if (since_reseed_ + 1 >= reseed_every() || stale(variance, s2, peak)) {
      double k = 0.0;
      reseed(window_, n_ - 1, x, true, k, s1, s2);
      variance = shifted_variance(s1, s2);
    }
    variance = denoised(variance, s2);
    return true;
  }
  bool ready() const noexcept { return window_.full(); }
  void reset() noexcept {
    window_.clear();
    shift_ = s1_ = s2_ = peak_s2_ = 0.0;
    since_reseed_ = 0;
  }

 private:
  int reseed_every() const noexcept { return 32 * n_; }
  double shifted_variance(double s1, double s2) const noexcept {
    const double m1 = s1 / n_;
    return s2 / n_ - m1 * m1;
  }
  bool stale(double variance, double s2, double peak_s2) const noexcept {
    return variance < 1e-6 * (s2 / n_) || s2 < 1e-6 * peak_s2;
  }
  double denoised(double variance, double s2) const noexcept {
    return variance < 1e-12 * (s2 / n_) || variance < 0.0 ? 0.0 : variance;
  }
  // Two-pass recompute over the `count` newest window values (oldest first), plus `extra` when
  // with_extra: K = their mean, s1 = sum(x - K), s2 = sum((x - K)^2).
  static void reseed(const Window& window, int count, double extra, bool with_extra, double& shift,
                     double& s1, double& s2) noexcept {
    const int n = count + (with_extra ? 1 : 0);
    double sum = 0.0;
    window.for_each_recent(count, [&](double v) { sum += v; });
    if (with_extra) sum += extra;
    shift = sum / n;
    s1 = s2 = 0.0;
    auto add = [&](double v) {
      const double d = v - shift;
      s1 += d;
      s2 += d * d;
    };
    window.for_each_recent(count, add);
    if (with_extra) add(extra);
  }

  int n_;
  Window window_;
  double shift_ = 0.0;
  double s1_ = 0.0;
  double s2_ = 0.0;
  double peak_s2_ = 0.0;  // largest s2 since the last recompute
  int since_reseed_ = 0;
};

inline double deviation(double variance) noexcept {
  return variance > 0.0 ? std::sqrt(variance) : 0.0;
}

}  // namespace detail

class RollingStdDev {
 public:
  explicit RollingStdDev(int period) : n_(checked(period)), variance_(period) {}

  double update(double x) {
    require_finite(x, "StdDev.update");
    return step(x);
  }
  double step(double x) noexcept {
    double v = 0.0;
    return variance_.step(x, v) ? detail::deviation(v) : kNaN;
  }
  double peek(double x) const {
    require_finite(x, "StdDev.peek");
    double v = 0.0;
    return variance_.peek(x, v) ? detail::deviation(v) : kNaN;
  }
  bool ready() const noexcept { return variance_.ready(); }
  int period() const noexcept { return n_; }
  int lookback() const noexcept { return n_ - 1; }
  void reset() noexcept { variance_.reset(); }

 private:
  static int checked(int period) {
    require_period(period, "StdDev period");
    return period;
  }
  int n_;
  detail::RollingVariance variance_;
};

}  // namespace ztrade
