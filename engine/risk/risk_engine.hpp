#pragma once
// Pre-trade risk: turns signals into orders (target position from strength and size) and checks
// every order against the limits, each check with its own reason code. Keeps the trading state
// (ACTIVE / REDUCING / HALTED): the kill switch halts, and so does a daily-loss breach.
//
// Pure logic, no sockets: the risk component feeds it market data, positions and signals, and
// publishes what it decides. Per-symbol state lives in a table indexed by symbol; a new symbol
// allocates once, a known one never.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bus/messages.hpp"
#include "risk/reject_reason.hpp"

namespace ztrade::risk {

struct RiskLimits {
  double order_size = 100;  // quantity for |strength| = 1
  bool limit_orders = false;
  double limit_offset_bps = 5;
  double max_order_qty = 1000;
  double max_order_notional = 100000;
  double max_position = 2000;
  double max_gross_exposure = 1000000;
  double price_band_pct = 5;
  int max_orders_per_s = 50;
  double daily_loss_limit = 10000;
  double stale_data_ms = 0;  // 0: off
};

struct OrderIntent {
  std::string_view symbol;
  wire::Side side = wire::Side::kNone;
  wire::OrderType type = wire::OrderType::kMarket;
  double quantity = 0;
  double limit_price = 0;  // limit orders
};

struct Decision {
  RejectReason reason = RejectReason::kNone;
  double reference_price = 0;  // the price the checks used
  bool accepted() const noexcept { return reason == RejectReason::kNone; }
};

class RiskEngine {
 public:
  explicit RiskEngine(const RiskLimits& limits) : limits_(limits) {}

  // Market data: the last trade price (or bar close, or quote mid) per symbol.
  void on_price(std::string_view symbol, double price, std::int64_t ts_ns);
  // Position updates from execution (signed quantity, average price, P&L).
  void on_position(const wire::PositionMsg& position);
  // Quantity sent but not yet reflected in positions (signed). check() adds accepted orders;
  // the risk component subtracts fills (before the position update that includes them arrives)
  // and the unfilled rest of rejected/canceled/expired orders, so two quick signals do not
  // both buy the full target.
  void add_pending(std::string_view symbol, double signed_qty);
  // A fill reported by execution: moves signed_qty from pending into the position at once, so
  // position + pending never double-counts or misses it while the position update that
  // follows is in flight (that update then sets the same quantity).
  void on_fill(std::string_view symbol, double signed_qty);

  // The order that moves the symbol toward strength * order_size (rounded to whole units), or
  // nothing when already there. Strength is clamped to [-1, 1].
  std::optional<OrderIntent> size_signal(std::string_view symbol, double strength) const;

  // Runs every check in a fixed order and returns the first failure, or acceptance. An
  // accepted order counts toward the rate limit and the pending quantity.
  Decision check(const OrderIntent& order, std::int64_t now_ns);

  TradingState state() const noexcept { return state_; }
  // Operator action (control endpoint) or automatic (daily loss): HALTED stays until set back.
  void set_state(TradingState s) noexcept { state_ = s; }

  double position(std::string_view symbol) const;
  double pending(std::string_view symbol) const;
  double last_price(std::string_view symbol) const;
  double total_pnl() const noexcept;  // realised + unrealised over all symbols
  double gross_exposure() const noexcept;
  const std::array<std::uint64_t, kRejectReasonCount>& rejects() const noexcept { return rejects_; }
  std::uint64_t accepted() const noexcept { return accepted_; }
  const RiskLimits& limits() const noexcept { return limits_; }

 private:
  struct SymbolState {
    double last_price = 0;
    std::int64_t last_price_ns = 0;
    double position = 0;
    double avg_price = 0;
    double pending = 0;
    double realized = 0;
    double unrealized = 0;
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  SymbolState& state_of(std::string_view symbol);
  const SymbolState* find(std::string_view symbol) const;
  Decision reject(RejectReason r, double ref) noexcept;
  bool rate_exceeded(std::int64_t now_ns) const noexcept;

  RiskLimits limits_;
  TradingState state_ = TradingState::kActive;
  std::unordered_map<std::string, SymbolState, Hash, std::equal_to<>> symbols_;
  std::vector<std::int64_t> recent_orders_;  // ring of the last max_orders_per_s send times
  std::size_t recent_next_ = 0;
  std::array<std::uint64_t, kRejectReasonCount> rejects_{};
  std::uint64_t accepted_ = 0;
};

}  // namespace ztrade::risk
