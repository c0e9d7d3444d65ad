#pragma once
// Log return ln(close / previous close). NaN on the first bar. Prices must be > 0.
#include <cmath>
#include <string>

#include "core/nan.hpp"
#include "core/validate.hpp"

namespace ztrade {

class LogReturn {
 public:
  double update(double close) {
    check(close, "LogReturn.update");
    return step(close);
  }
  double step(double close) noexcept {
    const double out = has_prev_ ? std::log(close / prev_) : kNaN;
    prev_ = close;
    has_prev_ = true;
    return out;
  }
  double peek(double close) const {
    check(close, "LogReturn.peek");
    return has_prev_ ? std::log(close / prev_) : kNaN;
  }
  bool ready() const noexcept { return has_prev_; }
  int lookback() const noexcept { return 1; }
  void reset() noexcept { *this = LogReturn(); }

 private:
  static void check(double close, const char* who) {
    require_finite(close, who);
    if (!(close > 0.0)) throw_invalid(std::string(who) + ": price must be > 0 for a log return");
  }
  bool has_prev_ = false;
  double prev_ = 0.0;
};

}  // namespace ztrade
