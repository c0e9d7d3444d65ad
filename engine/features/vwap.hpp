#pragma once
// Volume-weighted average price, anchored: sum(price*volume) / sum(volume) since the anchor.
// The anchor is either explicit (reset()) or periodic: with a period, the sums restart whenever
// floor((ts - offset) / period) changes, e.g. period = 1 day, offset = the session open.
// TA-Lib has no VWAP; the sums are Neumaier-compensated so the result matches an exact
// (fsum-style) reference to the last bits however long the session runs.
// Bars contribute their typical price (high+low+close)/3; trades contribute their own price.
#include <cstdint>

#include "core/bar.hpp"
#include "core/nan.hpp"
#include "core/validate.hpp"

namespace ztrade {

namespace detail {
// Neumaier's variant of Kahan summation: keeps the rounding error of every addition.
struct CompensatedSum {
  double sum = 0.0;
  double carry = 0.0;
  void add(double x) noexcept {
    const double t = sum + x;
    if ((sum >= 0 ? sum : -sum) >= (x >= 0 ? x : -x))
      carry += (sum - t) + x;
    else
      carry += (x - t) + sum;
    sum = t;
  }
  double value() const noexcept { return sum + carry; }
};
}  // namespace detail

class Vwap {
 public:
  // anchor_period_ns = 0: never restarts by itself (reset() anchors it).
  explicit Vwap(std::int64_t anchor_period_ns = 0, std::int64_t anchor_offset_ns = 0)
      : period_(checked(anchor_period_ns)), offset_(anchor_offset_ns) {}

  // A trade or any (price, volume) pair. Volume must be >= 0.
  double update(double price, double volume, std::int64_t ts_ns = 0) {
    check(price, volume, "VWAP.update");
    return step(price, volume, ts_ns);
  }
  // A bar, weighted at its typical price.
  double update(const Bar& bar) {
    require_valid_bar(bar);
    return step(typical_price(bar), bar.volume, bar.ts_ns);
  }
  double step(double price, double volume, std::int64_t ts_ns) noexcept {
    roll_anchor(ts_ns);
    pv_.add(price * volume);
    v_.add(volume);
    return value();
  }
  double peek(double price, double volume, std::int64_t ts_ns = 0) const {
    check(price, volume, "VWAP.peek");
    Vwap copy = *this;
    return copy.step(price, volume, ts_ns);
  }
  // NaN until some volume has traded since the anchor.
  double value() const noexcept {
    const double v = v_.value();
    return v > 0.0 ? pv_.value() / v : kNaN;
  }
  static double typical_price(const Bar& bar) noexcept {
    return (bar.high + bar.low + bar.close) / 3.0;
  }
  bool ready() const noexcept { return v_.value() > 0.0; }
  int lookback() const noexcept { return 0; }
  // Anchors the VWAP here: the next update starts new sums.
  void reset() noexcept {
    pv_ = {};
    v_ = {};
  }

 private:
  static std::int64_t checked(std::int64_t period) {
    if (period < 0) throw_invalid("VWAP anchor period must be >= 0 (0 = no periodic anchor)");
    return period;
  }
  static void check(double price, double volume, const char* who) {
    require_finite(price, who);
    require_finite(volume, who);
    if (volume < 0.0) throw_invalid(std::string(who) + ": volume must be >= 0");
  }
  void roll_anchor(std::int64_t ts_ns) noexcept {
    if (period_ == 0) return;
    const std::int64_t shifted = ts_ns - offset_;
    std::int64_t session = shifted / period_;
    if (shifted % period_ < 0) --session;  // floor division for times before the offset
    if (has_session_ && session == session_) return;
    if (has_session_) reset();
    session_ = session;
    has_session_ = true;
  }

  std::int64_t period_;
  std::int64_t offset_;
  std::int64_t session_ = 0;
  bool has_session_ = false;
  detail::CompensatedSum pv_;
  detail::CompensatedSum v_;
};

}  // namespace ztrade
