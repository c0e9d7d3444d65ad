#include "execution/order.hpp"

namespace ztrade::execution {

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

Transition Order::accept() noexcept {
  if (status != OrderStatus::kPendingNew) return Transition::kIllegal;
  status = OrderStatus::kNew;
  return Transition::kOk;
}

Transition Order::reject() noexcept {
  if (status != OrderStatus::kPendingNew && status != OrderStatus::kNew) {
    return Transition::kIllegal;
  }
  status = OrderStatus::kRejected;
  return Transition::kOk;
}

Transition Order::cancel() noexcept {
  if (!is_open(status)) return Transition::kIllegal;
  status = OrderStatus::kCanceled;
  return Transition::kOk;
}

Transition Order::expire() noexcept {
  if (!is_open(status)) return Transition::kIllegal;
  status = OrderStatus::kExpired;
  return Transition::kOk;
}

Transition Order::fill(double qty, double price) noexcept {
  if (status != OrderStatus::kNew && status != OrderStatus::kPartiallyFilled) {
    return Transition::kIllegal;
  }
  if (!(qty > 0) || !(price > 0)) return Transition::kIllegal;
  // Tolerate rounding dust, never a real overfill.
  if (filled + qty > quantity * (1 + 1e-12)) return Transition::kOverfill;
  avg_fill_price = (avg_fill_price * filled + price * qty) / (filled + qty);
  filled += qty;
  status = filled >= quantity * (1 - 1e-12) ? OrderStatus::kFilled : OrderStatus::kPartiallyFilled;
  return Transition::kOk;
}

}  // namespace ztrade::execution
