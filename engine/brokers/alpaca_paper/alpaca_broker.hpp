#pragma once
// Alpaca's trading API as an execution::Broker: orders go out over REST (rest.hpp), what
// happens to them comes back on the trade_updates stream and, after every (re)connect, from
// REST again - so a fill made while the stream was down is reported once, never lost and
// never twice.
//
// Invariants, whatever the network does:
// - One order, one Alpaca order: its client_order_id is "ztrade-<engine id>", so a POST that
//   timed out or got a 5xx is looked up by that id before it is sent again, and Alpaca itself
//   refuses a second order with the same id.
// - Fills are derived from Alpaca's cumulative filled quantity against the journal's own
//   (OrderManager), so a repeated or replayed event adds nothing and a missed one is made up
//   by the next view of the order, from the stream or REST.
// - Alpaca's book is the truth for what happened there. An event the broker cannot book as it
//   stands - not readable, a fill beyond the order, a price of 0 or below, a symbol, side or
//   quantity that contradicts the order - is counted by reason, logged (escaped, rate-limited)
//   and the order looked up over REST at once; what Alpaca reports is booked. What cannot be
//   squared with the journal (an overfill, a contradicted order, positions that still differ at
//   the end) is booked as Alpaca has it and flagged: reduce_only() (risk REDUCING), /status,
//   /metrics and the session summary.
// - Cancels and the kill switch go through a REST client of their own: never behind a queued
//   order or a request sleeping out a 429.
// - Everything runs on the io_context execution drives (no threads, no locks).
#include <simdjson.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <memory_resource>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <spdlog/logger.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "brokers/alpaca_paper/config.hpp"
#include "brokers/alpaca_paper/parse.hpp"
#include "brokers/alpaca_paper/rest.hpp"
#include "execution/broker.hpp"
#include "execution/order_manager.hpp"
#include "ops/log_limit.hpp"
#include "venues/websocket/client.hpp"

namespace ztrade::brokers::alpaca_paper {

// The client_order_id of an engine order, and back (nullopt: not one of ours).
std::string client_order_id(std::uint64_t engine_id);
std::optional<std::uint64_t> engine_order_id(std::string_view client_order_id) noexcept;

// Why an event could not be booked as it stood (each is then looked up over REST).
enum class Unbookable : std::uint8_t {
  kMalformed,     // not readable: not JSON, a wrong type, no order in it
  kOverfill,      // a cumulative fill beyond the order's quantity
  kBadPrice,      // a fill at a price of 0 or below
  kContradiction  // a symbol, side or quantity other than the order's
};
inline constexpr std::array<std::string_view, 4> kUnbookableNames = {
    "malformed", "overfill", "bad_price", "contradicts_order"};

struct BrokerCounters {
  std::uint64_t orders_sent = 0;    // POSTs (re-sends after a lookup included)
  std::uint64_t order_lookups = 0;  // GET by client_order_id after an unknown outcome
  std::uint64_t order_resends = 0;  // POSTs again after a lookup found nothing
  std::uint64_t rejects = 0;        // refused by Alpaca (4xx) or before sending
  std::uint64_t cancels_sent = 0;
  std::uint64_t events = 0;             // trade_updates events
  std::uint64_t duplicate_events = 0;   // events that changed nothing (already applied)
  std::uint64_t fills_from_resync = 0;  // fills learnt from REST, not the stream
  std::uint64_t malformed = 0;          // frames or bodies that could not be read
  std::uint64_t resyncs = 0;
  std::uint64_t foreign_orders = 0;       // orders at Alpaca the journal cannot explain
  std::uint64_t position_mismatches = 0;  // positions that differ from the broker's
  std::uint64_t trade_busts = 0;          // trade_bust / trade_correct events (not applied)
  std::array<std::uint64_t, kUnbookableNames.size()> unbookable{};  // events, by reason
  std::uint64_t overfills = 0;         // fills beyond an order, booked as Alpaca has them
  std::uint64_t fills_off_market = 0;  // fills further than fill_price_band_pct from the market
  std::uint64_t cancel_refused = 0;    // cancels answered 422 (filled meanwhile): looked up
};

class AlpacaBroker final : public execution::Broker, public venues::websocket::Handler {
 public:
  struct Keys {
    std::string key_id, secret;
  };
  // Throws std::runtime_error for an unusable config (URL, CA file).
  AlpacaBroker(execution::OrderManager& orders, Options options, Keys keys,
               std::shared_ptr<spdlog::logger> log);
  ~AlpacaBroker() override;

