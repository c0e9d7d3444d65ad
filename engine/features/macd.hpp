#pragma once
// MACD(fast, slow, signal), TA-Lib's TA_MACD to the bit, including its alignment quirk: the
// fast EMA inside MACD is not a standalone EMA(fast). TA-Lib seeds it on the `fast` closes
// ending at bar slow-1, so that fast and slow start on the same bar. Streaming, that is simply
// an ordinary EMA(fast) that ignores the first slow-fast bars. The signal is an EMA(signal) of
// the MACD line from bar slow-1, and all three outputs start at bar slow+signal-2 (33 for
// 12/26/9).
#include "core/nan.hpp"
#include "core/validate.hpp"
#include "features/ema.hpp"

namespace ztrade {

struct MacdValue {
  double line = kNaN;
  double signal = kNaN;
  double hist = kNaN;
};

class Macd {
 public:
  Macd(int fast, int slow, int signal)
      : fast_(checked_fast(fast, slow)), slow_(slow), signal_(signal), skip_(slow - fast) {}

  MacdValue update(double close) {
    require_finite(close, "MACD.update");
    return step(close);
  }
  MacdValue step(double close) noexcept {
    const double slow = slow_.step(close);
    if (seen_ < skip_) [[unlikely]] {
      ++seen_;
      return {};
    }
    const double fast = fast_.step(close);
    if (!slow_.ready()) return {};
    const double line = fast - slow;
    const double signal = signal_.step(line);
    if (!signal_.ready()) return {};
    return {line, signal, line - signal};
  }
  MacdValue peek(double close) const {
    require_finite(close, "MACD.peek");
    Macd copy = *this;
    return copy.step(close);
  }
  // The slow EMA is an ordinary TA-Lib EMA(slow) seeded at bar 0, so FeatureComputer reuses it
  // as its ema_slow feature instead of computing the same series twice.
  double slow_ema() const noexcept { return slow_.value(); }
  bool ready() const noexcept { return signal_.ready(); }
  int lookback() const noexcept { return slow_.lookback() + signal_.lookback(); }
  void reset() noexcept {
    fast_.reset();
    slow_.reset();
    signal_.reset();
    seen_ = 0;
  }

 private:
  static int checked_fast(int fast, int slow) {
    require_period(fast, "MACD fast period");
    require_period(slow, "MACD slow period", 2);
    if (fast >= slow) {
      throw_invalid("MACD fast period must be < slow period, got fast=" + std::to_string(fast) +
                    " slow=" + std::to_string(slow));
    }
    return fast;
  }

  Ema fast_;
  Ema slow_;
  Ema signal_;
  int skip_;
  int seen_ = 0;
};

}  // namespace ztrade
