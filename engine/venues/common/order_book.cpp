#include "venues/common/order_book.hpp"

#include <algorithm>
#include <cmath>

namespace ztrade::venues {

void OrderBook::set(Side side, std::int64_t price, std::int64_t qty) {
  auto& levels = side == Side::kBid ? bids_ : asks_;
  // Bids best-first is descending, asks ascending.
  const auto before = [side](const Level& l, std::int64_t p) {
    return side == Side::kBid ? l.price > p : l.price < p;
  };
  auto it = std::lower_bound(levels.begin(), levels.end(), price, before);
  const bool exists = it != levels.end() && it->price == price;
  if (qty == 0) {
    if (exists) levels.erase(it);
    return;
  }
  if (exists) {
    it->qty = qty;
  } else {
    levels.insert(it, Level{price, qty});
  }
}

void OrderBook::truncate(std::size_t depth) noexcept {
  if (bids_.size() > depth) bids_.resize(depth);
  if (asks_.size() > depth) asks_.resize(depth);
}

bool OrderBook::top_changed(wire::QuoteMsg& last) const noexcept {
  wire::QuoteMsg now{};
  top(now);
  if (now.bid_price == last.bid_price && now.bid_size == last.bid_size &&
      now.ask_price == last.ask_price && now.ask_size == last.ask_size) {
    return false;
  }
  last.bid_price = now.bid_price;
  last.bid_size = now.bid_size;
  last.ask_price = now.ask_price;
  last.ask_size = now.ask_size;
  return true;
}

void OrderBook::top(wire::QuoteMsg& out) const noexcept {
  // Dividing by an exact power of ten gives the double nearest the decimal (multiplying by
  // 10^-n would not: 10^-n itself is inexact).
  const double p = std::pow(10.0, price_scale_), q = std::pow(10.0, qty_scale_);
  out.bid_price = bids_.empty() ? 0 : static_cast<double>(bids_.front().price) / p;
  out.bid_size = bids_.empty() ? 0 : static_cast<double>(bids_.front().qty) / q;
  out.ask_price = asks_.empty() ? 0 : static_cast<double>(asks_.front().price) / p;
  out.ask_size = asks_.empty() ? 0 : static_cast<double>(asks_.front().qty) / q;
}

}  // namespace ztrade::venues
