#include "brokers/alpaca_paper/alpaca_broker.hpp"

#include <sys/prctl.h>

#include <charconv>
#include <cmath>
#include <iterator>

#include <fmt/format.h>

#include "bus/publisher.hpp"
#include "core/json_text.hpp"

namespace ztrade::brokers::alpaca_paper {

using execution::is_open;
using execution::Order;
using execution::OrderStatus;
using ops::Printable;

namespace {
constexpr std::string_view kIdPrefix = "ztrade-";
constexpr double kQtyEpsilon = 1e-9;  // Alpaca quantities have at most 9 decimals
constexpr std::chrono::seconds kClockRefresh{60};
// The final comparison of positions reads again this many times, this far apart, while the
// two differ (an event or Alpaca's own position book may lag by a moment).
constexpr int kFinalChecks = 4;
constexpr std::chrono::milliseconds kFinalRecheck{300};
constexpr std::size_t kNotesKept = 8;

// Where an order's client_order_id ("ztrade-<id>") appears in a frame that could not be
// parsed: the order to look up. Found by text search - the frame is not JSON we can trust.
std::optional<std::uint64_t> order_named_in(std::string_view frame) {
  const auto at = frame.find("\"ztrade-");
  if (at == std::string_view::npos) return std::nullopt;
  const auto start = at + 1;
  auto end = start + std::string_view("ztrade-").size();
  while (end < frame.size() && frame[end] >= '0' && frame[end] <= '9') ++end;
  return engine_order_id(frame.substr(start, end - start));
}

std::string_view side_text(wire::Side s) {
  return s == wire::Side::kBuy ? "buy" : s == wire::Side::kSell ? "sell" : "no side";
}

std::int64_t now_ns() {
  return bus::wall_clock_ns();
}

// Alpaca refuses sub-penny limit prices: 2 decimals from $1, 4 below. Rounded away from the
// market (a buy down, a sell up), so the limit the engine chose is never exceeded.
double tick_price(double price, wire::Side side) {
  const double scale = price >= 1 ? 100 : 10000;
  const double scaled = price * scale;
  const double rounded =
      side == wire::Side::kBuy ? std::floor(scaled + 1e-6) : std::ceil(scaled - 1e-6);
  return rounded / scale;
}

wire::ExecReject reject_code(int status, std::string_view message) {
  if (status == 401) return wire::ExecReject::kUnauthorized;
  if (status == 403 && (message.find("insufficient") != std::string_view::npos ||
                        message.find("buying power") != std::string_view::npos)) {
    return wire::ExecReject::kInsufficientFunds;
  }
  return wire::ExecReject::kBrokerRefused;
}

venues::websocket::Url must_parse(const std::string& text, bool http) {
  const auto url =
      http ? venues::websocket::parse_http_url(text) : venues::websocket::parse_url(text);
  if (!url || !url->tls) {
    throw std::runtime_error(fmt::format("execution.alpaca.{}: \"{}\" is not a {} URL",
                                         http ? "trading_url" : "stream_url", text,
                                         http ? "https://" : "wss://"));
  }
  return *url;
}
}  // namespace

std::string client_order_id(std::uint64_t engine_id) {
  return fmt::format("{}{}", kIdPrefix, engine_id);
}

std::optional<std::uint64_t> engine_order_id(std::string_view text) noexcept {
  if (!text.starts_with(kIdPrefix)) return std::nullopt;
  text.remove_prefix(kIdPrefix.size());
  std::uint64_t id = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), id);
  if (r.ec != std::errc{} || r.ptr != text.data() + text.size() || id == 0) return std::nullopt;
  return id;
}

namespace {
void check_key(const std::string& value, const std::string& env) {
  // A stray carriage return or newline would end the HTTP header early (and let the rest of
  // the value be read as headers): refused here, naming the variable, never the value.
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) {
      throw std::runtime_error(fmt::format(
          "alpaca: {} holds a space, control character (a carriage return?) or non-ASCII "
          "character; its value is not shown",
          env));
    }
  }
}
}  // namespace

RestConfig AlpacaBroker::rest_config(const Options& o, const Keys& keys, bool urgent,
                                     std::shared_ptr<RateBudget> budget) {
  check_key(keys.key_id, o.key_id_env);
  check_key(keys.secret, o.secret_env);
  RestConfig c;
  c.base = must_parse(o.trading_url, true);
  c.ca_file = o.ca_file;
  c.key_id = keys.key_id;
  c.secret = keys.secret;
  c.timeout = std::chrono::milliseconds(o.request_timeout_ms);
  c.max_requests_per_min = o.max_requests_per_min;
  c.max_retry_after_s = o.max_retry_after_s;
  c.budget = std::move(budget);
  c.urgent = urgent;
  c.name = urgent ? "alpaca (cancels)" : "alpaca";
  return c;
}

AlpacaBroker::AlpacaBroker(execution::OrderManager& orders, Options options, Keys keys,
                           std::shared_ptr<spdlog::logger> log)
    : orders_(orders),
      options_(std::move(options)),
      log_(std::move(log)),
      rest_(io_, rest_config(options_, keys, false, nullptr), log_),
      cancel_rest_(io_, rest_config(options_, keys, true, rest_.budget()), log_),
      clock_timer_(io_),
      recheck_timer_(io_) {
  // The process now holds the key pair: no core dump may carry it to disk.
  ::prctl(PR_SET_DUMPABLE, 0);
  venues::websocket::ClientConfig c;
  c.name = "alpaca-trading";
  c.url = must_parse(options_.stream_url, false);
  c.ca_file = options_.ca_file;
  c.binary_as_text = true;  // the paper stream sends JSON in binary frames
  stream_ = std::make_unique<venues::websocket::Client>(io_, std::move(c), *this, log_);
  stream_key_id_ = std::move(keys.key_id);
  stream_secret_ = std::move(keys.secret);
}

