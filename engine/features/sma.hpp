#pragma once
// Simple moving average, TA-Lib's TA_SMA to the bit: a running total that adds the new value,
// divides by n, then subtracts the value leaving the window (the total is never recomputed, as
// in TA-Lib). First value at bar n-1.
#include "core/nan.hpp"
#include "core/validate.hpp"
#include "features/window.hpp"

namespace ztrade {

class Sma {
 public:
  explicit Sma(int period) : n_(checked(period)), window_(period) {}

  // Checked update: throws std::invalid_argument on NaN/inf input, leaving the state unchanged.
  double update(double x) {
    require_finite(x, "SMA.update");
    return step(x);
  }
  // Unchecked update for callers that validated their input already (FeatureComputer).
  double step(double x) noexcept {
    total_ += x;
    window_.push(x);
    if (!window_.full()) return kNaN;
    const double out = total_ / n_;
    total_ -= window_.oldest();
    return out;
  }
  // The value update(x) would return, without changing any state.
  double peek(double x) const {
    require_finite(x, "SMA.peek");
    return window_.count() + 1 >= n_ ? (total_ + x) / n_ : kNaN;
  }
  bool ready() const noexcept { return window_.full(); }
  int period() const noexcept { return n_; }
  // Bars consumed before the first value (TA-Lib's lookback).
  int lookback() const noexcept { return n_ - 1; }
  void reset() noexcept {
    total_ = 0.0;
    window_.clear();
  }

 private:
  static int checked(int period) {
    require_period(period, "SMA period");
    return period;
  }
  int n_;
  double total_ = 0.0;
  detail::Window window_;
};

}  // namespace ztrade
