#include "gateway/history.hpp"

#include <pthread.h>
#include <sched.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include <fmt/format.h>
#include <boost/lockfree/spsc_queue.hpp>

namespace ztrade::gateway {

using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kDayNs = 86'400'000'000'000;
constexpr std::size_t kBatch = 20'000;  // rows per transaction at most
constexpr auto kRetentionEvery = 60s;   // how often old rows are deleted

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS bars (
  symbol TEXT NOT NULL, interval_ns INTEGER NOT NULL, ts_ns INTEGER NOT NULL,
  open REAL, high REAL, low REAL, close REAL, volume REAL, trade_count INTEGER,
  PRIMARY KEY (symbol, interval_ns, ts_ns)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS trades (
  symbol TEXT NOT NULL, ts_ns INTEGER NOT NULL, trade_id INTEGER NOT NULL,
  price REAL, size REAL, aggressor INTEGER);
CREATE UNIQUE INDEX IF NOT EXISTS trades_by_time ON trades (symbol, ts_ns, trade_id);
CREATE TABLE IF NOT EXISTS gaps (
  symbol TEXT NOT NULL, interval_ns INTEGER NOT NULL, start_ns INTEGER NOT NULL,
  end_ns INTEGER NOT NULL, PRIMARY KEY (symbol, interval_ns, start_ns)) WITHOUT ROWID;
)sql";

struct Statement {
  sqlite3_stmt* s = nullptr;
  Statement(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) {
      throw std::runtime_error(fmt::format("history: {}", sqlite3_errmsg(db)));
    }
  }
  ~Statement() { sqlite3_finalize(s); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  void text(int i, std::string_view v) {
    sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void i64(int i, std::int64_t v) { sqlite3_bind_int64(s, i, v); }
  void real(int i, double v) { sqlite3_bind_double(s, i, v); }
  // Runs to completion (inserts): true when it succeeded.
  bool run() {
    const int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE;
  }
};

}  // namespace

void yield_thread(int nice, const std::vector<int>& cpus, bool idle) noexcept {
  // SCHED_IDLE: the thread runs only on CPU time nothing else wants, and never preempts
  // another thread on waking up. Otherwise a nice level (Linux: a thread's own).
  const sched_param none{};
  if (idle) {
    (void)::sched_setscheduler(0, SCHED_IDLE, &none);  // 0: the calling thread
  } else if (nice > 0) {
    (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), nice);
  }
  if (cpus.empty()) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  for (const int cpu : cpus) CPU_SET(cpu, &set);
  (void)::pthread_setaffinity_np(::pthread_self(), sizeof(set), &set);
}

struct History::Row {
  enum class Kind : std::uint8_t { kBar, kTrade, kGap } kind = Kind::kBar;
  wire::BarMsg b{};  // a gap: symbol, interval_ns and start_ns of b, its end in gap_end_ns
  wire::TradeMsg t{};
  std::int64_t gap_end_ns = 0;
};

struct History::Queue {
  explicit Queue(std::size_t capacity) : rows(capacity) {}
  boost::lockfree::spsc_queue<Row> rows;
};

struct History::Db {
  sqlite3* db = nullptr;
  Db(const std::string& path, bool read_only) {
    const int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
      const std::string why = db ? sqlite3_errmsg(db) : "out of memory";
      sqlite3_close(db);
      throw std::runtime_error(fmt::format("gateway.history_db {}: {}", path, why));
    }
    sqlite3_busy_timeout(db, 2000);
  }
  ~Db() { sqlite3_close(db); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  void exec(const char* sql, const std::string& path) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      const std::string why = err ? err : "error";
      sqlite3_free(err);
      throw std::runtime_error(fmt::format("gateway.history_db {}: {}", path, why));
    }
  }
};

