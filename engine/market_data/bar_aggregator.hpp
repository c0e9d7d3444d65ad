#pragma once
// Time bars from trades, per symbol: a bar covers [start, start + interval) aligned to the
// epoch; it is emitted when the first trade of a later interval arrives (or on flush()).
// Intervals without trades produce no bar (no synthetic flat bars).
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "bus/messages.hpp"

namespace ztrade::market_data {

class BarAggregator {
 public:
  explicit BarAggregator(std::int64_t interval_ns);

  // Folds a trade in; if it closes the symbol's current bar, writes that bar to `closed` and
  // returns true. Out-of-order trades (older than the current bar) are counted and ignored.
  bool on_trade(std::string_view symbol, double price, double size, std::int64_t ts_ns,
                wire::BarMsg& closed);
  // Emits every open bar (end of replay / shutdown) through f(const BarMsg&).
  template <class F>
  void flush(F&& f) {
    for (auto& [_, s] : bars_) {
      if (s.open) f(s.bar);
      s.open = false;
    }
  }
  std::uint64_t late_trades() const noexcept { return late_; }

 private:
  struct State {
    wire::BarMsg bar{};
    bool open = false;
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  std::int64_t interval_;
  std::unordered_map<std::string, State, Hash, std::equal_to<>> bars_;
  std::uint64_t late_ = 0;
};

}  // namespace ztrade::market_data
