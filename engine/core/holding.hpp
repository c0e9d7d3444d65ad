#pragma once
// Average-cost accounting of one symbol's holding, shared by execution's portfolio and risk's
// event-time P&L so that both compute the same numbers from the same fills: adding to a
// position moves its average price; reducing realises (fill price - average) per unit;
// crossing through zero realises the closed part and opens the rest at the fill price.
#include <cmath>

namespace ztrade {

struct Holding {
  double quantity = 0;  // signed: > 0 long, < 0 short
  double avg_price = 0;
  double realized = 0;

  void apply_fill(double signed_qty, double price) noexcept {
    const double qty = std::fabs(signed_qty);
    if (quantity == 0 || (quantity > 0) == (signed_qty > 0)) {
      // Opening or adding: volume-weighted average price.
      const double new_qty = quantity + signed_qty;
      avg_price = (avg_price * std::fabs(quantity) + price * qty) / std::fabs(new_qty);
      quantity = new_qty;
      return;
    }
    // Reducing, possibly through zero.
    const double closed = std::fmin(qty, std::fabs(quantity));
    const double direction = quantity > 0 ? 1.0 : -1.0;
    realized += closed * (price - avg_price) * direction;
    quantity += signed_qty;
    if (std::fabs(quantity) < 1e-12) {
      quantity = 0;
      avg_price = 0;
    } else if ((quantity > 0) != (direction > 0)) {
      avg_price = price;  // flipped: the remainder opened at this fill
    }
  }
  // Unrealised P&L at `mark` (0 without a mark).
  double unrealized(double mark) const noexcept {
    return mark > 0 && quantity != 0 ? quantity * (mark - avg_price) : 0.0;
  }
};

}  // namespace ztrade