AlpacaBroker::~AlpacaBroker() = default;

// --- start-up ------------------------------------------------------------------------------

void AlpacaBroker::start() {
  // The account first: it proves the keys (a clear error here rather than on the first order).
  bool answered = false;
  Response account;
  rest_.request(Method::kGet, "/v2/account", {}, [&](Response& r) {
    account = std::move(r);
    answered = true;
  });
  while (!answered && io_.run_one()) {
  }
  io_.restart();
  if (account.status == 401 || account.status == 403) {
    throw std::runtime_error(
        fmt::format("alpaca: the keys were refused ({}); check {} and {} (paper keys for the paper "
                    "endpoint)",
                    account.status, options_.key_id_env, options_.secret_env));
  }
  if (!account.ok()) {
    throw std::runtime_error(
        fmt::format("alpaca: {} did not answer GET /v2/account ({})", options_.trading_url,
                    account.status ? std::to_string(account.status) : account.error));
  }
  if (options_.check_market_clock) refresh_clock();
  resync(true);
  stream_->start();
}

void AlpacaBroker::refresh_clock() {
  rest_.request(Method::kGet, "/v2/clock", {}, [this](Response& r) {
    ClockView c;
    if (r.ok() && parser_.clock(r.json(), c)) {
      clock_ = c;
    } else if (r.ok()) {
      ++counters_.malformed;
    }
    clock_timer_.expires_after(kClockRefresh);
    clock_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec && !failed_) refresh_clock();
    });
  });
}

// --- orders --------------------------------------------------------------------------------

int AlpacaBroker::on_order(std::uint64_t id) {
  const Order* o = orders_.find(id);
  if (!o) return 0;
  if (failed_) {
    orders_.reject(id, wire::ExecReject::kBrokerUnavailable, failure_, now_ns());
    ++counters_.rejects;
    return 0;
  }
  if (options_.check_market_clock && o->type == wire::OrderType::kMarket && clock_) {
    // The clock is refreshed every minute; between refreshes, the next open or close it
    // named says whether the market has opened or closed since.
    const std::int64_t now = now_ns();
    const bool open_now =
        clock_->is_open ? now < clock_->next_close_ns : now >= clock_->next_open_ns;
    if (!open_now) {
      orders_.reject(id, wire::ExecReject::kMarketClosed, "market closed (Alpaca clock)", now);
      ++counters_.rejects;
      return 0;
    }
  }
  tracked_[id].post_pending = true;
  last_order_ns_ = now_ns();
  post(id);
  return 0;
}

void AlpacaBroker::post(std::uint64_t id) {
  const Order* o = orders_.find(id);
  if (!o) return;
  const bool limit = o->type == wire::OrderType::kLimit;
  const char* tif = o->tif == wire::TimeInForce::kGtc   ? "gtc"
                    : o->tif == wire::TimeInForce::kIoc ? "ioc"
                                                        : "day";
  // Formatted into a reused buffer: no allocation per order once warm.
  std::string body = rest_.buffer();
  auto out = std::back_inserter(body);
  fmt::format_to(out,
                 R"({{"symbol":"{}","qty":"{}","side":"{}","type":"{}","time_in_force":"{}",)"
                 R"("client_order_id":"{}{}")",
                 o->symbol.view(), o->quantity, o->side == wire::Side::kBuy ? "buy" : "sell",
                 limit ? "limit" : "market", tif, kIdPrefix, id);
  if (limit) {
    fmt::format_to(out, R"(,"limit_price":"{}")", tick_price(o->limit_price, o->side));
    if (options_.extended_hours && o->tif == wire::TimeInForce::kDay) {
      body += R"(,"extended_hours":true)";
    }
  }
  body += '}';
  ++tracked_[id].posts;
  ++counters_.orders_sent;
  rest_.request(Method::kPost, "/v2/orders", std::move(body),
                [this, id](Response& r) { on_posted(id, r); });
}

void AlpacaBroker::on_posted(std::uint64_t id, Response& r) {
  auto& t = tracked_[id];
  if (r.ok()) {
    t.post_pending = false;
    OrderView view;
    if (!parser_.order(r.json(), view)) {
      ++counters_.malformed;
      look_up(id);  // created, but we could not read it: ask again
      return;
    }
    apply(view, now_ns());
    return;
  }
  if (r.status == 0 || r.status >= 500) {
    // Unknown outcome: Alpaca may have created it. Never send again before knowing.
    log_->warn("order {}: POST /v2/orders {}; looking it up before anything is re-sent", id,
               r.status ? fmt::format("answered {}", r.status) : r.error);
    look_up(id);
    return;
  }
  if (r.status == 422 && t.posts > 1) {
    // A re-send refused - most likely "client_order_id must be unique": the first did arrive.
    look_up(id);
    return;
  }
  t.post_pending = false;
  refuse(id, r);
}

