#include "execution/portfolio.hpp"

namespace ztrade::execution {

Position& Portfolio::at(std::string_view symbol) {
  auto it = positions_.find(symbol);
  if (it == positions_.end()) it = positions_.emplace(std::string(symbol), Position{}).first;
  return it->second;
}

void Portfolio::apply_fill(std::string_view symbol, wire::Side side, double qty, double price) {
  Position& p = at(symbol);
  p.Holding::apply_fill(side == wire::Side::kBuy ? qty : -qty, price);
  if (p.mark == 0) p.mark = price;
}

void Portfolio::mark(std::string_view symbol, double price) {
  if (price > 0) at(symbol).mark = price;
}

const Position* Portfolio::find(std::string_view symbol) const {
  auto it = positions_.find(symbol);
  return it == positions_.end() ? nullptr : &it->second;
}

wire::PositionMsg Portfolio::message(std::string_view symbol) const {
  wire::PositionMsg m{};
  m.symbol.assign_truncated(symbol);  // an order's symbol: fits by construction
  if (const Position* p = find(symbol)) {
    m.quantity = p->quantity;
    m.avg_price = p->avg_price;
    m.realized_pnl = p->realized;
    m.unrealized_pnl = p->unrealized();
    m.mark_price = p->mark;
  }
  return m;
}

double Portfolio::realized() const noexcept {
  double r = 0;
  for (const auto& [_, p] : positions_) r += p.realized;
  return r;
}

double Portfolio::unrealized() const noexcept {
  double u = 0;
  for (const auto& [_, p] : positions_) u += p.unrealized();
  return u;
}

}  // namespace ztrade::execution
