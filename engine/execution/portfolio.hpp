#pragma once
// Positions and P&L per symbol: average-cost accounting (core/holding.hpp), unrealised P&L
// marked to the last price.
#include <string>
#include <string_view>
#include <unordered_map>

#include "bus/messages.hpp"
#include "core/holding.hpp"

namespace ztrade::execution {

struct Position : Holding {
  double mark = 0;  // last price seen
  double unrealized() const noexcept { return Holding::unrealized(mark); }
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
