#pragma once
// On-balance volume, TA-Lib's TA_OBV: starts at volume[0] on bar 0 (not at 0), then adds the
// bar's volume on a strictly higher close, subtracts it on a strictly lower one.
#include "core/nan.hpp"
#include "core/validate.hpp"

namespace ztrade {

class Obv {
 public:
  double update(double close, double volume) {
    require_finite(close, "OBV.update close");
    require_finite(volume, "OBV.update volume");
    return step(close, volume);
  }
  double step(double close, double volume) noexcept {
    if (!has_prev_) [[unlikely]] {
      has_prev_ = true;
      prev_close_ = close;
      value_ = volume;
      return value_;
    }
    if (close > prev_close_)
      value_ += volume;
    else if (close < prev_close_)
      value_ -= volume;
    prev_close_ = close;
    return value_;
  }
  double peek(double close, double volume) const {
    require_finite(close, "OBV.peek close");
    require_finite(volume, "OBV.peek volume");
    Obv copy = *this;
    return copy.step(close, volume);
  }
  bool ready() const noexcept { return has_prev_; }
  int lookback() const noexcept { return 0; }
  void reset() noexcept { *this = Obv(); }

 private:
  bool has_prev_ = false;
  double prev_close_ = 0.0;
  double value_ = kNaN;
};

}  // namespace ztrade
