#pragma once
// An order and its explicit state machine. Every change of state goes through apply(), which
// refuses transitions that cannot happen (a fill after a cancel, a second acceptance, an
// overfill) instead of corrupting the order: the caller counts and logs the refusal.
//
//   PendingNew --accept--> New --fill(part)--> PartiallyFilled --fill(rest)--> Filled
//       |                   |  \------------------fill(all)------------------->  Filled
//       +--reject--> Rejected   +--cancel/expire--> Canceled/Expired (also from PartiallyFilled)
#include <cstdint>
#include <string_view>

#include "bus/messages.hpp"

namespace ztrade::execution {

enum class OrderStatus : std::uint8_t {
  kPendingNew,
  kNew,
  kPartiallyFilled,
  kFilled,
  kCanceled,
  kRejected,
  kExpired,
};
std::string_view status_name(OrderStatus s) noexcept;
inline bool is_open(OrderStatus s) noexcept {
  return s == OrderStatus::kPendingNew || s == OrderStatus::kNew ||
         s == OrderStatus::kPartiallyFilled;
}

enum class Transition : std::uint8_t { kOk, kIllegal, kOverfill };

// Fixed-size value type: no heap string per order (the wire's own 16-byte text fields).
struct Order {
  std::uint64_t client_order_id = 0;
  wire::Symbol symbol;
  wire::StrategyId strategy;
  wire::Side side = wire::Side::kBuy;
  wire::OrderType type = wire::OrderType::kMarket;
  double quantity = 0;
  double limit_price = 0;
  std::int64_t created_ns = 0;
  OrderStatus status = OrderStatus::kPendingNew;
  double filled = 0;
  double avg_fill_price = 0;

  double leaves() const noexcept { return is_open(status) ? quantity - filled : 0.0; }

  Transition accept() noexcept;
  Transition reject() noexcept;
  Transition cancel() noexcept;
  Transition expire() noexcept;
  // A fill of qty at price; moves to PartiallyFilled or Filled.
  Transition fill(double qty, double price) noexcept;
};

}  // namespace ztrade::execution
