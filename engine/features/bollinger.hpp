#pragma once
// Bollinger Bands around an SMA, as TA-Lib's TA_BBANDS(n, up, dn, SMA): middle = the
// running-total SMA (bit-exact with TA-Lib), deviation = rolling population standard deviation
// (numerically stable, see rolling_stddev.hpp), upper = middle + dev*up, lower = middle - dev*dn.
#include <string>

#include "core/nan.hpp"
#include "core/validate.hpp"
#include "features/rolling_stddev.hpp"
#include "features/sma.hpp"

namespace ztrade {

struct BollingerValue {
  double upper = kNaN;
  double middle = kNaN;
  double lower = kNaN;
};

class Bollinger {
 public:
  explicit Bollinger(int period, double dev_up = 2.0, double dev_down = 2.0)
      : middle_(checked(period, dev_up, dev_down)),
        up_(dev_up),
        down_(dev_down),
        variance_(period) {}

  BollingerValue update(double x) {
    require_finite(x, "Bollinger.update");
    return step(x);
  }
  BollingerValue step(double x) noexcept {
    const double middle = middle_.step(x);
    double v = 0.0;
    return variance_.step(x, v) ? bands(middle, v) : BollingerValue{};
  }
  BollingerValue peek(double x) const {
    const double middle = middle_.peek(x);  // validates x
    double v = 0.0;
    return variance_.peek(x, v) ? bands(middle, v) : BollingerValue{};
  }
  bool ready() const noexcept { return middle_.ready(); }
  int period() const noexcept { return middle_.period(); }
  int lookback() const noexcept { return middle_.lookback(); }
  void reset() noexcept {
    middle_.reset();
    variance_.reset();
  }

 private:
  static int checked(int period, double up, double down) {
    require_period(period, "Bollinger period");
    if (!std::isfinite(up) || !std::isfinite(down)) {
      throw_invalid("Bollinger deviation multipliers must be finite, got up=" + std::to_string(up) +
                    " down=" + std::to_string(down));
    }
    return period;
  }
  BollingerValue bands(double middle, double variance) const noexcept {
    const double dev = detail::deviation(variance);
    return {middle + dev * up_, middle, middle - dev * down_};
  }

  Sma middle_;
  double up_;
  double down_;
  detail::RollingVariance variance_;
};

}  // namespace ztrade