void AlpacaBroker::refuse(std::uint64_t id, const Response& r) {
  ErrorView e;
  const bool readable = parser_.error(r.json(), e);
  // Alpaca's message is escaped before it reaches a log, a report or a terminal.
  std::string text = readable ? fmt::format("{} {}", e.code, Printable{e.message.view()})
                              : fmt::format("HTTP {}", r.status);
  auto code = reject_code(r.status, e.message.view());
  if (r.status == 429) {
    // Only a Retry-After beyond max_retry_after_s ends here (shorter ones are waited out).
    code = wire::ExecReject::kRateLimited;
    text = r.error;
  }
  log_->warn("order {}: refused by Alpaca ({}): {}", id, r.status, text);
  ++counters_.rejects;
  orders_.reject(id, code, text, now_ns());
  if (code == wire::ExecReject::kUnauthorized) fail("the keys were refused (401)");
}

void AlpacaBroker::look_up(std::uint64_t id) {
  ++counters_.order_lookups;
  rest_.request(Method::kGet,
                "/v2/orders:by_client_order_id?client_order_id=" + client_order_id(id), {},
                [this, id](Response& r) {
                  auto& t = tracked_[id];
                  if (r.ok()) {
                    t.post_pending = false;
                    OrderView view;
                    if (parser_.order(r.json(), view)) {
                      apply(view, now_ns());
                    } else {
                      ++counters_.malformed;
                    }
                    return;
                  }
                  const Order* o = orders_.find(id);
                  if (r.status == 404 && o && is_open(o->status)) {
                    if (t.posts < 1 + kMaxResends) {
                      ++counters_.order_resends;
                      post(id);  // Alpaca has no such order: sending it cannot duplicate it
                      return;
                    }
                    t.post_pending = false;
                    ++counters_.rejects;
                    orders_.reject(id, wire::ExecReject::kBrokerUnavailable,
                                   "not accepted by Alpaca after re-sends", now_ns());
                    return;
                  }
                  // Still unknown (the lookup itself failed): the REST client retried; the
                  // next resync settles it.
                  log_->error(
                      "order {}: lookup by client_order_id failed ({}); the next resync "
                      "will settle it",
                      id, r.status ? std::to_string(r.status) : r.error);
                });
}

void AlpacaBroker::on_cancel(std::uint64_t id, std::int64_t /*now_ns*/) {
  if (id == 0) {
    // The kill switch: everything open at Alpaca, ours or not - on the cancels' own client,
    // never behind a queued order or a request waiting out a 429.
    ++counters_.cancels_sent;
    cancel_rest_.request(Method::kDelete, "/v2/orders", {}, [this](Response& r) {
      if (!r.ok())
        log_->error("cancel all: Alpaca answered {}",
                    r.status ? std::to_string(r.status) : r.error);
      resync(false);  // what was canceled comes back on the stream; resync covers a drop
    });
    return;
  }
  const Order* o = orders_.find(id);
  if (!o || !is_open(o->status)) return;
  auto& t = tracked_[id];
  if (t.alpaca_id.empty()) {
    t.cancel_wanted = true;  // sent once the POST tells us Alpaca's id
    t.cancel_sent = true;
    return;
  }
  send_cancel(id);
}

void AlpacaBroker::send_cancel(std::uint64_t id) {
  auto& t = tracked_[id];
  t.cancel_wanted = false;
  t.cancel_sent = true;
  ++counters_.cancels_sent;
  cancel_rest_.request(Method::kDelete, "/v2/orders/" + t.alpaca_id, {}, [this, id](Response& r) {
    // 204: accepted (the stream reports canceled). 422: not cancelable - filled (or ended)
    // meanwhile: looked up, so a fill whose event is lost is booked all the same.
    if (r.status == 422) {
      ++counters_.cancel_refused;
      verify(id);
    } else if (!r.ok()) {
      log_->warn("order {}: cancel answered {}", id, r.status ? std::to_string(r.status) : r.error);
    }
  });
}

// --- what Alpaca says about an order -------------------------------------------------------

void AlpacaBroker::unbookable(Unbookable why, std::optional<std::uint64_t> id,
                              std::string_view detail) {
  ++counters_.unbookable[static_cast<std::size_t>(why)];
  event_log_.warn(*log_, "trade_updates: an event that cannot be booked ({}){}: {}; {}",
                  kUnbookableNames[static_cast<std::size_t>(why)],
                  id ? fmt::format(" for order {}", *id) : std::string(), Printable{detail},
                  id ? "looking the order up over REST" : "looking every open order up");
  if (id) {
    verify(*id);
  } else {
    resync(false);
  }
}

void AlpacaBroker::verify(std::uint64_t id) {
  if (!verifying_.insert(id).second) return;  // one lookup in flight per order
  ++counters_.order_lookups;
  rest_.request(
      Method::kGet, "/v2/orders:by_client_order_id?client_order_id=" + client_order_id(id), {},
      [this, id](Response& r) {
        verifying_.erase(id);
        OrderView view;
        if (r.ok() && parser_.order(r.json(), view)) {
          apply(view, now_ns());  // Alpaca's book: booked as it is, flagged if it must be
          return;
        }
        const Order* o = orders_.find(id);
        if (r.status == 404 && o && is_open(o->status) && !tracked_[id].post_pending) {
          ++counters_.rejects;
          orders_.reject(id, wire::ExecReject::kBrokerUnavailable, "not at Alpaca", now_ns());
          return;
        }
        if (r.ok()) ++counters_.malformed;
        flag_unreconciled(
            fmt::format("order {}: an event could not be booked and the lookup "
                        "failed ({})",
                        id, r.status ? std::to_string(r.status) : r.error));
      });
}

