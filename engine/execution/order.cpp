#include "execution/order.hpp"

#include <array>

namespace ztrade::execution {

namespace {

using S = OrderStatus;

// What an event does in each state: the next state, or illegal. A fill's next state is
// decided by quantity: kFillBy (partially filled or filled); a late fill keeps the state it
// arrives in unless it completes the order: kLateFill.
constexpr auto kIllegal = static_cast<S>(0xff);
constexpr auto kFillBy = static_cast<S>(0xfe);
constexpr auto kLateFill = static_cast<S>(0xfd);

//                                     accept    reject      cancel       expire     fill
constexpr std::array<std::array<S, kOrderEventCount>, kOrderStatusCount> kTransitions{{
    /* PendingNew      */ {S::kNew, S::kRejected, S::kCanceled, S::kExpired, kIllegal},
    /* New             */ {kIllegal, S::kRejected, S::kCanceled, S::kExpired, kFillBy},
    /* PartiallyFilled */ {kIllegal, kIllegal, S::kCanceled, S::kExpired, kFillBy},
    /* Filled          */ {kIllegal, kIllegal, kIllegal, kIllegal, kIllegal},
    /* Canceled        */ {kIllegal, kIllegal, kIllegal, kIllegal, kLateFill},
    /* Rejected        */ {kIllegal, kIllegal, kIllegal, kIllegal, kIllegal},
    /* Expired         */ {kIllegal, kIllegal, kIllegal, kIllegal, kLateFill},
}};

}  // namespace

std::string_view status_name(OrderStatus s) noexcept {
  switch (s) {
    case OrderStatus::kPendingNew:
      return "pending_new";
    case OrderStatus::kNew:
      return "new";
    case OrderStatus::kPartiallyFilled:
      return "partially_filled";
    case OrderStatus::kFilled:
      return "filled";
    case OrderStatus::kCanceled:
      return "canceled";
    case OrderStatus::kRejected:
      return "rejected";
    case OrderStatus::kExpired:
      return "expired";
  }
  return "unknown";
}

Transition Order::apply(OrderEvent event, double qty, double price) noexcept {
  const auto from = static_cast<std::size_t>(status);
  const auto e = static_cast<std::size_t>(event);
  if (from >= kOrderStatusCount || e >= kOrderEventCount) return Transition::kIllegal;
  const S to = kTransitions[from][e];
  if (to == kIllegal) return Transition::kIllegal;
  if (event != OrderEvent::kFill) {
    status = to;
    return Transition::kOk;
  }
  if (!(qty > 0) || !(price > 0)) return Transition::kIllegal;
  // Tolerate rounding dust, never a real overfill.
  if (filled + qty > quantity * (1 + 1e-12)) return Transition::kOverfill;
  avg_fill_price = (avg_fill_price * filled + price * qty) / (filled + qty);
  filled += qty;
  const bool complete = filled >= quantity * (1 - 1e-12);
  if (complete) {
    status = S::kFilled;
  } else if (to == kFillBy) {
    status = S::kPartiallyFilled;
  }  // kLateFill: stays canceled / expired
  return Transition::kOk;
}

}  // namespace ztrade::execution
