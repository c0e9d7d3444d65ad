#include "gateway/market_state.hpp"

#include <algorithm>

#include "bus/topic.hpp"

namespace ztrade::gateway {

namespace {

template <class Enum, std::size_t N>
std::string_view name_of(const wire::EnumName<Enum> (&names)[N], Enum value) {
  for (const auto& n : names) {
    if (n.value == value) return n.name;
  }
  return "unknown";
}

template <class T>
void keep(std::deque<T>& ring, const T& item, std::size_t limit) {
  if (limit == 0) return;
  if (ring.size() == limit) ring.pop_front();
  ring.push_back(item);
}

}  // namespace

SymbolState* MarketState::state_for(std::string_view name) {
  auto it = symbols_.find(name);
  if (it != symbols_.end()) return &it->second;
  if (symbols_.size() >= config_.max_symbols) {
    ++symbols_dropped_;
    return nullptr;
  }
  return &symbols_.emplace(std::string(name), SymbolState{}).first->second;
}

const SymbolState* MarketState::symbol(std::string_view name) const {
  const auto it = symbols_.find(name);
  return it == symbols_.end() ? nullptr : &it->second;
}

OrderView& MarketState::order(std::uint64_t id) {
  auto it = open_.find(id);
  if (it == open_.end()) {
    it = open_.emplace(id, OrderView{}).first;
    it->second.client_order_id = id;
  }
  return it->second;
}

void MarketState::finish(std::uint64_t id) {
  const auto it = open_.find(id);
  if (it == open_.end()) return;
  recent_.push_front(it->second);
  if (recent_.size() > config_.recent_orders) recent_.pop_back();
  open_.erase(it);
}

const OrderView* MarketState::find_order(std::uint64_t id) const {
  if (const auto it = open_.find(id); it != open_.end()) return &it->second;
  // Just finished: at the front of recent_.
  for (const OrderView& o : recent_) {
    if (o.client_order_id == id) return &o;
  }
  return nullptr;
}

std::vector<const OrderView*> MarketState::orders() const {
  std::vector<const OrderView*> out;
  out.reserve(open_.size() + recent_.size());
  for (const auto& [_, o] : open_) out.push_back(&o);
  for (const auto& o : recent_) out.push_back(&o);
  return out;
}

void MarketState::on_message(const bus::Message& m) {
  const auto type = static_cast<std::size_t>(m.frame.header.type);
  if (type < counts_.size()) ++counts_[type];
  switch (m.frame.header.type) {
    case wire::MsgType::kBar: {
      wire::BarMsg b{};
      if (!wire::body_as(m.frame, b) || b.flags != 0) break;  // closed bars only
      if (SymbolState* s = state_for(b.symbol.view())) {
        keep(s->bars, b, config_.bars_per_symbol);
        ++s->bar_count;
      }
      break;
    }
    case wire::MsgType::kTrade: {
      wire::TradeMsg t{};
      if (!wire::body_as(m.frame, t)) break;
      if (SymbolState* s = state_for(t.symbol.view())) {
        keep(s->trades, t, config_.trades_per_symbol);
        ++s->trade_count;
      }
      break;
    }
    case wire::MsgType::kQuote: {
      wire::QuoteMsg q{};
      if (!wire::body_as(m.frame, q)) break;
      if (SymbolState* s = state_for(q.symbol.view())) {
        s->quote = q;
        ++s->quote_count;
      }
      break;
    }
    case wire::MsgType::kFeatures: {
      wire::FeaturesMsg f{};
      if (!wire::body_as(m.frame, f)) break;
      if (SymbolState* s = state_for(f.symbol.view())) s->features = f;
      break;
    }
    case wire::MsgType::kNewOrder: {
      wire::NewOrderMsg o{};
      if (!wire::body_as(m.frame, o)) break;
      OrderView& v = order(o.client_order_id);
      v.symbol = std::string(o.symbol.view());
      v.side = o.side;
      v.quantity = o.quantity;
      if (v.status.empty()) v.status = "sent";
      v.updated_ns = m.frame.header.event_ns;
      break;
    }
    case wire::MsgType::kExecutionReport: {
      wire::ExecutionReportMsg r{};
      if (!wire::body_as(m.frame, r)) break;
      OrderView& v = order(r.client_order_id);
      if (v.symbol.empty()) v.symbol = std::string(r.symbol.view());
      if (v.side == wire::Side::kNone) v.side = r.side;
      v.filled = r.cum_qty;
      v.avg_price = r.avg_price;
      if (r.cum_qty + r.leaves_qty > 0) v.quantity = r.cum_qty + r.leaves_qty;
      v.status = std::string(name_of(wire::kExecTypeNames, r.exec_type));
      v.updated_ns = m.frame.header.event_ns;
      const bool done =
          r.exec_type == wire::ExecType::kFill || r.exec_type == wire::ExecType::kRejected ||
          r.exec_type == wire::ExecType::kCanceled || r.exec_type == wire::ExecType::kExpired;
      if (done) finish(r.client_order_id);
      break;
    }
    case wire::MsgType::kPosition: {
      wire::PositionMsg p{};
      if (!wire::body_as(m.frame, p) || p.symbol.view().empty()) break;
      auto it = positions_.find(p.symbol.view());
      if (it == positions_.end()) it = positions_.emplace(std::string(p.symbol.view()), p).first;
      it->second = p;
      break;
    }
    case wire::MsgType::kRiskReject:
      ++risk_rejects_;
      break;
    default:
      break;
  }
}

}  // namespace ztrade::gateway
