#pragma once
// Owns every order, the portfolio and the journal. Each state change is journaled before it
// is published, so after a crash recover() rebuilds exactly what was published, and a
// client_order_id seen before (journaled) is refused as a duplicate: an order is never sent
// twice. Reports and position updates go to a ReportSink (the component publishes them).
#include <cstdint>
#include <map>
#include <memory>
#include <memory_resource>
#include <string>
#include <vector>

#include "bus/messages.hpp"
#include "execution/journal.hpp"
#include "execution/order.hpp"
#include "execution/portfolio.hpp"

namespace ztrade::execution {

class ReportSink {
 public:
  virtual ~ReportSink() = default;
  virtual void on_report(const wire::ExecutionReportMsg& report, std::int64_t event_ns) = 0;
  virtual void on_position(const wire::PositionMsg& position, std::int64_t event_ns) = 0;
};

enum class SubmitResult : std::uint8_t { kAccepted, kDuplicate, kRejected, kJournalError };

struct OrderManagerCounters {
  std::uint64_t accepted = 0, rejected = 0, duplicates = 0, fills = 0, partial_fills = 0,
                canceled = 0, expired = 0, illegal_transitions = 0, journal_errors = 0,
                late_fills = 0;  // fills of an order already reported canceled or expired
};

class OrderManager {
 public:
  // `journal` may be null (no persistence: tests and benchmarks only).
  OrderManager(std::unique_ptr<Journal> journal, ReportSink& sink);

  // Rebuilds orders, positions and seen ids from a journal file; returns what was replayed.
  ReplayStats recover(const std::string& journal_path);

  // A duplicate id is not executed again; its current state is re-reported instead (the
  // sender may have missed the first reports, e.g. across an execution restart).
  SubmitResult submit(const wire::NewOrderMsg& order, std::int64_t now_ns);
  // What the broker reports. `text` says why (free text, e.g. "replaced" or the broker's
  // message). Each returns false - counted as an illegal transition - when the order cannot
  // take the event (unknown id, already final).
  bool cancel(std::uint64_t client_order_id, std::int64_t now_ns, std::string_view text = {});
  bool fill(std::uint64_t client_order_id, double qty, double price, std::int64_t now_ns);
  bool expire(std::uint64_t client_order_id, std::int64_t now_ns, std::string_view text = {});
  // The broker refused an order execution had accepted.
  bool reject(std::uint64_t client_order_id, wire::ExecReject code, std::string_view text,
              std::int64_t now_ns);
  // Books a position the broker holds and the journal cannot explain (signed quantity, at
  // `price`; 0: at the current mark) as an order of strategy "adopted", filled at once and
  // journaled like any other, so it survives a restart. Ids from kAdoptedIdBase up.
  static constexpr std::uint64_t kAdoptedIdBase = 1ull << 63;
  bool adopt(std::string_view symbol, double signed_qty, double price, std::int64_t now_ns);
  // The broker's id of an order (reports carry it from then on).
  void set_venue_order_id(std::uint64_t client_order_id, std::string_view venue_id) noexcept;
  // Marks positions to a new price (no journal: marks are derived state).
  void mark(std::string_view symbol, double price) { portfolio_.mark(symbol, price); }

  const Order* find(std::uint64_t id) const;
  // Open orders by id (the order they fill in when one price event fills several), kept up to
  // date on every transition: the broker looks at them for every price event, so this must
  // not cost a walk over every order of the session.
  const std::pmr::map<std::uint64_t, const Order*>& open_orders() const noexcept { return open_; }
  const Portfolio& portfolio() const noexcept { return portfolio_; }
  const OrderManagerCounters& counters() const noexcept { return counters_; }
  const std::map<std::uint64_t, Order>& orders() const noexcept { return orders_; }
  void flush() noexcept {
    if (journal_) journal_->flush();
  }
  // The end of a batch of handled messages (execution.journal_sync = "batch" syncs here).
  void end_batch() noexcept {
    if (journal_ && !journal_->end_batch()) ++counters_.journal_errors;
  }
  std::uint64_t journal_syncs() const noexcept { return journal_ ? journal_->syncs() : 0; }

 private:
  bool journal(JournalKind kind, const Order& o, double qty, double price, std::int64_t ts);
  static JournalRecord record_of(JournalKind kind, const Order& o, double qty, double price,
                                 std::int64_t ts) noexcept;
  void track(const Order& o);  // adds an open order to open_, removes a finished one
  void report(const Order& o, wire::ExecType type, double last_qty, double last_price,
              std::int64_t ts, std::string_view text = {},
              wire::ExecReject code = wire::ExecReject::kNone);
  // Cancel, expire or reject: journaled, counted, reported.
  bool finish(std::uint64_t id, OrderEvent event, std::int64_t now_ns, std::string_view text,
              wire::ExecReject code);
  void apply(const JournalRecord& r);  // recovery

  std::unique_ptr<Journal> journal_;
  ReportSink& sink_;
  // Every order of the session (duplicate ids are found here); ordered: deterministic
  // iteration. One node per new order - the only allocation on the order path.
  std::map<std::uint64_t, Order> orders_;
  // The open ones (map nodes never move). Their nodes come from a pool that keeps what a
  // finished order gives back, so opening and finishing orders allocates nothing once warm.
  std::pmr::unsynchronized_pool_resource open_pool_;
  std::pmr::map<std::uint64_t, const Order*> open_{&open_pool_};
  Portfolio portfolio_;
  OrderManagerCounters counters_;
};

}  // namespace ztrade::execution