void AlpacaBroker::flag_unreconciled(std::string note) {
  if (unreconciled_ == 0) {
    log_->error("alpaca: {}; REDUCING from now on (no new exposure) until an operator looks", note);
  } else {
    log_->error("alpaca: {}", note);
  }
  ++unreconciled_;
  unreconciled_notes_.push_back(std::move(note));
  if (unreconciled_notes_.size() > kNotesKept) unreconciled_notes_.pop_front();
}

void AlpacaBroker::check_fill_price(std::uint64_t id, std::string_view symbol, double price) {
  if (options_.fill_price_band_pct <= 0) return;
  const auto it = market_.find(symbol);
  if (it == market_.end() || !(it->second > 0)) return;
  const double off = std::abs(price / it->second - 1) * 100;
  if (off <= options_.fill_price_band_pct) return;
  ++counters_.fills_off_market;
  event_log_.warn(*log_,
                  "order {}: filled at {} by Alpaca, {:.1f}% from the last market price {} "
                  "(fill_price_band_pct {}): booked, flagged",
                  id, price, off, it->second, options_.fill_price_band_pct);
}

void AlpacaBroker::book_contradicted(std::uint64_t id, const OrderView& view, std::int64_t ts_ns) {
  const Order* o = orders_.find(id);
  double& booked = booked_outside_[id];
  const double delta = view.filled_qty - booked;
  if (delta > kQtyEpsilon) {
    // Alpaca filled it as Alpaca has it: that is the position now, whatever the journal says.
    const double price = view.filled_avg_price > 0 ? view.filled_avg_price : 0;
    const double sign = view.side == wire::Side::kSell ? -1.0 : 1.0;
    orders_.adopt(view.symbol.view(), sign * delta, price, ts_ns);
    booked = view.filled_qty;
  }
  if (o && is_open(o->status)) {
    orders_.cancel(id, ts_ns, "contradicted by Alpaca: its fills booked as Alpaca has them");
    tracked_.erase(id);
  }
  flag_unreconciled(fmt::format(
      "order {}: Alpaca has it as {} {} {} (filled {}), the journal as {} {} {}: booked as "
      "Alpaca has it",
      id, side_text(view.side), view.qty, Printable{view.symbol.view()}, view.filled_qty,
      o ? side_text(o->side) : "?", o ? o->quantity : 0.0,
      o ? Printable{o->symbol.view()} : Printable{"?"}));
}

void AlpacaBroker::apply(const OrderView& view, std::int64_t ts_ns, double hint_qty,
                         double hint_price, bool from_stream) {
  const auto id = engine_order_id(view.client_order_id.view());
  const Order* o = id ? orders_.find(*id) : nullptr;
  if (!o) {
    // Not an order of this journal (placed by hand, by another program, or a lost journal).
    if (is_final(view.status)) return;
    ++counters_.foreign_orders;
    if (!reconciled_) ++unexplained_;
    log_->warn("Alpaca order {} ({} {} {}) is not in the journal", Printable{view.id.view()},
               Printable{view.client_order_id.view()}, side_text(view.side),
               Printable{view.symbol.view()});
    return;
  }
  if (from_stream) {
    // The stream's word is checked; what does not fit is asked of Alpaca's book (REST).
    if (!stream_view_fits(*id, *o, view, hint_qty, hint_price)) return;
  } else if (contradicts(*o, view)) {
    return book_contradicted(*id, view, ts_ns);
  }
  auto& t = tracked_[*id];
  if (t.alpaca_id.empty()) {
    t.alpaca_id = std::string(view.id.view());
    orders_.set_venue_order_id(*id, view.id.view());
    if (t.cancel_wanted && is_open(o->status)) send_cancel(*id);
  }
  bool changed = book_fills(*id, view, ts_ns, hint_qty, hint_price, from_stream);
  changed |= apply_status(*id, view, ts_ns);
  if (from_stream && !changed) ++counters_.duplicate_events;
  if (!is_open(orders_.find(*id)->status)) tracked_.erase(*id);
}

bool AlpacaBroker::contradicts(const Order& o, const OrderView& view) noexcept {
  // The journal's order? Same symbol, same side and (when Alpaca says) the same quantity.
  return view.symbol.view() != o.symbol.view() || view.side != o.side ||
         (view.qty > 0 && std::abs(view.qty - o.quantity) > kQtyEpsilon);
}

bool AlpacaBroker::stream_view_fits(std::uint64_t id, const Order& o, const OrderView& view,
                                    double hint_qty, double hint_price) {
  if (contradicts(o, view)) {
    unbookable(Unbookable::kContradiction, id,
               fmt::format("{} {} {} for an order of {} {} {}", side_text(view.side), view.qty,
                           view.symbol.view(), side_text(o.side), o.quantity, o.symbol.view()));
    return false;
  }
  if (view.filled_qty > o.quantity + kQtyEpsilon) {
    unbookable(Unbookable::kOverfill, id,
               fmt::format("filled {} of {}", view.filled_qty, o.quantity));
    return false;
  }
  const bool new_fill = view.filled_qty - o.filled > kQtyEpsilon;
  const bool priced = hint_qty > 0 ? hint_price > 0 : view.filled_avg_price > 0;
  if (new_fill && !priced) {
    unbookable(Unbookable::kBadPrice, id,
               fmt::format("price {} (average {})", hint_price, view.filled_avg_price));
    return false;
  }
  return true;
}

