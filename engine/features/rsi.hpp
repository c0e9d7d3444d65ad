#pragma once
// Wilder's RSI, TA-Lib's TA_RSI to the bit. Bar 0 only supplies the first close; the averages
// are seeded with the mean gain and loss over changes 1..n (first value at bar n), then
// smoothed as avg = (avg * (n-1) + today) / n in that order. Output 100*G/(G+L), and 0 (not 50,
// not NaN) when G+L is 0, i.e. over a flat window. A zero change counts as a zero gain.
// TA-Lib 0.6 tested |G+L| < 1e-14 instead: an absolute threshold on a price-scaled sum, which
// reads 0 for any instrument quoted below ~1e-11 (and after long flat runs). TA-Lib 0.8 dropped
// that for a scale-free test, and so do we; on normal prices both agree bit for bit.
#include "core/nan.hpp"
#include "core/validate.hpp"

namespace ztrade {

class Rsi {
 public:
  explicit Rsi(int period) : n_(checked(period)), n_minus_1_(static_cast<double>(period - 1)) {}

  double update(double close) {
    require_finite(close, "RSI.update");
    return step(close);
  }
  double step(double close) noexcept {
    if (!has_prev_) [[unlikely]] {
      prev_ = close;
      has_prev_ = true;
      return kNaN;
    }
    const double change = close - prev_;
    prev_ = close;
    if (changes_ >= n_) [[likely]] {
      loss_ *= n_minus_1_;
      gain_ *= n_minus_1_;
      add_change(change);
      loss_ /= n_;
      gain_ /= n_;
      return output();
    }
    add_change(change);
    if (++changes_ < n_) return kNaN;
    loss_ /= n_;
    gain_ /= n_;
    return output();
  }
  double peek(double close) const {
    require_finite(close, "RSI.peek");
    Rsi copy = *this;
    return copy.step(close);
  }
  bool ready() const noexcept { return changes_ >= n_; }
  int period() const noexcept { return n_; }
  int lookback() const noexcept { return n_; }
  void reset() noexcept { *this = Rsi(n_); }

 private:
  static int checked(int period) {
    require_period(period, "RSI period");
    return period;
  }
  void add_change(double change) noexcept {
    if (change < 0.0)
      loss_ -= change;
    else
      gain_ += change;
  }
  double output() const noexcept {
    const double sum = gain_ + loss_;
    if (sum == 0.0) return 0.0;
    return 100.0 * (gain_ / sum);
  }

  int n_;
  double n_minus_1_;
  int changes_ = 0;
  bool has_prev_ = false;
  double prev_ = 0.0;
  double gain_ = 0.0;
  double loss_ = 0.0;
};

}  // namespace ztrade
