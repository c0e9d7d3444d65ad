#pragma once
// Why risk refused an order. Every pre-trade check has its own code; the code travels in
// RiskReject messages (wire u16) and labels the rejects-by-reason metrics.
#include <array>
#include <cstdint>
#include <string_view>

namespace ztrade::risk {

enum class RejectReason : std::uint16_t {
  kNone = 0,
  kTradingHalted = 1,    // state HALTED (kill switch or daily-loss breach)
  kReducingOnly = 2,     // state REDUCING and the order would grow the position
  kNoMarketData = 3,     // no price seen yet for the symbol
  kStaleMarketData = 4,  // last price older than stale_data_ms
  kInvalidOrder = 5,     // quantity <= 0, non-finite, or a limit order without a price
  kMaxOrderQty = 6,
  kMaxOrderNotional = 7,
  kPriceBand = 8,    // limit price too far from the last price (fat finger)
  kMaxPosition = 9,  // resulting position beyond max_position
  kMaxGrossExposure = 10,
  kOrderRate = 11,  // more than max_orders_per_s in the last second
  kDailyLoss = 12,  // realised + unrealised loss at or beyond daily_loss_limit
};
inline constexpr std::size_t kRejectReasonCount = 13;

constexpr std::string_view reason_name(RejectReason r) noexcept {
  constexpr std::array<std::string_view, kRejectReasonCount> names{
      "none",           "trading_halted",     "reducing_only",
      "no_market_data", "stale_market_data",  "invalid_order",
      "max_order_qty",  "max_order_notional", "price_band",
      "max_position",   "max_gross_exposure", "order_rate",
      "daily_loss"};
  const auto i = static_cast<std::size_t>(r);
  return i < names.size() ? names[i] : "unknown";
}

enum class TradingState : std::uint8_t { kActive = 0, kReducing = 1, kHalted = 2 };

constexpr std::string_view state_name(TradingState s) noexcept {
  switch (s) {
    case TradingState::kActive:
      return "ACTIVE";
    case TradingState::kReducing:
      return "REDUCING";
    case TradingState::kHalted:
      return "HALTED";
  }
  return "UNKNOWN";
}

}  // namespace ztrade::risk