double AlpacaBroker::fill_price(std::uint64_t id, const Order& o, const OrderView& view,
                                double delta, double hint_qty, double hint_price) {
  double price = hint_price;
  if (!(std::abs(hint_qty - delta) <= kQtyEpsilon && hint_price > 0)) {
    // The part not seen as its own execution: priced from the average prices.
    const double within = o.filled + delta;
    price = delta > kQtyEpsilon
                ? (view.filled_avg_price * within - o.avg_fill_price * o.filled) / delta
                : view.filled_avg_price;
  }
  if (!(price > 0) || !std::isfinite(price)) price = view.filled_avg_price;
  if (price > 0) {
    check_fill_price(id, o.symbol.view(), price);
    return price;
  }
  // Alpaca's own book has no usable price for what it filled: booked at the last market price
  // (the quantity is what matters for the position), flagged.
  const auto m = market_.find(o.symbol.view());
  price = m != market_.end() ? m->second : o.limit_price;
  flag_unreconciled(
      fmt::format("order {}: Alpaca reports {} filled without a usable price; booked at {}", id,
                  view.filled_qty, price));
  return price;
}

bool AlpacaBroker::book_fills(std::uint64_t id, const OrderView& view, std::int64_t ts_ns,
                              double hint_qty, double hint_price, bool from_stream) {
  const Order& o = *orders_.find(id);
  // New fills: Alpaca's cumulative quantity beyond what the journal holds, up to the order's
  // own quantity (an excess is booked below, outside the order).
  const double delta = std::min(view.filled_qty, o.quantity) - o.filled;
  const bool overfilled = view.filled_qty > o.quantity + kQtyEpsilon;
  if (delta <= kQtyEpsilon && !overfilled) return false;
  const double price = fill_price(id, o, view, delta, hint_qty, hint_price);
  bool changed = false;
  if (delta > kQtyEpsilon && orders_.fill(id, delta, price, ts_ns)) {
    changed = true;
    if (!from_stream) ++counters_.fills_from_resync;
  }
  if (!overfilled) return changed;
  // Alpaca filled more than the order: the excess is a position all the same. Booked outside
  // the order (adopted, journaled), once, and flagged.
  double& booked = booked_outside_[id];
  const double excess = view.filled_qty - o.quantity;
  if (excess - booked <= kQtyEpsilon) return changed;
  const double sign = o.side == wire::Side::kSell ? -1.0 : 1.0;
  orders_.adopt(o.symbol.view(), sign * (excess - booked), price, ts_ns);
  booked = excess;
  ++counters_.overfills;
  flag_unreconciled(fmt::format("order {}: Alpaca filled {} of {} {}; the excess is booked", id,
                                view.filled_qty, o.quantity, Printable{o.symbol.view()}));
  return true;
}

bool AlpacaBroker::apply_status(std::uint64_t id, const OrderView& view, std::int64_t ts_ns) {
  if (!is_open(orders_.find(id)->status)) return false;
  switch (view.status) {
    case Status::kCanceled:
      return orders_.cancel(id, ts_ns, "canceled at Alpaca");
    case Status::kReplaced:
      return orders_.cancel(id, ts_ns, "replaced at Alpaca");
    case Status::kExpired:
      return orders_.expire(id, ts_ns, "expired at Alpaca");
    case Status::kDoneForDay:
      return orders_.expire(id, ts_ns, "done for day at Alpaca");
    case Status::kRejected:
      ++counters_.rejects;
      return orders_.reject(id, wire::ExecReject::kBrokerRefused, "rejected by Alpaca", ts_ns);
    default:
      return false;
  }
}

// --- the stream ----------------------------------------------------------------------------

void AlpacaBroker::on_open(venues::websocket::Client& client) {
  listening_ = false;
  client.send(
      fmt::format(R"({{"action":"authenticate","data":{{"key_id":"{}","secret_key":"{}"}}}})",
                  stream_key_id_, stream_secret_));
}

void AlpacaBroker::on_frame(venues::websocket::Client& client, simdjson::padded_string_view frame,
                            std::int64_t receive_ns) {
  TradeUpdate u;
  switch (parser_.stream(frame, u)) {
    case StreamMessage::kAuthorized:
      client.send(R"({"action":"listen","data":{"streams":["trade_updates"]}})");
      return;
    case StreamMessage::kUnauthorized:
      fail("trade_updates refused the keys");
      client.stop("unauthorized");
      return;
    case StreamMessage::kListening:
      listening_ = true;
      client.healthy();
      // Whatever happened while the stream was down comes from REST; the stream from here.
      if (reconciled_) resync(false);
      return;
    case StreamMessage::kTradeUpdate:
      ++counters_.events;
      if (u.event == Status::kTradeBust) {
        ++counters_.trade_busts;
        log_->error("Alpaca reported {} for order {}: positions may differ until reconciled",
                    Printable{u.event_text}, Printable{u.order.client_order_id.view()});
        if (const auto id = engine_order_id(u.order.client_order_id.view())) verify(*id);
        return;
      }
      apply(u.order, u.timestamp_ns > 0 ? u.timestamp_ns : receive_ns,
            u.event == Status::kFilled || u.event == Status::kPartiallyFilled ? u.qty : 0, u.price,
            true);
      return;
    case StreamMessage::kOther:
      return;
    case StreamMessage::kMalformed: {
      ++counters_.malformed;
      // Never dropped: the order it names (if any we can find in it) is looked up, else
      // every open order - an event we could not read may have been a fill.
      const std::string_view text(frame.data(), frame.size());
      unbookable(Unbookable::kMalformed, order_named_in(text), text.substr(0, 120));
      return;
    }
  }
}