  // Alpaca fills; market data only marks positions (for P&L and risk's exposure).
  int on_price(std::string_view symbol, double price, std::int64_t, double mark,
               double /*volume*/) override {
    if (price > 0) {
      orders_.mark(symbol, mark > 0 ? mark : price);
      // The market, for the fill price band (a node per symbol, once).
      const auto it = market_.find(symbol);
      if (it != market_.end()) {
        it->second = price;
      } else {
        market_.emplace(std::string(symbol), price);
      }
    }
    return 0;
  }
  int on_order(std::uint64_t client_order_id) override;
  void on_cancel(std::uint64_t client_order_id, std::int64_t now_ns) override;
  boost::asio::io_context* io() noexcept override { return &io_; }
  void start() override;
  bool ready() const noexcept override { return reconciled_ && listening_ && !failed_; }
  bool settle(std::int64_t now_ns) override;
  bool reduce_only() const noexcept override {
    return (!options_.adopt_broker_state && unexplained_ > 0) || unreconciled_ > 0;
  }
  void stop() override;
  void render_metrics(std::string& out) const override;
  std::string status_json() const override;

  const BrokerCounters& counters() const noexcept { return counters_; }
  const RestStats& rest_stats() const noexcept { return rest_.stats(); }
  const RestStats& cancel_rest_stats() const noexcept { return cancel_rest_.stats(); }
  // States the broker booked as Alpaca has them but could not square with the journal.
  std::uint64_t unreconciled() const noexcept { return unreconciled_; }
  const venues::websocket::ConnectionStats& stream_stats() const noexcept {
    return stream_->stats();
  }
  // What Alpaca last said its positions are (symbol -> signed quantity), from the last resync.
  const std::map<std::string, double>& broker_positions() const noexcept { return positions_; }

 private:
  struct Tracked {
    std::string alpaca_id;  // once known
    bool post_pending = false;
    bool cancel_wanted = false;  // a cancel waits for the POST's answer (no Alpaca id yet)
    bool cancel_sent = false;    // asked for (or waiting to be)
    int posts = 0;
  };

  static RestConfig rest_config(const Options& o, const Keys& keys, bool urgent,
                                std::shared_ptr<RateBudget> budget);
  // venues::websocket::Handler: the trade_updates stream.
  void on_open(venues::websocket::Client& client) override;
  void on_frame(venues::websocket::Client& client, simdjson::padded_string_view frame,
                std::int64_t receive_ns) override;
  void on_close(venues::websocket::Client& client, std::string_view reason) override;

