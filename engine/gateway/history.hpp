#pragma once
// The gateway's history: bars and trades kept in SQLite (WAL mode) across restarts, so that
// /v1/bars and /v1/trades answer for periods before the gateway started.
//
// Writes never hold up the bus: the gateway thread hands rows to a lock-free single-producer
// queue and returns; a writer thread of its own drains it in batched transactions. When the
// writer cannot keep up and the queue is full, rows are dropped and counted (the metrics say
// so), never waited for. Reads use a connection of their own on the gateway thread (WAL lets
// them run beside the writer). Rows older than the retention, in event time, are deleted.
//
// Gaps: when the gateway starts on a database that holds bars, the first bar of each symbol
// that lies more than one bar after the newest stored one marks the stretch in between as a
// gap (the gateway was down, or not running, while bars went by): a row of the `gaps` table,
// returned by gaps() and with /v1/bars.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bus/messages.hpp"

struct sqlite3;

namespace ztrade::gateway {

struct HistoryStats {
  std::uint64_t bars_written = 0, trades_written = 0, dropped = 0, batches = 0, errors = 0,
                deleted = 0, gaps = 0;
  std::size_t queued = 0;
};

// Lowers the calling thread's priority - SCHED_IDLE when `idle`, else to `nice` (0: unchanged)
// - and, given CPUs, keeps it on them: how the gateway's threads stay out of the trading
// path's way.
void yield_thread(int nice, const std::vector<int>& cpus, bool idle = false) noexcept;

class History {
 public:
  // Opens (creating) the database at `path` and starts the writer. Throws std::runtime_error
  // naming the file when it cannot be opened or is not a ztrade history.
  // `nice`, `cpus`, `idle`: the writer thread's (yield_thread).
  History(std::string path, int retention_days, std::size_t queue_capacity, int nice = 0,
          std::vector<int> cpus = {}, bool idle = false);
  ~History();
  History(const History&) = delete;
  History& operator=(const History&) = delete;

  // From the gateway thread only (one producer). False when the row was dropped (counted).
  bool add(const wire::BarMsg& bar) noexcept;
  bool add(const wire::TradeMsg& trade) noexcept;

  // The last `limit` rows with times in [start, end], oldest first. `interval_ns` 0: the
  // symbol's bar length (one per symbol).
  [[nodiscard]] std::vector<wire::BarMsg> bars(std::string_view symbol, std::int64_t interval_ns,
                                               std::int64_t start, std::int64_t end,
                                               std::size_t limit) const;
  [[nodiscard]] std::vector<wire::TradeMsg> trades(std::string_view symbol, std::int64_t start,
                                                   std::int64_t end, std::size_t limit) const;
  // Symbols the database holds bars or trades for: read once at start, kept up to date by
  // add() - no query per request.
  [[nodiscard]] const std::set<std::string, std::less<>>& symbols() const noexcept {
    return symbols_;
  }
  struct Gap {
    std::int64_t start_ns = 0, end_ns = 0;  // the bars from start_ns up to end_ns are missing
  };
  // The gaps recorded for `symbol` that overlap [start, end], oldest first.
  [[nodiscard]] std::vector<Gap> gaps(std::string_view symbol, std::int64_t start,
                                      std::int64_t end) const;

  // Blocks until every row queued so far is committed (tests, benchmarks, shutdown).
  void flush();
  [[nodiscard]] HistoryStats stats() const noexcept;
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

 private:
  struct Row;
  struct Queue;
  struct Db;
  void write_loop(std::stop_token stop);
  void write_rows(std::stop_token stop);  // throws when the database fails
  bool push(const Row& row) noexcept;
  void note_symbol(std::string_view symbol) noexcept;

  // Gateway thread only: the newest bar stored per symbol when the gateway started (ts_ns,
  // interval_ns), taken out as each symbol's first bar arrives.
  std::map<std::string, std::pair<std::int64_t, std::int64_t>, std::less<>> resume_from_;
  std::set<std::string, std::less<>> symbols_;

  std::string path_;
  std::int64_t retention_ns_;
  std::unique_ptr<Queue> queue_;
  std::unique_ptr<Db> reader_;
  std::atomic<std::uint64_t> bars_written_{0}, trades_written_{0}, dropped_{0}, batches_{0},
      errors_{0}, deleted_{0}, pushed_{0}, committed_{0}, gaps_{0};
  std::atomic<bool> failed_{false};
  std::jthread writer_;  // last: stops (and joins) before the members it uses go
};

}  // namespace ztrade::gateway