void AlpacaBroker::on_close(venues::websocket::Client&, std::string_view reason) {
  listening_ = false;
  log_->warn("trade_updates: connection ended ({}); orders resync when it is back",
             Printable{reason});
}

// --- resynchronisation ---------------------------------------------------------------------

void AlpacaBroker::resync(bool at_start) {
  if (resync_in_flight_ && !at_start) {
    resync_again_ = true;  // a flood of reasons makes one more resync, not one each
    return;
  }
  resync_in_flight_ = true;
  ++counters_.resyncs;
  rest_.request(Method::kGet, "/v2/orders?status=open&limit=500&direction=asc", {},
                [this, at_start](Response& r) {
                  if (!r.ok()) {
                    resync_in_flight_ = false;
                    log_->error("resync: GET /v2/orders answered {}",
                                r.status ? std::to_string(r.status) : r.error);
                    if (at_start) fail("could not read the open orders at Alpaca");
                    return;
                  }
                  std::map<std::uint64_t, bool> open_at_broker;
                  const bool read = parser_.orders(r.json(), [&](const OrderView& v) {
                    if (const auto id = engine_order_id(v.client_order_id.view())) {
                      open_at_broker[*id] = true;
                    }
                    apply(v, now_ns());
                  });
                  if (!read) {
                    // An order in the list could not be read (and those after it were not):
                    // ours are looked up one by one below; one we cannot explain may hide
                    // there, so at start that counts as unexplained (REDUCING).
                    ++counters_.malformed;
                    if (at_start) ++unexplained_;
                    log_->error("resync: Alpaca's open orders could not all be read{}",
                                at_start ? "; starting REDUCING" : "");
                  }
                  // Orders open here but not there have ended while we were not listening (or
                  // never arrived): each is looked up once.
                  std::vector<std::uint64_t> gone;
                  for (const auto& [id, o] : orders_.open_orders()) {
                    if (!open_at_broker.count(id) && !tracked_[id].post_pending) {
                      gone.push_back(id);
                    }
                  }
                  for (const auto id : gone) resync_lookup(id, at_start);
                  rest_.request(Method::kGet, "/v2/positions", {}, [this, at_start](Response& p) {
                    compare_positions(p, at_start ? Compare::kStart : Compare::kQuiet);
                    resync_in_flight_ = false;
                    if (resync_again_) {
                      resync_again_ = false;
                      resync(false);
                    }
                  });
                });
}

void AlpacaBroker::resync_lookup(std::uint64_t id, bool at_start) {
  ++counters_.order_lookups;
  rest_.request(
      Method::kGet, "/v2/orders:by_client_order_id?client_order_id=" + client_order_id(id), {},
      [this, id, at_start](Response& r) {
        OrderView view;
        if (r.ok() && parser_.order(r.json(), view)) {
          apply(view, now_ns());
          return;
        }
        const Order* o = orders_.find(id);
        if (r.status == 404 && o && is_open(o->status) && !tracked_[id].post_pending) {
          // Accepted here, never at Alpaca (execution stopped between its journal
          // and the POST). Not sent now: the decision is stale.
          ++counters_.rejects;
          orders_.reject(id, wire::ExecReject::kLostBeforeBroker,
                         at_start ? "never reached Alpaca (before a restart)" : "not at Alpaca",
                         now_ns());
          return;
        }
        if (!r.ok()) {
          log_->error("resync: order {} lookup answered {}", id,
                      r.status ? std::to_string(r.status) : r.error);
        } else {
          ++counters_.malformed;
        }
      });
}

std::vector<std::string> AlpacaBroker::compare_positions(Response& r, Compare when) {
  const bool at_start = when == Compare::kStart;
  std::vector<std::string> differ;
  std::map<std::string, double> theirs, entry_price;
  if (!r.ok() || !parser_.positions(r.json(), [&](const PositionView& p) {
        theirs[std::string(p.symbol.view())] = p.qty;
        entry_price[std::string(p.symbol.view())] = p.avg_entry_price;
      })) {
    if (r.ok()) ++counters_.malformed;
    log_->error("resync: GET /v2/positions answered {}",
                r.status ? std::to_string(r.status) : r.error);
    if (at_start) fail("could not read the positions at Alpaca");
    if (when == Compare::kFinal) differ.emplace_back("(positions could not be read)");
    return differ;
  }
  positions_ = std::move(theirs);
  // Mid-session, orders in flight make the two differ for a moment: compare when quiet only.
  // At the end, always (orders still open included: their fills so far are booked).
  const bool quiet = orders_.open_orders().empty() && rest_.pending() == 0;
  if (at_start || quiet || when == Compare::kFinal) {
    std::map<std::string, double> ours;
    for (const auto& [symbol, p] : orders_.portfolio().positions()) ours[symbol] = p.quantity;
    for (const auto& [symbol, qty] : positions_) ours.try_emplace(symbol, 0.0);
    for (const auto& [symbol, qty] : ours) {
      const auto it = positions_.find(symbol);
      const double broker = it == positions_.end() ? 0.0 : it->second;
      if (std::abs(broker - qty) <= kQtyEpsilon) continue;
      differ.push_back(
          fmt::format("{}: Alpaca holds {}, the journal {}", Printable{symbol}, broker, qty));
      if (when == Compare::kFinal) continue;  // final_check decides, after re-reading
      ++counters_.position_mismatches;
      if (at_start && options_.adopt_broker_state) {
        log_->warn("{}: Alpaca holds {}, the journal {}: adopting Alpaca's (adopt_broker_state)",
                   Printable{symbol}, broker, qty);
        orders_.adopt(symbol, broker - qty, entry_price[symbol], now_ns());
      } else {
        if (at_start) ++unexplained_;
        log_->error("{}{}", differ.back(),
                    at_start ? ": starting REDUCING (no new exposure); set "
                               "execution.alpaca.adopt_broker_state = true to adopt it"
                             : "");
      }
    }
  }
  if (at_start) {
    reconciled_ = true;
    log_->info("reconciled with Alpaca: {} open order(s) tracked, {} position(s) at Alpaca{}",
               orders_.open_orders().size(), positions_.size(),
               unexplained_ ? fmt::format(", {} unexplained", unexplained_) : std::string());
  }
  return differ;
}

