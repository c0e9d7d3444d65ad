#pragma once
// A price-level order book for one symbol, built from a venue's snapshot and updates. Prices
// and sizes are exact fixed-point integers (units of 10^-scale, see decimal.hpp), so a level
// is found by equality and checksums see the venue's digits. Each side is a sorted vector,
// best level first: books are tens to a few thousand levels deep, where a contiguous vector
// beats a tree, and capacity kept across clear() means no allocation in steady state.
#include <cstdint>
#include <span>
#include <vector>

#include "bus/messages.hpp"

namespace ztrade::venues {

class OrderBook {
 public:
  struct Level {
    std::int64_t price;
    std::int64_t qty;
  };
  enum class Side : std::uint8_t { kBid, kAsk };

  OrderBook(int price_scale, int qty_scale) : price_scale_(price_scale), qty_scale_(qty_scale) {}

  void clear() noexcept {
    bids_.clear();
    asks_.clear();
  }
  // Sets the level's quantity; 0 removes it (removing an absent level is a no-op).
  void set(Side side, std::int64_t price, std::int64_t qty);
  // Keeps the best `depth` levels of each side (venues stop sending levels beyond the
  // subscribed depth without deleting them).
  void truncate(std::size_t depth) noexcept;

  std::span<const Level> bids() const noexcept { return bids_; }  // descending price
  std::span<const Level> asks() const noexcept { return asks_; }  // ascending price
  bool empty() const noexcept { return bids_.empty() && asks_.empty(); }
  // A crossed or locked book (best bid >= best ask) means we missed something.
  bool crossed() const noexcept {
    return !bids_.empty() && !asks_.empty() && bids_.front().price >= asks_.front().price;
  }
  int price_scale() const noexcept { return price_scale_; }
  int qty_scale() const noexcept { return qty_scale_; }

  // Fills the quote's bid/ask from the top of the book (0 for an empty side).
  void top(wire::QuoteMsg& out) const noexcept;
  // True when the top differs from `last` (then `last` takes the new top's prices and sizes):
  // books publish a quote only when their top moved.
  bool top_changed(wire::QuoteMsg& last) const noexcept;

 private:
  int price_scale_, qty_scale_;
  std::vector<Level> bids_, asks_;
};

}  // namespace ztrade::venues
