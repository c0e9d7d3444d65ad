#pragma once
// Positions and P&L with average-cost accounting: adding to a position moves its average
// price; reducing realises (fill price - average) per unit; crossing through zero realises the
// closed part and opens the rest at the fill price. Unrealised P&L marks to the last price.
#include <string>
#include <string_view>
#include <unordered_map>

#include "bus/messages.hpp"

namespace ztrade::execution {

struct Position {
  double quantity = 0;  // signed
  double avg_price = 0;
  double realized = 0;
  double mark = 0;  // last price seen
  double unrealized() const noexcept { return mark > 0 ? quantity * (mark - avg_price) : 0.0; }
};

class Portfolio {
 public:
  void apply_fill(std::string_view symbol, wire::Side side, double qty, double price);
  void mark(std::string_view symbol, double price);
  const Position* find(std::string_view symbol) const;
  wire::PositionMsg message(std::string_view symbol) const;
  double realized() const noexcept;
  double unrealized() const noexcept;
  const auto& positions() const noexcept { return positions_; }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  Position& at(std::string_view symbol);
  std::unordered_map<std::string, Position, Hash, std::equal_to<>> positions_;
};

}  // namespace ztrade::execution