  // An event that cannot be booked as it stands: counted, logged, and the order (when the
  // event names one of ours) or every open order looked up over REST at once.
  void unbookable(Unbookable why, std::optional<std::uint64_t> id, std::string_view detail);
  // GET the order by client_order_id and book what Alpaca says (one lookup in flight per
  // order).
  void verify(std::uint64_t id);
  // A state booked as Alpaca has it that the journal cannot explain: REDUCING from now on.
  void flag_unreconciled(std::string note);
  // Alpaca's view of order `id` names another symbol, side or quantity: its fills are booked
  // as Alpaca has them (adopted positions), the journal's order is finished.
  void book_contradicted(std::uint64_t id, const OrderView& view, std::int64_t ts_ns);
  void check_fill_price(std::uint64_t id, std::string_view symbol, double price);
  // The final comparison of positions: open orders looked up first (a fill whose event is
  // still on its way is booked from REST), then positions read; re-read a few times while
  // they differ (either side may lag the other for a moment) before calling it a mismatch.
  void final_check(int attempt);
  void post(std::uint64_t id);
  void on_posted(std::uint64_t id, Response& r);
  void look_up(std::uint64_t id);
  void send_cancel(std::uint64_t id);
  void refuse(std::uint64_t id, const Response& r);
  // Applies a view of an order (REST or stream): new fills from its cumulative quantity,
  // then a final status. hint_qty/hint_price: the stream's own execution, when it has one.
  void apply(const OrderView& view, std::int64_t ts_ns, double hint_qty = 0, double hint_price = 0,
             bool from_stream = false);
  // apply()'s steps: whether a view names the journal's order as it is, whether a stream
  // event can be booked as it stands, the price of new fills, booking them (and an overfill's
  // excess), and a final status. Each returns whether it changed anything.
  static bool contradicts(const execution::Order& o, const OrderView& view) noexcept;
  bool stream_view_fits(std::uint64_t id, const execution::Order& o, const OrderView& view,
                        double hint_qty, double hint_price);
  double fill_price(std::uint64_t id, const execution::Order& o, const OrderView& view,
                    double delta, double hint_qty, double hint_price);
  bool book_fills(std::uint64_t id, const OrderView& view, std::int64_t ts_ns, double hint_qty,
                  double hint_price, bool from_stream);
  bool apply_status(std::uint64_t id, const OrderView& view, std::int64_t ts_ns);
  // Orders and positions from REST: at start and after every reconnect of the stream.
  void resync(bool at_start);
  void resync_lookup(std::uint64_t id, bool at_start);
  enum class Compare : std::uint8_t { kStart, kQuiet, kFinal };
  // Reads GET /v2/positions into positions_ and compares them with the journal's; returns
  // the symbols that differ (at start they are adopted or make the broker REDUCING).
  std::vector<std::string> compare_positions(Response& r, Compare when);
  void refresh_clock();
  void fail(std::string why);

  // Re-sends of an order Alpaca says it does not have (after an unknown outcome), at most.
  static constexpr int kMaxResends = 3;

  execution::OrderManager& orders_;
  Options options_;
  std::string stream_key_id_, stream_secret_;  // for the stream's authenticate message
  std::shared_ptr<spdlog::logger> log_;
  boost::asio::io_context io_;
  RestClient rest_;
  RestClient cancel_rest_;  // cancels and the kill switch: a connection and queue of their own
  std::unique_ptr<venues::websocket::Client> stream_;
  Parser parser_;
  // What only the broker knows of an order, while it is open. Its nodes come from a pool that
  // keeps what a finished order gives back: the order path allocates none once warm.
  std::pmr::unsynchronized_pool_resource tracked_pool_;
  std::pmr::unordered_map<std::uint64_t, Tracked> tracked_{&tracked_pool_};
  std::map<std::string, double> positions_;  // Alpaca's, from the last resync
  std::optional<ClockView> clock_;
  boost::asio::steady_timer clock_timer_;
  BrokerCounters counters_;
  std::uint64_t unexplained_ = 0;   // foreign orders and position mismatches at start
  std::uint64_t unreconciled_ = 0;  // states booked as Alpaca has them, not as the journal
  std::deque<std::string> unreconciled_notes_;         // the last few, for /status
  std::map<std::string, double, std::less<>> market_;  // last market price per symbol
  std::set<std::uint64_t> verifying_;                  // orders with a lookup in flight
  // Quantity of an order booked outside it (an overfill's excess, a contradicted order's
  // fills), so that seeing it again books nothing twice.
  std::map<std::uint64_t, double> booked_outside_;
  ops::LogLimiter event_log_;  // unbookable events: at most a line a second
  bool resync_in_flight_ = false;
  bool resync_again_ = false;
  std::int64_t lookups_due_ns_ = 0;  // settle: open orders looked up at the deadline
  bool settle_looked_up_ = false;
  std::vector<std::string> final_mismatches_;
  boost::asio::steady_timer recheck_timer_;
  bool reconciled_ = false;
  bool listening_ = false;
  bool failed_ = false;
  std::string failure_;
  std::int64_t settle_started_ns_ = 0;  // when market data ended
  std::int64_t last_order_ns_ = 0;
  std::int64_t cancels_due_ns_ = 0;
  bool settle_cancel_sent_ = false;
  bool settle_gave_up_ = false;
  bool final_positions_asked_ = false;
  bool final_positions_known_ = false;
};

}  // namespace ztrade::brokers::alpaca_paper
