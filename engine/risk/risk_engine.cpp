#include "risk/risk_engine.hpp"

#include <stdexcept>

#include <algorithm>
#include <climits>
#include <cmath>

namespace ztrade::risk {

RiskEngine::SymbolState& RiskEngine::state_of(std::string_view symbol) {
  auto it = symbols_.find(symbol);
  if (it == symbols_.end()) it = symbols_.emplace(std::string(symbol), SymbolState{}).first;
  return it->second;
}

const RiskEngine::SymbolState* RiskEngine::find(std::string_view symbol) const {
  auto it = symbols_.find(symbol);
  return it == symbols_.end() ? nullptr : &it->second;
}

namespace {
template <class T>
void set_membership(std::vector<T*>& list, T* item, bool& listed, bool want) {
  if (listed == want) return;
  listed = want;
  if (want) {
    list.push_back(item);
  } else {
    *std::find(list.begin(), list.end(), item) = list.back();
    list.pop_back();
  }
}
}  // namespace

void RiskEngine::track(SymbolState& s) {
  set_membership(open_, &s, s.in_open, s.booked.quantity != 0);
  set_membership(exposed_, &s, s.in_exposed, s.position + s.pending != 0);
}

std::optional<PriceHistory::Point> RiskEngine::price_at(const SymbolState& s,
                                                        std::int64_t ts_ns) const {
  bool overrun = false;
  auto p = s.prices.at(ts_ns, &overrun);
  if (overrun) ++overruns_;
  return p;
}

void RiskEngine::on_price(std::string_view symbol, double price, std::int64_t ts_ns) {
  if (!(price > 0) || !std::isfinite(price)) return;
  state_of(symbol).prices.record(ts_ns, price);
}

void RiskEngine::on_position(const wire::PositionMsg& p) {
  if (!std::isfinite(p.quantity)) return;
  SymbolState& s = state_of(p.symbol.view());
  s.position = p.quantity;
  track(s);
}

void RiskEngine::on_position_snapshot(const wire::PositionMsg& p) {
  if (!std::isfinite(p.quantity) || !std::isfinite(p.avg_price) || !std::isfinite(p.realized_pnl)) {
    return;
  }
  SymbolState& s = state_of(p.symbol.view());
  s.position = p.quantity;
  if (!s.has_fills) {
    realized_total_ += p.realized_pnl - s.booked.realized;
    s.booked = Holding{p.quantity, p.avg_price, p.realized_pnl};
  }
  track(s);
}

void RiskEngine::add_pending(std::string_view symbol, double signed_qty) {
  SymbolState& s = state_of(symbol);
  s.pending += signed_qty;
  track(s);
}

void RiskEngine::on_fill(std::string_view symbol, double signed_qty, double price,
                         std::int64_t ts_ns) {
  SymbolState& s = state_of(symbol);
  s.pending -= signed_qty;
  s.position += signed_qty;
  s.has_fills = true;
  track(s);
  if (!(price > 0) || !std::isfinite(price) || !std::isfinite(signed_qty)) return;
  // Booked by time: reports mostly arrive in time order, so this is an append.
  const BookedFill f{ts_ns, &s, signed_qty, price};
  const auto at = std::upper_bound(fills_.begin(), fills_.end(), ts_ns,
                                   [](std::int64_t t, const BookedFill& b) { return t < b.ts_ns; });
  fills_.insert(at, f);
}

double RiskEngine::pnl_at(std::int64_t ts_ns) noexcept {
  // Fold in the fills made at or before ts_ns; later ones wait for a later time.
  std::size_t n = 0;
  while (n < fills_.size() && fills_[n].ts_ns <= ts_ns) {
    SymbolState& s = *fills_[n].symbol;
    const double realized_before = s.booked.realized;
    s.booked.apply_fill(fills_[n].signed_qty, fills_[n].price);
    realized_total_ += s.booked.realized - realized_before;
    track(s);
    ++n;
  }
  if (n > 0) fills_.erase(fills_.begin(), fills_.begin() + static_cast<std::ptrdiff_t>(n));
  double pnl = realized_total_;
  for (const SymbolState* s : open_) {
    const auto mark = price_at(*s, ts_ns);
    pnl += s->booked.unrealized(mark ? mark->price : s->booked.avg_price);
  }
  return pnl;
}

double RiskEngine::pnl_latest() const noexcept {
  double pnl = 0;
  for (const auto& [_, s] : symbols_) {
    Holding h = s.booked;
    for (const BookedFill& f : fills_) {
      if (f.symbol == &s) h.apply_fill(f.signed_qty, f.price);
    }
    const auto mark = s.prices.latest();
    pnl += h.realized + h.unrealized(mark ? mark->price : h.avg_price);
  }
  return pnl;
}

std::optional<OrderIntent> RiskEngine::size_signal(std::string_view symbol, double strength,
                                                   std::int64_t now_ns) const {
  if (!std::isfinite(strength)) return std::nullopt;
  strength = std::clamp(strength, -1.0, 1.0);
  if (!limits_.allow_short && strength < 0) strength = 0;  // a short target means flat
  const SymbolState* s = find(symbol);
  const double current = s ? s->position + s->pending : 0.0;
  const double target = std::round(strength * limits_.order_size);
  const double delta = target - current;
  if (std::fabs(delta) < 0.5) return std::nullopt;
  OrderIntent o;
  o.symbol = symbol;
  o.side = delta > 0 ? wire::Side::kBuy : wire::Side::kSell;
  o.quantity = std::fabs(delta);
  const auto market = s ? price_at(*s, now_ns) : std::nullopt;
  if (limit_orders_ && market) {
    // Priced through the market by the offset so it is marketable but bounded.
    const double off = market->price * limits_.limit_offset_bps / 10000.0;
    o.type = wire::OrderType::kLimit;
    o.limit_price = o.side == wire::Side::kBuy ? market->price + off : market->price - off;
  }
  return o;
}

Decision RiskEngine::reject(RejectReason r, double ref) noexcept {
  ++rejects_[static_cast<std::size_t>(r)];
  return {r, ref};
}

bool RiskEngine::rate_exceeded(std::int64_t now_ns) const noexcept {
  if (recent_orders_.size() < static_cast<std::size_t>(limits_.max_orders_per_s)) return false;
  // The ring is full: the oldest of the last N sends is at recent_next_.
  return now_ns - recent_orders_[recent_next_] < 1'000'000'000;
}

namespace {
TradingDay trading_day_of(const RiskConfig& limits) {
  std::string why;
  auto day = TradingDay::parse(limits.day_boundary, &why);
  if (!day) throw std::invalid_argument("risk.day_boundary: " + why);
  return *day;
}
}  // namespace

RiskEngine::RiskEngine(const RiskConfig& limits)
    : limits_(limits), limit_orders_(limits.order_type == "limit"), day_(trading_day_of(limits)) {
  fills_.reserve(1024);
}

double RiskEngine::day_pnl_at(std::int64_t ts_ns) noexcept {
  if (ts_ns >= today_.end_ns || ts_ns < today_.start_ns) {
    const bool first = today_.start_ns == INT64_MIN;
    const auto next = day_.span_of(ts_ns);
    if (next.start_ns > today_.start_ns) {  // time only moves forward (pnl_at's rule)
      // The day starts with the P&L at its boundary (fills up to it, at its prices).
      day_start_pnl_ = first ? 0.0 : pnl_at(next.start_ns);
      today_ = next;
      if (!first) ++day_rolls_;
      if (halted_by_loss_ && !first) {
        state_ = TradingState::kActive;
        halted_by_loss_ = false;
      }
    }
  }
  return pnl_at(ts_ns) - day_start_pnl_;
}

Decision RiskEngine::check(const OrderIntent& o, std::int64_t now_ns) {
  const SymbolState* s = find(o.symbol);
  const double position = s ? s->position + s->pending : 0.0;
  const double signed_qty = o.side == wire::Side::kBuy ? o.quantity : -o.quantity;
  const double after = position + signed_qty;
  const auto market = s ? price_at(*s, now_ns) : std::nullopt;
  const double last = market ? market->price : 0.0;

  (void)day_pnl_at(now_ns);  // a new trading day ends a halt the daily loss caused
  if (state_ == TradingState::kHalted) return reject(RejectReason::kTradingHalted, last);
  if (state_ == TradingState::kReducing &&
      (std::fabs(after) > std::fabs(position) || after * position < 0)) {
    return reject(RejectReason::kReducingOnly, last);
  }
  if (!(o.quantity > 0) || !std::isfinite(o.quantity) || o.side == wire::Side::kNone ||
      (o.type == wire::OrderType::kLimit && !(o.limit_price > 0))) {
    return reject(RejectReason::kInvalidOrder, last);
  }
  if (last <= 0) return reject(RejectReason::kNoMarketData, last);
  if (limits_.stale_data_ms > 0 &&
      static_cast<double>(now_ns - market->ts_ns) > limits_.stale_data_ms * 1e6) {
    return reject(RejectReason::kStaleMarketData, last);
  }
  const double price = o.type == wire::OrderType::kLimit ? o.limit_price : last;
  if (o.quantity > limits_.max_order_qty) return reject(RejectReason::kMaxOrderQty, last);
  if (o.quantity * price > limits_.max_order_notional) {
    return reject(RejectReason::kMaxOrderNotional, last);
  }
  if (o.type == wire::OrderType::kLimit &&
      std::fabs(o.limit_price - last) / last * 100.0 > limits_.price_band_pct) {
    return reject(RejectReason::kPriceBand, last);
  }
  if (std::fabs(after) > limits_.max_position) return reject(RejectReason::kMaxPosition, last);
  const double gross_after =
      gross_exposure(now_ns) - std::fabs(position) * last + std::fabs(after) * last;
  if (gross_after > limits_.max_gross_exposure && std::fabs(after) > std::fabs(position)) {
    return reject(RejectReason::kMaxGrossExposure, last);
  }
  if (rate_exceeded(now_ns)) return reject(RejectReason::kOrderRate, last);
  if (day_pnl_at(now_ns) <= -limits_.daily_loss_limit) {
    state_ = TradingState::kHalted;  // automatic kill switch on a daily-loss breach
    halted_by_loss_ = true;
    return reject(RejectReason::kDailyLoss, last);
  }

  // Accepted: count it toward the rate window and the pending quantity.
  const auto cap = static_cast<std::size_t>(limits_.max_orders_per_s);
  if (recent_orders_.size() < cap) {
    recent_orders_.push_back(now_ns);
  } else {
    recent_orders_[recent_next_] = now_ns;
  }
  recent_next_ = (recent_next_ + 1) % cap;
  add_pending(o.symbol, signed_qty);
  ++accepted_;
  return {RejectReason::kNone, last};
}

double RiskEngine::position(std::string_view symbol) const {
  const SymbolState* s = find(symbol);
  return s ? s->position : 0.0;
}
double RiskEngine::pending(std::string_view symbol) const {
  const SymbolState* s = find(symbol);
  return s ? s->pending : 0.0;
}
double RiskEngine::last_price(std::string_view symbol) const {
  const SymbolState* s = find(symbol);
  const auto p = s ? s->prices.latest() : std::nullopt;
  return p ? p->price : 0.0;
}
double RiskEngine::gross_exposure(std::int64_t ts_ns) const noexcept {
  double g = 0;
  for (const SymbolState* s : exposed_) {
    const auto p = s->prices.at(ts_ns);
    if (p) g += std::fabs((s->position + s->pending) * p->price);
  }
  return g;
}

}  // namespace ztrade::risk
