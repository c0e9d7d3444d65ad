#include "execution/order_manager.hpp"

#include <array>
#include <cmath>

#include <fmt/format.h>

namespace ztrade::execution {

OrderManager::OrderManager(std::unique_ptr<Journal> journal, ReportSink& sink)
    : journal_(std::move(journal)), sink_(sink) {}

JournalRecord OrderManager::record_of(JournalKind kind, const Order& o, double qty, double price,
                                      std::int64_t ts) noexcept {
  JournalRecord r;
  r.kind = kind;
  r.client_order_id = o.client_order_id;
  r.ts_ns = ts;
  r.symbol = o.symbol;
  r.strategy = o.strategy;
  r.side = o.side;
  r.type = o.type;
  r.quantity = qty;
  r.price = price;
  return r;
}

bool OrderManager::journal(JournalKind kind, const Order& o, double qty, double price,
                           std::int64_t ts) {
  if (!journal_) return true;
  if (journal_->append(record_of(kind, o, qty, price, ts))) return true;
  ++counters_.journal_errors;
  return false;
}

void OrderManager::report(const Order& o, wire::ExecType type, double last_qty, double last_price,
                          std::int64_t ts, std::string_view text, wire::ExecReject code) {
  wire::ExecutionReportMsg m{};
  m.client_order_id = o.client_order_id;
  m.symbol = o.symbol;
  m.venue_order_id = o.venue_order_id;
  m.exec_type = type;
  m.reject_code = static_cast<std::uint16_t>(code);
  m.side = o.side;
  m.last_qty = last_qty;
  m.last_price = last_price;
  m.cum_qty = o.filled;
  m.leaves_qty = o.leaves();
  m.avg_price = o.avg_fill_price;
  m.text.assign_truncated(text);
  sink_.on_report(m, ts);
}

SubmitResult OrderManager::submit(const wire::NewOrderMsg& msg, std::int64_t now_ns) {
  if (orders_.count(msg.client_order_id)) {  // every order ever submitted is kept
    ++counters_.duplicates;
    if (const Order* o = find(msg.client_order_id)) {
      wire::ExecType t = wire::ExecType::kAccepted;
      switch (o->status) {
        case OrderStatus::kFilled:
          t = wire::ExecType::kFill;
          break;
        case OrderStatus::kCanceled:
          t = wire::ExecType::kCanceled;
          break;
        case OrderStatus::kRejected:
          t = wire::ExecType::kRejected;
          break;
        case OrderStatus::kExpired:
          t = wire::ExecType::kExpired;
          break;
        default:
          break;
      }
      report(*o, t, 0, 0, now_ns, "status (duplicate order id)");
    }
    return SubmitResult::kDuplicate;
  }
  Order o;
  o.client_order_id = msg.client_order_id;
  o.symbol = msg.symbol;
  o.strategy = msg.strategy;
  o.side = msg.side;
  o.type = msg.type;
  o.quantity = msg.quantity;
  o.limit_price = msg.limit_price;
  o.tif = msg.tif;
  o.created_ns = now_ns;
  const bool valid = o.quantity > 0 && std::isfinite(o.quantity) && !o.symbol.view().empty() &&
                     (o.side == wire::Side::kBuy || o.side == wire::Side::kSell) &&
                     (o.type == wire::OrderType::kMarket ||
                      (o.type == wire::OrderType::kLimit && o.limit_price > 0));
  if (valid && journal_) {
    // The order and its acceptance in one write: the order path's only system call.
    std::array<JournalRecord, 2> both{
        record_of(JournalKind::kNew, o, o.quantity, o.limit_price, now_ns),
        record_of(JournalKind::kAccepted, o, 0, 0, now_ns)};
    if (!journal_->append(both)) {
      ++counters_.journal_errors;
      return SubmitResult::kJournalError;  // not recorded: not accepted either
    }
  } else if (!valid && !journal(JournalKind::kNew, o, o.quantity, o.limit_price, now_ns)) {
    return SubmitResult::kJournalError;
  }
  auto& stored = orders_.emplace(o.client_order_id, std::move(o)).first->second;
  if (!valid) {
    stored.reject();
    journal(JournalKind::kRejected, stored, 0, 0, now_ns);
    ++counters_.rejected;
    report(stored, wire::ExecType::kRejected, 0, 0, now_ns, "invalid order",
           wire::ExecReject::kInvalidOrder);
    return SubmitResult::kRejected;
  }
  stored.accept();
  track(stored);
  ++counters_.accepted;
  report(stored, wire::ExecType::kAccepted, 0, 0, now_ns);
  return SubmitResult::kAccepted;
}

bool OrderManager::finish(std::uint64_t id, OrderEvent event, std::int64_t now_ns,
                          std::string_view text, wire::ExecReject code) {
  auto it = orders_.find(id);
  if (it == orders_.end() || it->second.apply(event) != Transition::kOk) {
    ++counters_.illegal_transitions;
    return false;
  }
  Order& o = it->second;
  track(o);
  switch (event) {
    case OrderEvent::kCancel:
      journal(JournalKind::kCanceled, o, 0, 0, now_ns);
      ++counters_.canceled;
      report(o, wire::ExecType::kCanceled, 0, 0, now_ns, text);
      break;
    case OrderEvent::kExpire:
      journal(JournalKind::kExpired, o, 0, 0, now_ns);
      ++counters_.expired;
      report(o, wire::ExecType::kExpired, 0, 0, now_ns, text);
      break;
    default:
      journal(JournalKind::kRejected, o, 0, 0, now_ns);
      ++counters_.rejected;
      report(o, wire::ExecType::kRejected, 0, 0, now_ns, text, code);
      break;
  }
  return true;
}

bool OrderManager::cancel(std::uint64_t id, std::int64_t now_ns, std::string_view text) {
  return finish(id, OrderEvent::kCancel, now_ns, text, wire::ExecReject::kNone);
}

bool OrderManager::expire(std::uint64_t id, std::int64_t now_ns, std::string_view text) {
  return finish(id, OrderEvent::kExpire, now_ns, text, wire::ExecReject::kNone);
}

bool OrderManager::reject(std::uint64_t id, wire::ExecReject code, std::string_view text,
                          std::int64_t now_ns) {
  return finish(id, OrderEvent::kReject, now_ns, text, code);
}

bool OrderManager::adopt(std::string_view symbol, double signed_qty, double price,
                         std::int64_t now_ns) {
  wire::NewOrderMsg m{};
  // Unique across restarts: the adoption's time, in the range no engine order uses.
  m.client_order_id = kAdoptedIdBase | static_cast<std::uint64_t>(now_ns / 1000);
  while (orders_.count(m.client_order_id)) ++m.client_order_id;
  if (!m.symbol.assign(symbol)) return false;
  m.strategy.assign_truncated("adopted");
  m.side = signed_qty > 0 ? wire::Side::kBuy : wire::Side::kSell;
  m.type = wire::OrderType::kMarket;
  m.tif = wire::TimeInForce::kDay;
  m.quantity = std::abs(signed_qty);
  if (!(price > 0)) {
    const auto* p = portfolio_.find(symbol);
    price = p && p->mark > 0 ? p->mark : (p ? p->avg_price : 0.0);
  }
  if (!(price > 0)) price = 1e-9;  // no price known: the position's cost is unknown, not free
  return submit(m, now_ns) == SubmitResult::kAccepted &&
         fill(m.client_order_id, m.quantity, price, now_ns);
}

void OrderManager::set_venue_order_id(std::uint64_t id, std::string_view venue_id) noexcept {
  auto it = orders_.find(id);
  if (it != orders_.end()) it->second.venue_order_id.assign_truncated(venue_id);
}

bool OrderManager::fill(std::uint64_t id, double qty, double price, std::int64_t now_ns) {
  auto it = orders_.find(id);
  if (it == orders_.end()) {
    ++counters_.illegal_transitions;
    return false;
  }
  Order& o = it->second;
  Order trial = o;
  if (trial.fill(qty, price) != Transition::kOk) {
    ++counters_.illegal_transitions;
    return false;
  }
  // Journal first: a fill that is not on disk must not reach positions or the bus.
  if (!journal(JournalKind::kFill, o, qty, price, now_ns)) return false;
  if (!is_open(o.status)) ++counters_.late_fills;
  o = std::move(trial);
  track(o);
  portfolio_.apply_fill(o.symbol.view(), o.side, qty, price);
  const bool done = o.status == OrderStatus::kFilled || !is_open(o.status);
  ++(done ? counters_.fills : counters_.partial_fills);
  report(o, done ? wire::ExecType::kFill : wire::ExecType::kPartialFill, qty, price, now_ns);
  sink_.on_position(portfolio_.message(o.symbol.view()), now_ns);
  return true;
}

const Order* OrderManager::find(std::uint64_t id) const {
  auto it = orders_.find(id);
  return it == orders_.end() ? nullptr : &it->second;
}

void OrderManager::track(const Order& o) {
  if (is_open(o.status)) {
    open_.emplace(o.client_order_id, &o);
  } else {
    open_.erase(o.client_order_id);
  }
}

void OrderManager::apply(const JournalRecord& r) {
  if (r.kind == JournalKind::kNew) {
    Order o;
    o.client_order_id = r.client_order_id;
    o.symbol = r.symbol;
    o.strategy = r.strategy;
    o.side = r.side;
    o.type = r.type;
    o.quantity = r.quantity;
    o.limit_price = r.price;
    o.created_ns = r.ts_ns;
    orders_[o.client_order_id] = std::move(o);
    return;
  }
  auto it = orders_.find(r.client_order_id);
  if (it == orders_.end()) {
    ++counters_.illegal_transitions;
    return;
  }
  Order& o = it->second;
  Transition t = Transition::kOk;
  switch (r.kind) {
    case JournalKind::kAccepted:
      t = o.accept();
      break;
    case JournalKind::kRejected:
      t = o.reject();
      break;
    case JournalKind::kCanceled:
      t = o.cancel();
      break;
    case JournalKind::kExpired:
      t = o.expire();
      break;
    case JournalKind::kFill:
      t = o.fill(r.quantity, r.price);
      if (t == Transition::kOk) portfolio_.apply_fill(o.symbol.view(), o.side, r.quantity, r.price);
      break;
    case JournalKind::kNew:
      break;
  }
  if (t != Transition::kOk) ++counters_.illegal_transitions;
}

ReplayStats OrderManager::recover(const std::string& journal_path) {
  const ReplayStats stats =
      Journal::replay(journal_path, [this](const JournalRecord& r) { apply(r); });
  open_.clear();
  for (const auto& [_, o] : orders_) track(o);
  return stats;
}

}  // namespace ztrade::execution