void AlpacaBroker::final_check(int attempt) {
  // Requests of rest_ go out in order: the lookups are answered (and booked) before the
  // positions are read.
  for (const auto& [id, o] : orders_.open_orders()) {
    if (!tracked_[id].post_pending) verify(id);
  }
  rest_.request(Method::kGet, "/v2/positions", {}, [this, attempt](Response& p) {
    auto differ = compare_positions(p, Compare::kFinal);
    if (!differ.empty() && attempt + 1 < kFinalChecks) {
      recheck_timer_.expires_after(kFinalRecheck);
      recheck_timer_.async_wait([this, attempt](boost::system::error_code ec) {
        if (!ec) final_check(attempt + 1);
      });
      return;
    }
    for (auto& d : differ) {
      ++counters_.position_mismatches;
      flag_unreconciled("at the end of the session: " + d);
    }
    final_mismatches_ = std::move(differ);
    final_positions_known_ = true;
  });
}

// --- end of data, shutdown, reporting -----------------------------------------------------

bool AlpacaBroker::settle(std::int64_t now) {
  // The wait runs from the end of market data or the last order, whichever is later: orders
  // decided on the last bars may still be on their way when the data ends.
  const auto wait_ns = static_cast<std::int64_t>(options_.settle_timeout_s * 1e9);
  if (settle_started_ns_ == 0) settle_started_ns_ = now;
  const std::int64_t deadline = std::max(settle_started_ns_, last_order_ns_) + wait_ns;
  if (orders_.open_orders().empty() || settle_gave_up_) {
    // Settled: Alpaca's positions once more, compared with the engine's (orders still open
    // or not), for the session's summary.
    if (!final_positions_asked_) {
      final_positions_asked_ = true;
      final_check(0);
    }
    return final_positions_known_;
  }
  if (now < deadline) return false;
  if (!settle_looked_up_) {
    // Still open at the deadline: each is looked up first - a fill whose event was lost is
    // booked before anything is canceled.
    settle_looked_up_ = true;
    for (const auto& [id, o] : orders_.open_orders()) {
      if (!tracked_[id].post_pending) verify(id);
    }
    lookups_due_ns_ = now + static_cast<std::int64_t>(options_.request_timeout_ms) * 3'000'000;
    return false;
  }
  if (!verifying_.empty() && now < lookups_due_ns_) return false;
  if (!options_.cancel_at_end) {
    log_->warn("{} order(s) still open {} s after the end of market data (cancel_at_end is off)",
               orders_.open_orders().size(), options_.settle_timeout_s);
    settle_gave_up_ = true;
    return false;
  }
  // Cancel what is open and not asked already; then allow the cancels a few request timeouts.
  std::vector<std::uint64_t> open;
  for (const auto& [id, o] : orders_.open_orders()) {
    if (!tracked_[id].cancel_sent) open.push_back(id);
  }
  if (!open.empty()) {
    log_->warn(
        "{} order(s) still open {} s after the end of market data: canceling them "
        "(cancel_at_end)",
        open.size(), options_.settle_timeout_s);
    for (const auto id : open) on_cancel(id, now);
    cancels_due_ns_ = now + static_cast<std::int64_t>(options_.request_timeout_ms) * 3'000'000;
    return false;
  }
  if (now < cancels_due_ns_) return false;
  log_->error("{} order(s) still open at the end of the session", orders_.open_orders().size());
  settle_gave_up_ = true;
  return false;
}

void AlpacaBroker::fail(std::string why) {
  if (!failed_) log_->error("alpaca: {}; no further orders are sent", why);
  failed_ = true;
  failure_ = std::move(why);
}

void AlpacaBroker::stop() {
  clock_timer_.cancel();
  recheck_timer_.cancel();
  stream_->stop("execution stopping");
  rest_.stop();
  cancel_rest_.stop();
}

namespace {
// A Prometheus label value: quotes, backslashes and newlines escaped (a symbol is outside
// text); anything else not printable replaced.
std::string label(std::string_view v) {
  std::string out;
  for (const char c : v) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (u < 0x20 || u >= 0x7f) {
      out += '?';
    } else {
      out += c;
    }
  }
  return out;
}
}  // namespace

