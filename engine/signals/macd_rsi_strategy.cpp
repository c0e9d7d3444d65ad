#include "signals/macd_rsi_strategy.hpp"

namespace ztrade::signals {

std::optional<Decision> MacdRsiStrategy::on_features(std::string_view symbol, const FeatureRow& f,
                                                     bool ready) {
  if (!ready) return std::nullopt;
  const double hist = f[static_cast<std::size_t>(Feature::kMacdHist)];
  const double rsi = f[static_cast<std::size_t>(Feature::kRsi)];
  auto it = prev_hist_.find(symbol);
  if (it == prev_hist_.end()) {
    prev_hist_.emplace(std::string(symbol), hist);
    return std::nullopt;
  }
  const double prev = it->second;
  it->second = hist;
  if (prev <= 0 && hist > 0 && rsi < params_.rsi_buy_below) return Decision{+1, 1.0};
  if (prev >= 0 && hist < 0 && rsi > params_.rsi_sell_above) return Decision{-1, -1.0};
  return std::nullopt;
}

}  // namespace ztrade::signals