History::History(std::string path, int retention_days, std::size_t queue_capacity, int nice,
                 std::vector<int> cpus, bool idle)
    : path_(std::move(path)),
      retention_ns_(static_cast<std::int64_t>(retention_days) * kDayNs),
      queue_(std::make_unique<Queue>(queue_capacity)) {
  {
    // Schema and WAL mode first, so that the reader opens a database that has both.
    Db setup(path_, false);
    setup.exec("PRAGMA journal_mode=WAL;", path_);
    setup.exec(kSchema, path_);
  }
  reader_ = std::make_unique<Db>(path_, true);
  {
    // What the database already holds: its symbols, and each one's newest bar (a gap is
    // marked if the next bar seen is further away).
    Statement q(reader_->db, "SELECT symbol FROM bars UNION SELECT symbol FROM trades");
    while (sqlite3_step(q.s) == SQLITE_ROW) {
      symbols_.emplace(reinterpret_cast<const char*>(sqlite3_column_text(q.s, 0)));
    }
    Statement last(reader_->db,
                   "SELECT symbol, interval_ns, MAX(ts_ns) FROM bars GROUP BY symbol, interval_ns");
    while (sqlite3_step(last.s) == SQLITE_ROW) {
      resume_from_[reinterpret_cast<const char*>(sqlite3_column_text(last.s, 0))] = {
          sqlite3_column_int64(last.s, 2), sqlite3_column_int64(last.s, 1)};
    }
  }
  writer_ = std::jthread([this, nice, idle, cpus = std::move(cpus)](std::stop_token stop) {
    yield_thread(nice, cpus, idle);
    write_loop(stop);
  });
}

History::~History() = default;  // the jthread asks the writer to stop and joins it first

bool History::push(const Row& row) noexcept {
  if (!queue_->rows.push(row)) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  pushed_.fetch_add(1, std::memory_order_release);
  return true;
}

void History::note_symbol(std::string_view symbol) noexcept {
  if (symbols_.find(symbol) != symbols_.end()) return;
  try {
    symbols_.emplace(symbol);  // once per symbol
  } catch (const std::bad_alloc&) {
  }
}

bool History::add(const wire::BarMsg& bar) noexcept {
  note_symbol(bar.symbol.view());
  if (!resume_from_.empty()) {
    const auto it = resume_from_.find(bar.symbol.view());
    if (it != resume_from_.end()) {
      const auto [last_ns, interval_ns] = it->second;
      if (interval_ns == bar.interval_ns && bar.start_ns > last_ns + interval_ns) {
        Row g;
        g.kind = Row::Kind::kGap;
        g.b = bar;
        g.b.start_ns = last_ns + interval_ns;
        g.gap_end_ns = bar.start_ns;
        if (push(g)) gaps_.fetch_add(1, std::memory_order_relaxed);
      }
      resume_from_.erase(it);
    }
  }
  Row r;
  r.kind = Row::Kind::kBar;
  r.b = bar;
  return push(r);
}

bool History::add(const wire::TradeMsg& trade) noexcept {
  note_symbol(trade.symbol.view());
  Row r;
  r.kind = Row::Kind::kTrade;
  r.t = trade;
  return push(r);
}

void History::write_loop(std::stop_token stop) {
  try {
    write_rows(stop);
  } catch (const std::exception&) {
    // The database became unusable (deleted, corrupt, read-only): rows are dropped and
    // counted from now on; the gateway and the engine go on.
    failed_.store(true, std::memory_order_relaxed);
    errors_.fetch_add(1, std::memory_order_relaxed);
    Row row;
    while (!stop.stop_requested()) {
      while (queue_->rows.pop(row)) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        committed_.fetch_add(1, std::memory_order_release);
      }
      std::this_thread::sleep_for(1ms);
    }
  }
}

