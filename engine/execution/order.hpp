#pragma once
// An order and its state machine, as a table (kTransitions in order.cpp): every change of
// state goes through apply(), which refuses what cannot happen (a second acceptance, a fill
// before acceptance, an overfill) instead of corrupting the order; the caller counts and logs
// the refusal.
//
//   PendingNew --accept--> New --fill(part)--> PartiallyFilled --fill(rest)--> Filled
//       |                   |  \------------------fill(all)------------------->  Filled
//       +--reject--> Rejected <--reject (the broker refused it)
//                           +--cancel/expire--> Canceled/Expired (also from PartiallyFilled)
//
// What real brokers do is accepted: a fill that arrives after the cancel (or the expiry) was
// reported - the broker filled it before the cancel took - is applied, so positions match the
// broker's; the order stays canceled unless the fill completes it.
#include <algorithm>
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
inline constexpr std::size_t kOrderStatusCount = 7;
std::string_view status_name(OrderStatus s) noexcept;
inline bool is_open(OrderStatus s) noexcept {
  return s == OrderStatus::kPendingNew || s == OrderStatus::kNew ||
         s == OrderStatus::kPartiallyFilled;
}

enum class OrderEvent : std::uint8_t { kAccept, kReject, kCancel, kExpire, kFill };
inline constexpr std::size_t kOrderEventCount = 5;

enum class Transition : std::uint8_t { kOk, kIllegal, kOverfill };

// An order's time, which the simulated broker fills strictly after: the later of when it was
// decided (the close of its bar) and the latest market event execution had seen when the order
// reached it. So no fill uses a price from before the order existed, nor a price execution had
// already seen: an order that arrives late meets the market as it is then. The backtest calls
// this too, with its own clock (there the decision is always the later of the two).
[[nodiscard]] constexpr std::int64_t order_time(std::int64_t decided_ns,
                                                std::int64_t seen_ns) noexcept {
  return std::max(decided_ns, seen_ns);
}

// Fixed-size value type: no heap string per order (the wire's own fixed text fields).
struct Order {
  std::uint64_t client_order_id = 0;
  wire::Symbol symbol;
  wire::StrategyId strategy;
  wire::Side side = wire::Side::kBuy;
  wire::OrderType type = wire::OrderType::kMarket;
  wire::TimeInForce tif = wire::TimeInForce::kDay;
  double quantity = 0;
  double limit_price = 0;
  std::int64_t created_ns = 0;
  OrderStatus status = OrderStatus::kPendingNew;
  double filled = 0;
  double avg_fill_price = 0;
  wire::FixedString<24> venue_order_id;  // the broker's id, once it has one

  double leaves() const noexcept { return is_open(status) ? quantity - filled : 0.0; }

  // The one entry point of the state machine; `qty`/`price` for kFill.
  Transition apply(OrderEvent event, double qty = 0, double price = 0) noexcept;
  Transition accept() noexcept { return apply(OrderEvent::kAccept); }
  Transition reject() noexcept { return apply(OrderEvent::kReject); }
  Transition cancel() noexcept { return apply(OrderEvent::kCancel); }
  Transition expire() noexcept { return apply(OrderEvent::kExpire); }
  // A fill of qty at price; moves to PartiallyFilled or Filled (or, late, see above).
  Transition fill(double qty, double price) noexcept {
    return apply(OrderEvent::kFill, qty, price);
  }
};

}  // namespace ztrade::execution
