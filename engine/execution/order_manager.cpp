#include "execution/order_manager.hpp"

#include <cmath>

#include <fmt/format.h>

namespace ztrade::execution {

OrderManager::OrderManager(std::unique_ptr<Journal> journal, ReportSink& sink)
    : journal_(std::move(journal)), sink_(sink) {}

bool OrderManager::journal(JournalKind kind, const Order& o, double qty, double price,
                           std::int64_t ts) {
  if (!journal_) return true;
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
  if (journal_->append(r)) return true;
  ++counters_.journal_errors;
  return false;
}

void OrderManager::report(const Order& o, wire::ExecType type, double last_qty, double last_price,
                          std::int64_t ts, std::string_view text) {
  wire::ExecutionReportMsg m{};
  m.client_order_id = o.client_order_id;
  m.symbol = o.symbol;
  // "SIM-<id>", formatted on the stack: no heap string per report (24 bytes hold any id).
  char id[sizeof(m.venue_order_id.data)];
  const auto id_end = fmt::format_to_n(id, sizeof(id), "SIM-{}", o.client_order_id).out;
  m.venue_order_id.assign_truncated({id, static_cast<std::size_t>(id_end - id)});
  m.exec_type = type;
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
  o.created_ns = now_ns;
  const bool valid = o.quantity > 0 && std::isfinite(o.quantity) && !o.symbol.view().empty() &&
                     (o.side == wire::Side::kBuy || o.side == wire::Side::kSell) &&
                     (o.type == wire::OrderType::kMarket ||
                      (o.type == wire::OrderType::kLimit && o.limit_price > 0));
  if (!journal(JournalKind::kNew, o, o.quantity, o.limit_price, now_ns)) {
    return SubmitResult::kJournalError;  // not recorded: not accepted either
  }
  auto& stored = orders_.emplace(o.client_order_id, std::move(o)).first->second;
  if (!valid) {
    stored.reject();
    journal(JournalKind::kRejected, stored, 0, 0, now_ns);
    ++counters_.rejected;
    report(stored, wire::ExecType::kRejected, 0, 0, now_ns, "invalid order");
    return SubmitResult::kRejected;
  }
  stored.accept();
  track(stored);
  journal(JournalKind::kAccepted, stored, 0, 0, now_ns);
  ++counters_.accepted;
  report(stored, wire::ExecType::kAccepted, 0, 0, now_ns);
  return SubmitResult::kAccepted;
}

bool OrderManager::cancel(std::uint64_t id, std::int64_t now_ns) {
  auto it = orders_.find(id);
  if (it == orders_.end() || it->second.cancel() != Transition::kOk) {
    ++counters_.illegal_transitions;
    return false;
  }
  track(it->second);
  journal(JournalKind::kCanceled, it->second, 0, 0, now_ns);
  ++counters_.canceled;
  report(it->second, wire::ExecType::kCanceled, 0, 0, now_ns);
  return true;
}

bool OrderManager::expire(std::uint64_t id, std::int64_t now_ns) {
  auto it = orders_.find(id);
  if (it == orders_.end() || it->second.expire() != Transition::kOk) {
    ++counters_.illegal_transitions;
    return false;
  }
  track(it->second);
  journal(JournalKind::kExpired, it->second, 0, 0, now_ns);
  ++counters_.expired;
  report(it->second, wire::ExecType::kExpired, 0, 0, now_ns);
  return true;
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
  o = std::move(trial);
  track(o);
  portfolio_.apply_fill(o.symbol.view(), o.side, qty, price);
  const bool done = o.status == OrderStatus::kFilled;
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
