#pragma once
// Pre-trade risk: turns signals into orders (target position from strength and size) and checks
// every order against the limits, each check with its own reason code. Keeps the trading state
// (ACTIVE / REDUCING / HALTED): the kill switch halts, and so does a daily-loss breach.
//
// Decisions are made in event time: a signal made at time T is sized and checked against the
// market price at T (PriceHistory), and the daily loss at T counts exactly the fills that
// happened at or before T, marked to the prices at T. So the same session makes the same
// decisions whether it is replayed at full speed or at recorded pace, and whatever order the
// processes' messages happen to arrive in (the risk component makes sure every fill up to T
// is known before it asks).
//
// Pure logic, no sockets: the risk component feeds it market data, fills, positions and
// signals, and publishes what it decides. Per-symbol state lives in a table indexed by symbol;
// a new symbol allocates once, a known one never.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bus/messages.hpp"
#include "core/holding.hpp"
#include "core/price_history.hpp"
#include "risk/reject_reason.hpp"
#include "risk/risk_config.hpp"
#include "risk/trading_day.hpp"

namespace ztrade::risk {

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
  // Throws std::invalid_argument for a day_boundary the config reader would refuse.
  explicit RiskEngine(const RiskConfig& limits);

  // Market data: a trade price (or bar close, or quote mid) of symbol at market time ts_ns.
  void on_price(std::string_view symbol, double price, std::int64_t ts_ns);
  // Position updates from execution: the signed quantity it holds (sizing counts it).
  void on_position(const wire::PositionMsg& position);
  // execution's periodic list of what it holds: the position, and - for a symbol this engine
  // has booked no fill of (a restarted risk) - the holding the P&L starts from.
  void on_position_snapshot(const wire::PositionMsg& position);
  // Quantity sent but not yet reflected in positions (signed). check() adds accepted orders;
  // the risk component subtracts fills (before the position update that includes them arrives)
  // and the unfilled rest of rejected/canceled/expired orders, so two quick signals do not
  // both buy the full target.
  void add_pending(std::string_view symbol, double signed_qty);
  // A fill reported by execution, made at market time ts_ns: moves signed_qty from pending into
  // the position at once, so position + pending never double-counts or misses it while the
  // position update that follows is in flight (that update then sets the same quantity); and
  // books it for the P&L from ts_ns on.
  void on_fill(std::string_view symbol, double signed_qty, double price, std::int64_t ts_ns);

  // The order that moves the symbol toward strength * order_size (rounded to whole units), or
  // nothing when already there. Strength is clamped to [-1, 1]. Limit orders are priced off the
  // market at now_ns.
  std::optional<OrderIntent> size_signal(std::string_view symbol, double strength,
                                         std::int64_t now_ns = INT64_MAX) const;

  // Runs every check in a fixed order, against the market and the P&L at now_ns (event time),
  // and returns the first failure, or acceptance. An accepted order counts toward the rate
  // limit and the pending quantity.
  Decision check(const OrderIntent& order, std::int64_t now_ns);

  TradingState state() const noexcept { return state_; }
  // Operator action (control endpoint) or automatic (daily loss): HALTED stays until set back.
  void set_state(TradingState s) noexcept {
    state_ = s;
    halted_by_loss_ = false;
  }

  double position(std::string_view symbol) const;
  double pending(std::string_view symbol) const;
  double last_price(std::string_view symbol) const;
  // Realised + unrealised over all symbols at event time ts_ns: the fills made at or before
  // ts_ns, marked to each symbol's price at ts_ns. Folds in the booked fills up to ts_ns, so
  // ts_ns must not go backwards between calls (a later call with an earlier time sees the
  // fills already folded in).
  double pnl_at(std::int64_t ts_ns) noexcept;
  // The P&L of the trading day holding ts_ns (risk.day_boundary): pnl_at(ts_ns) less the P&L
  // at the day's start. Entering a new day ends a halt the daily loss caused. Same ordering
  // rule as pnl_at.
  double day_pnl_at(std::int64_t ts_ns) noexcept;
  // Trading days begun after the first (each resets the daily loss).
  std::uint64_t day_rolls() const noexcept { return day_rolls_; }
  // For display (metrics, status): every fill reported so far, marked to the latest prices.
  double pnl_latest() const noexcept;
  double gross_exposure(std::int64_t ts_ns = INT64_MAX) const noexcept;
  // Times a decision needed a price older than the history kept (decided on the oldest kept).
  std::uint64_t history_overruns() const noexcept { return overruns_; }
  const std::array<std::uint64_t, kRejectReasonCount>& rejects() const noexcept { return rejects_; }
  std::uint64_t accepted() const noexcept { return accepted_; }
  const RiskConfig& limits() const noexcept { return limits_; }

 private:
  struct SymbolState {
    PriceHistory prices;
    double position = 0;  // as execution reports it (sizing)
    double pending = 0;
    Holding booked;           // the fills folded into the P&L so far (event time)
    bool has_fills = false;   // booked from fills (else from a snapshot, or nothing yet)
    bool in_open = false;     // listed in open_ (booked quantity != 0)
    bool in_exposed = false;  // listed in exposed_ (position + pending != 0)
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  struct BookedFill {
    std::int64_t ts_ns;
    SymbolState* symbol;  // stable: unordered_map nodes do not move
    double signed_qty;
    double price;
  };
  SymbolState& state_of(std::string_view symbol);
  const SymbolState* find(std::string_view symbol) const;
  std::optional<PriceHistory::Point> price_at(const SymbolState& s, std::int64_t ts_ns) const;
  Decision reject(RejectReason r, double ref) noexcept;
  // Keeps open_ and exposed_ in step with s after any change to its holding or quantities.
  void track(SymbolState& s);
  bool rate_exceeded(std::int64_t now_ns) const noexcept;

  RiskConfig limits_;
  bool limit_orders_;  // limits_.order_type == "limit", decided once
  TradingState state_ = TradingState::kActive;
  bool halted_by_loss_ = false;  // the halt came from the daily loss (it ends with the day)
  TradingDay day_;
  TradingDay::Span today_{INT64_MIN, INT64_MIN};  // the current trading day; none yet
  double day_start_pnl_ = 0;
  std::uint64_t day_rolls_ = 0;
  std::unordered_map<std::string, SymbolState, Hash, std::equal_to<>> symbols_;
  std::vector<BookedFill> fills_;  // reported, not yet folded into the P&L; by time
  // Running totals, so a check costs the symbols that hold something, not every symbol ever
  // seen: the realised P&L of every booked holding, the symbols with a booked quantity (their
  // unrealised P&L depends on the price at the decision's time), and those with a position or
  // pending quantity (their exposure likewise).
  double realized_total_ = 0;
  std::vector<SymbolState*> open_;
  std::vector<SymbolState*> exposed_;
  mutable std::uint64_t overruns_ = 0;
  std::vector<std::int64_t> recent_orders_;  // ring of the last max_orders_per_s send times
  std::size_t recent_next_ = 0;
  std::array<std::uint64_t, kRejectReasonCount> rejects_{};
  std::uint64_t accepted_ = 0;
};

}  // namespace ztrade::risk