void AlpacaBroker::render_metrics(std::string& m) const {
  const std::string l = R"(component="execution",broker="alpaca_paper")";
  auto metric = [&](std::string_view name, std::string_view extra, double v) {
    m += fmt::format("{}{{{}{}}} {}\n", name, l, extra, v);
  };
  const auto& c = counters_;
  metric("ztrade_broker_orders_sent_total", "", static_cast<double>(c.orders_sent));
  metric("ztrade_broker_order_lookups_total", "", static_cast<double>(c.order_lookups));
  metric("ztrade_broker_order_resends_total", "", static_cast<double>(c.order_resends));
  metric("ztrade_broker_rejects_total", "", static_cast<double>(c.rejects));
  metric("ztrade_broker_cancels_sent_total", "", static_cast<double>(c.cancels_sent));
  metric("ztrade_broker_cancels_refused_total", "", static_cast<double>(c.cancel_refused));
  metric("ztrade_broker_events_total", "", static_cast<double>(c.events));
  metric("ztrade_broker_duplicate_events_total", "", static_cast<double>(c.duplicate_events));
  metric("ztrade_broker_fills_from_resync_total", "", static_cast<double>(c.fills_from_resync));
  metric("ztrade_broker_malformed_total", "", static_cast<double>(c.malformed));
  for (std::size_t i = 0; i < kUnbookableNames.size(); ++i) {
    metric("ztrade_broker_unbookable_events_total",
           fmt::format(R"(,reason="{}")", kUnbookableNames[i]),
           static_cast<double>(c.unbookable[i]));
  }
  metric("ztrade_broker_overfills_total", "", static_cast<double>(c.overfills));
  metric("ztrade_broker_fills_off_market_total", "", static_cast<double>(c.fills_off_market));
  metric("ztrade_broker_resyncs_total", "", static_cast<double>(c.resyncs));
  metric("ztrade_broker_foreign_orders_total", "", static_cast<double>(c.foreign_orders));
  metric("ztrade_broker_position_mismatches_total", "", static_cast<double>(c.position_mismatches));
  metric("ztrade_broker_trade_busts_total", "", static_cast<double>(c.trade_busts));
  metric("ztrade_broker_unexplained", "", static_cast<double>(unexplained_));
  metric("ztrade_broker_unreconciled", "", static_cast<double>(unreconciled_));
  metric("ztrade_broker_reduce_only", "", reduce_only() ? 1 : 0);
  metric("ztrade_broker_ready", "", ready() ? 1 : 0);
  const auto& s = stream_->stats();
  metric("ztrade_broker_stream_connected", "", s.connected && listening_ ? 1 : 0);
  metric("ztrade_broker_stream_connects_total", "", static_cast<double>(s.connects));
  metric("ztrade_broker_stream_disconnects_total", "", static_cast<double>(s.disconnects));
  for (const auto* rest : {&rest_, &cancel_rest_}) {
    const auto& r = rest->stats();
    const std::string lane = rest == &rest_ ? R"(,lane="orders")" : R"(,lane="cancels")";
    metric("ztrade_broker_requests_total", lane, static_cast<double>(r.requests));
    metric("ztrade_broker_request_timeouts_total", lane, static_cast<double>(r.timeouts));
    metric("ztrade_broker_rate_limited_total", lane, static_cast<double>(r.rate_limited));
    metric("ztrade_broker_retry_after_refused_total", lane,
           static_cast<double>(r.retry_after_refused));
    metric("ztrade_broker_server_errors_total", lane, static_cast<double>(r.server_errors));
    metric("ztrade_broker_throttled_total", lane, static_cast<double>(r.throttled));
  }
  for (const auto& [symbol, qty] : positions_) {
    metric("ztrade_broker_position_quantity", fmt::format(R"(,symbol="{}")", label(symbol)), qty);
  }
}

std::string AlpacaBroker::status_json() const {
  // Every string from outside (symbols, notes quoting them) through json_string: escaped.
  std::string positions, unbookable, notes, mismatches;
  for (const auto& [symbol, qty] : positions_) {
    positions += fmt::format("{}{}:{}", positions.empty() ? "" : ",", json_string(symbol), qty);
  }
  for (std::size_t i = 0; i < kUnbookableNames.size(); ++i) {
    unbookable +=
        fmt::format(R"({}"{}":{})", i ? "," : "", kUnbookableNames[i], counters_.unbookable[i]);
  }
  for (const auto& n : unreconciled_notes_) {
    if (!notes.empty()) notes += ',';
    append_json_string(notes, n);
  }
  for (const auto& d : final_mismatches_) {
    if (!mismatches.empty()) mismatches += ',';
    append_json_string(mismatches, d);
  }
  return fmt::format(
      R"({{"name":"alpaca_paper","ready":{},"listening":{},"reconciled":{},"unexplained":{},)"
      R"("unreconciled":{},"unreconciled_notes":[{}],"position_mismatches":[{}],)"
      R"("unbookable_events":{{{}}},"overfills":{},"fills_off_market":{},)"
      R"("reduce_only":{},"failure":{},"positions":{{{}}}}})",
      ready(), listening_, reconciled_, unexplained_, unreconciled_, notes, mismatches, unbookable,
      counters_.overfills, counters_.fills_off_market, reduce_only(), json_string(failure_),
      positions);
}

}  // namespace ztrade::brokers::alpaca_paper
