#pragma once
// Alpaca trading's messages as the broker uses them (docs/alpaca-trading.md, from Alpaca's
// trading API v2 and trade_updates stream): fixed-size values, parsed without allocation.
#include <cstdint>
#include <string_view>

#include "bus/messages.hpp"

namespace ztrade::brokers::alpaca_paper {

// An order's `status` (and the trade_updates `event`, which names the same states plus a few
// of its own). Only what the state machine acts on is told apart; the rest is kOther.
enum class Status : std::uint8_t {
  kOther,  // pending_new, accepted, pending_cancel, calculated, held, ...: no state change
  kNew,
  kPartiallyFilled,  // event partial_fill
  kFilled,           // event fill
  kDoneForDay,
  kCanceled,
  kExpired,
  kReplaced,
  kRejected,
  kTradeBust,  // trade_bust / trade_correct: a past fill changed (counted, not applied)
};
Status status_from(std::string_view text) noexcept;
std::string_view status_text(Status s) noexcept;
// Final at Alpaca: nothing more will happen to the order.
inline bool is_final(Status s) noexcept {
  return s == Status::kFilled || s == Status::kCanceled || s == Status::kExpired ||
         s == Status::kReplaced || s == Status::kRejected;
}

using OrderId = wire::FixedString<40>;        // Alpaca's UUID (36 characters)
using ClientOrderId = wire::FixedString<48>;  // Alpaca allows at most 48

// The fields of an Order object the broker reads (REST responses and trade_updates).
struct OrderView {
  OrderId id;
  ClientOrderId client_order_id;
  wire::Symbol symbol;
  wire::Side side = wire::Side::kNone;
  Status status = Status::kOther;
  double qty = 0;         // 0 for a notional order
  double filled_qty = 0;  // cumulative
  double filled_avg_price = 0;
  double limit_price = 0;
};

struct TradeUpdate {
  Status event = Status::kOther;
  std::string_view event_text;  // into the frame: valid while the frame is
  OrderView order;
  double price = 0;  // fill / partial_fill: this execution's price
  double qty = 0;    // fill / partial_fill: this execution's quantity
  bool has_position_qty = false;
  double position_qty = 0;
  std::int64_t timestamp_ns = 0;
};

struct PositionView {
  wire::Symbol symbol;
  double qty = 0;  // signed: negative when short
  double avg_entry_price = 0;
};

// An error body: {"code": 40310000, "message": "insufficient buying power"}.
struct ErrorView {
  std::uint64_t code = 0;
  wire::FixedString<64> message;
};

struct ClockView {
  bool is_open = false;
  std::int64_t timestamp_ns = 0;
  std::int64_t next_open_ns = 0;
  std::int64_t next_close_ns = 0;
};

}  // namespace ztrade::brokers::alpaca_paper
