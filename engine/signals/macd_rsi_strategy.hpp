#pragma once
// The built-in MACD/RSI rule: go long (strength +1) when the MACD histogram crosses above zero
// while RSI is below `rsi_buy_below`; go short (-1) when it crosses below zero while RSI is above
// `rsi_sell_above`. One decision per symbol per bar, only once features are ready.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "features/feature_computer.hpp"

namespace ztrade::signals {

struct MacdRsiParams {
  double rsi_buy_below = 50;
  double rsi_sell_above = 50;
};

struct Decision {
  std::int8_t direction;  // +1 long, -1 short
  double strength;        // in [-1, 1]
};

class MacdRsiStrategy {
 public:
  explicit MacdRsiStrategy(const MacdRsiParams& p) : params_(p) {}
  static constexpr std::string_view kName = "macd_rsi";

  std::optional<Decision> on_features(std::string_view symbol, const FeatureRow& f, bool ready);

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  MacdRsiParams params_;
  std::unordered_map<std::string, double, Hash, std::equal_to<>> prev_hist_;
};

}  // namespace ztrade::signals
