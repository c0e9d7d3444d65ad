#pragma once
// Bollinger Bands with an SMA middle band, TA-Lib's TA_BBANDS(n, up, dn, SMA) to the bit:
// middle = running-total SMA, deviation = population std from the same running sums
// (see rolling_stddev.hpp), upper = middle + dev*up, lower = middle - dev*dn.
#include <string>

#include "core/nan.hpp"
#include "core/validate.hpp"
#include "features/rolling_stddev.hpp"

namespace ztrade {

struct BollingerValue {
  double upper = kNaN;
  double middle = kNaN;
  double lower = kNaN;
};

class Bollinger {
 public:
  explicit Bollinger(int period, double dev_up = 2.0, double dev_down = 2.0)
      : n_(checked(period, dev_up, dev_down)), up_(dev_up), down_(dev_down), moments_(period) {}

  BollingerValue update(double x) {
    require_finite(x, "Bollinger.update");
    return step(x);
  }
  BollingerValue step(double x) noexcept {
    detail::RollingMoments::Moments m{};
    return moments_.step(x, m) ? bands(m) : BollingerValue{};
  }
  BollingerValue peek(double x) const {
    require_finite(x, "Bollinger.peek");
    detail::RollingMoments::Moments m{};
    return moments_.peek(x, m) ? bands(m) : BollingerValue{};
  }
  bool ready() const noexcept { return moments_.ready(); }
  int period() const noexcept { return n_; }
  int lookback() const noexcept { return n_ - 1; }
  void reset() noexcept { moments_.reset(); }

 private:
  static int checked(int period, double up, double down) {
    require_period(period, "Bollinger period");
    if (!std::isfinite(up) || !std::isfinite(down)) {
      throw_invalid("Bollinger deviation multipliers must be finite, got up=" +
                    std::to_string(up) + " down=" + std::to_string(down));
    }
    return period;
  }
  BollingerValue bands(const detail::RollingMoments::Moments& m) const noexcept {
    const double dev = detail::deviation(m);
    return {m.mean + dev * up_, m.mean, m.mean - dev * down_};
  }

  int n_;
  double up_;
  double down_;
  detail::RollingMoments moments_;
};

}  // namespace ztrade