void History::write_rows(std::stop_token stop) {
  Db db(path_, false);
  db.exec("PRAGMA synchronous=NORMAL;", path_);  // WAL: durable at checkpoints, never corrupt
  Statement bar(db.db,
                "INSERT OR REPLACE INTO bars (symbol, interval_ns, ts_ns, open, high, low, close, "
                "volume, trade_count) VALUES (?,?,?,?,?,?,?,?,?)");
  Statement trade(db.db,
                  "INSERT OR IGNORE INTO trades (symbol, ts_ns, trade_id, price, size, aggressor) "
                  "VALUES (?,?,?,?,?,?)");
  Statement gap(db.db,
                "INSERT OR REPLACE INTO gaps (symbol, interval_ns, start_ns, end_ns) "
                "VALUES (?,?,?,?)");
  Statement old_bars(db.db, "DELETE FROM bars WHERE ts_ns < ?");
  Statement old_trades(db.db, "DELETE FROM trades WHERE ts_ns < ?");
  std::int64_t newest = 0;  // event time: a replay of last year keeps last year's rows
  // The first batch deletes what an earlier run left past the retention; then once a minute.
  std::chrono::steady_clock::time_point last_retention{};
  Row row;
  while (true) {
    if (queue_->rows.read_available() == 0) {
      if (stop.stop_requested()) break;
      std::this_thread::sleep_for(1ms);  // the writer's own thread: the bus never waits on it
      continue;
    }
    db.exec("BEGIN", path_);
    std::size_t n = 0, bars = 0, trades = 0;
    while (n < kBatch && queue_->rows.pop(row)) {
      ++n;
      bool ok = false;
      if (row.kind == Row::Kind::kGap) {
        gap.text(1, row.b.symbol.view());
        gap.i64(2, row.b.interval_ns);
        gap.i64(3, row.b.start_ns);
        gap.i64(4, row.gap_end_ns);
        ok = gap.run();
      } else if (row.kind == Row::Kind::kBar) {
        bar.text(1, row.b.symbol.view());
        bar.i64(2, row.b.interval_ns);
        bar.i64(3, row.b.start_ns);
        bar.real(4, row.b.open);
        bar.real(5, row.b.high);
        bar.real(6, row.b.low);
        bar.real(7, row.b.close);
        bar.real(8, row.b.volume);
        bar.i64(9, row.b.trade_count);
        ok = bar.run();
        bars += ok;
        newest = std::max(newest, row.b.start_ns);
      } else {
        trade.text(1, row.t.symbol.view());
        trade.i64(2, row.t.exchange_ns);
        trade.i64(3, static_cast<std::int64_t>(row.t.trade_id));
        trade.real(4, row.t.price);
        trade.real(5, row.t.size);
        trade.i64(6, static_cast<std::int64_t>(row.t.aggressor));
        ok = trade.run();
        trades += ok;
        newest = std::max(newest, row.t.exchange_ns);
      }
      if (!ok) errors_.fetch_add(1, std::memory_order_relaxed);
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - last_retention >= kRetentionEvery && newest > retention_ns_) {
      last_retention = now;
      old_bars.i64(1, newest - retention_ns_);
      old_trades.i64(1, newest - retention_ns_);
      std::uint64_t deleted = 0;
      for (Statement* q : {&old_bars, &old_trades}) {
        if (q->run()) deleted += static_cast<std::uint64_t>(sqlite3_changes(db.db));
      }
      deleted_.fetch_add(deleted, std::memory_order_relaxed);
    }
    try {
      db.exec("COMMIT", path_);
      bars_written_.fetch_add(bars, std::memory_order_relaxed);
      trades_written_.fetch_add(trades, std::memory_order_relaxed);
      batches_.fetch_add(1, std::memory_order_relaxed);
    } catch (const std::exception&) {
      // A full disk: the batch is lost (counted), the writer goes on.
      errors_.fetch_add(n, std::memory_order_relaxed);
      sqlite3_exec(db.db, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    committed_.fetch_add(n, std::memory_order_release);
  }
}

void History::flush() {
  const std::uint64_t target = pushed_.load(std::memory_order_acquire);
  while (committed_.load(std::memory_order_acquire) < target) std::this_thread::sleep_for(1ms);
}

HistoryStats History::stats() const noexcept {
  HistoryStats s;
  s.bars_written = bars_written_.load(std::memory_order_relaxed);
  s.trades_written = trades_written_.load(std::memory_order_relaxed);
  s.dropped = dropped_.load(std::memory_order_relaxed);
  s.batches = batches_.load(std::memory_order_relaxed);
  s.errors = errors_.load(std::memory_order_relaxed);
  s.deleted = deleted_.load(std::memory_order_relaxed);
  s.gaps = gaps_.load(std::memory_order_relaxed);
  const auto pushed = pushed_.load(std::memory_order_relaxed);
  const auto committed = committed_.load(std::memory_order_relaxed);
  s.queued = pushed > committed ? pushed - committed : 0;
  return s;
}

std::vector<wire::BarMsg> History::bars(std::string_view symbol, std::int64_t interval_ns,
                                        std::int64_t start, std::int64_t end,
                                        std::size_t limit) const {
  if (interval_ns == 0) {
    // Any length: the symbol's (one per symbol in practice), so that the query below can walk
    // the primary key (symbol, interval_ns, ts_ns) backwards instead of sorting.
    Statement any(reader_->db, "SELECT interval_ns FROM bars WHERE symbol = ?1 LIMIT 1");
    any.text(1, symbol);
    if (sqlite3_step(any.s) != SQLITE_ROW) return {};
    interval_ns = sqlite3_column_int64(any.s, 0);
  }
  Statement q(reader_->db,
              "SELECT interval_ns, ts_ns, open, high, low, close, volume, trade_count FROM bars "
              "WHERE symbol = ?1 AND interval_ns = ?2 AND ts_ns BETWEEN ?3 AND ?4 "
              "ORDER BY ts_ns DESC LIMIT ?5");
  q.text(1, symbol);
  q.i64(2, interval_ns);
  q.i64(3, start);
  q.i64(4, end);
  q.i64(5, static_cast<std::int64_t>(limit));
  std::vector<wire::BarMsg> out;
  while (sqlite3_step(q.s) == SQLITE_ROW) {
    wire::BarMsg b{};
    (void)b.symbol.assign(symbol);
    b.interval_ns = sqlite3_column_int64(q.s, 0);
    b.start_ns = sqlite3_column_int64(q.s, 1);
    b.open = sqlite3_column_double(q.s, 2);
    b.high = sqlite3_column_double(q.s, 3);
    b.low = sqlite3_column_double(q.s, 4);
    b.close = sqlite3_column_double(q.s, 5);
    b.volume = sqlite3_column_double(q.s, 6);
    b.trade_count = static_cast<std::uint32_t>(sqlite3_column_int64(q.s, 7));
    out.push_back(b);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<wire::TradeMsg> History::trades(std::string_view symbol, std::int64_t start,
                                            std::int64_t end, std::size_t limit) const {
  Statement q(reader_->db,
              "SELECT ts_ns, trade_id, price, size, aggressor FROM trades WHERE symbol = ?1 AND "
              "ts_ns BETWEEN ?2 AND ?3 ORDER BY ts_ns DESC, trade_id DESC LIMIT ?4");
  q.text(1, symbol);
  q.i64(2, start);
  q.i64(3, end);
  q.i64(4, static_cast<std::int64_t>(limit));
  std::vector<wire::TradeMsg> out;
  while (sqlite3_step(q.s) == SQLITE_ROW) {
    wire::TradeMsg t{};
    (void)t.symbol.assign(symbol);
    t.exchange_ns = sqlite3_column_int64(q.s, 0);
    t.trade_id = static_cast<std::uint64_t>(sqlite3_column_int64(q.s, 1));
    t.price = sqlite3_column_double(q.s, 2);
    t.size = sqlite3_column_double(q.s, 3);
    t.aggressor = static_cast<wire::Side>(sqlite3_column_int64(q.s, 4));
    out.push_back(t);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<History::Gap> History::gaps(std::string_view symbol, std::int64_t start,
                                        std::int64_t end) const {
  Statement q(reader_->db,
              "SELECT start_ns, end_ns FROM gaps WHERE symbol = ?1 AND end_ns >= ?2 AND "
              "start_ns <= ?3 ORDER BY start_ns");
  q.text(1, symbol);
  q.i64(2, start);
  q.i64(3, end);
  std::vector<Gap> out;
  while (sqlite3_step(q.s) == SQLITE_ROW) {
    out.push_back({sqlite3_column_int64(q.s, 0), sqlite3_column_int64(q.s, 1)});
  }
  return out;
}

}  // namespace ztrade::gateway
