#include "venues/kraken/parse.hpp"

#include <algorithm>

#include "venues/common/decimal.hpp"
#include "venues/common/json.hpp"
#include "venues/common/timestamp.hpp"
#include "venues/kraken/checksum.hpp"

namespace ztrade::venues::kraken {

namespace od = simdjson::ondemand;

Parser::Parser(const SymbolMap& symbols, MarketSink& sink, std::size_t book_depth)
    : ParserBase(symbols, sink), book_depth_(book_depth), books_(symbols) {
  snapshot_trades_.reserve(64);
}

void Parser::set_precision(std::string_view venue_symbol, int price_precision, int qty_precision) {
  BookState* b = books_.find(venue_symbol);
  if (!b || price_precision < 0 || price_precision > 18 || qty_precision < 0 ||
      qty_precision > 18) {
    return;
  }
  if (b->price_precision == price_precision && b->qty_precision == qty_precision) return;
  b->price_precision = price_precision;
  b->qty_precision = qty_precision;
  b->quoted = QuotedBook(price_precision, qty_precision);
}

bool Parser::has_precision(std::string_view venue_symbol) const noexcept {
  const BookState* b = books_.find(venue_symbol);
  return b && b->price_precision >= 0;
}

bool Parser::book_synced(std::string_view venue_symbol) const noexcept {
  const BookState* b = books_.find(venue_symbol);
  return b && b->quoted.synced;
}

void Parser::reset_book(std::string_view venue_symbol) noexcept {
  if (BookState* b = books_.find(venue_symbol)) b->quoted.reset();
}

const OrderBook* Parser::book(std::string_view venue_symbol) const noexcept {
  const BookState* b = books_.find(venue_symbol);
  return b ? &b->quoted.book : nullptr;
}

ParseResult Parser::resync(BookState& b, bool bad) noexcept {
  b.quoted.reset();
  ParseResult r = bad ? malformed<ParseResult>() : ParseResult{};
  r.control = Control::kBookResync;
  r.symbol = b.venue_symbol;
  return r;
}

ParseResult Parser::parse(simdjson::padded_string_view frame, std::int64_t receive_ns) noexcept {
  od::document doc;
  od::object obj;
  if (!begin(frame, doc) || doc.get_object().get(obj)) return malformed<ParseResult>();
  std::string_view channel;
  switch (json::optional_string(obj, "channel", channel)) {
    case json::Field::kPresent:
      return data(obj, channel, receive_ns);
    case json::Field::kAbsent:
      return method(obj);
    case json::Field::kInvalid:
      break;
  }
  return malformed<ParseResult>();
}

ParseResult Parser::method(od::object& obj) noexcept {
  std::string_view m;
  if (!json::string(obj, "method", m)) return malformed<ParseResult>();
  if (m == "pong") return {Control::kPong, true, {}, {}};
  if (m != "subscribe" && m != "unsubscribe") {
    ++counters_.ignored;
    return {};
  }
  bool success = false;
  if (!json::boolean(obj, "success", success)) return malformed<ParseResult>();
  ParseResult r{success ? (m == "subscribe" ? Control::kSubscribed : Control::kUnsubscribed)
                        : Control::kRequestFailed,
                true,
                {},
                {}};
  if (!success) {
    ++counters_.venue_errors;
    if (json::optional_string(obj, "error", r.text) == json::Field::kInvalid ||
        json::optional_string(obj, "symbol", r.symbol) == json::Field::kInvalid) {
      return malformed<ParseResult>();
    }
    return r;
  }
  od::object result;
  if (json::field(obj, "result").get_object().get(result) == simdjson::SUCCESS) {
    json::optional_string(result, "symbol", r.symbol);
  }
  return r;
}

ParseResult Parser::data(od::object& obj, std::string_view channel,
                         std::int64_t receive_ns) noexcept {
  if (channel == "heartbeat") return {Control::kHeartbeat, true, {}, {}};
  std::string_view type;
  const bool is_data_channel = channel == "trade" || channel == "ticker" || channel == "book" ||
                               channel == "ohlc" || channel == "instrument";
  if (channel == "status") {
    od::array items;
    ParseResult r{Control::kStatus, true, {}, {}};
    if (json::field(obj, "data").get_array().get(items)) return malformed<ParseResult>();
    for (auto item : items) {
      od::object o;
      if (item.get_object().get(o)) return malformed<ParseResult>();
      json::optional_string(o, "system", r.text);
      break;
    }
    return r;
  }
  if (!is_data_channel) {
    ++counters_.ignored;
    return {};
  }
  if (!json::string(obj, "type", type) || (type != "snapshot" && type != "update")) {
    return malformed<ParseResult>();
  }
  if (channel == "instrument") {
    od::object d;
    if (json::field(obj, "data").get_object().get(d) || !instrument(d)) {
      return malformed<ParseResult>();
    }
    return {};
  }
  od::array items;
  if (json::field(obj, "data").get_array().get(items)) return malformed<ParseResult>();
  snapshot_trades_.clear();
  for (auto item : items) {
    od::object o;
    if (item.get_object().get(o)) return malformed<ParseResult>();
    if (channel == "trade") {
      if (!trade(o, receive_ns, type == "snapshot")) return malformed<ParseResult>();
    } else if (channel == "ticker") {
      if (!ticker(o, receive_ns)) return malformed<ParseResult>();
    } else if (channel == "ohlc") {
      if (!ohlc(o)) return malformed<ParseResult>();
    } else {
      // One book per message in practice; stop at the first that needs attention.
      const ParseResult r = book_message(o, type == "snapshot", receive_ns);
      if (!r.ok || r.control != Control::kNone) return r;
    }
  }
  if (!snapshot_trades_.empty()) accept_snapshot_trades();
  return {};
}

void Parser::accept_trade(BookState& s, const wire::TradeMsg& t) noexcept {
  if (s.last_trade_id != 0) {
    if (t.trade_id <= s.last_trade_id) {
      ++counters_.duplicates;  // published before (a snapshot overlapping what we had)
      return;
    }
    if (t.trade_id > s.last_trade_id + 1) {
      // Trades we never saw: an outage longer than the snapshot covers.
      ++counters_.gaps;
      counters_.missing += t.trade_id - s.last_trade_id - 1;
    }
  }
  s.last_trade_id = t.trade_id;
  emit(t);
}

void Parser::accept_snapshot_trades() noexcept {
  // In trade-id order per symbol, whatever order the venue listed them in.
  std::sort(snapshot_trades_.begin(), snapshot_trades_.end(),
            [](const SnapshotTrade& a, const SnapshotTrade& b) {
              return a.state != b.state ? a.state < b.state : a.trade.trade_id < b.trade.trade_id;
            });
  for (const SnapshotTrade& st : snapshot_trades_) {
    if (st.state->last_trade_id == 0) {
      // The first subscription's snapshot is history from before we started: it sets where
      // the sequence stands, and the feed starts with the next trade.
      ++counters_.ignored;
      if (&st == &snapshot_trades_.back() || (&st + 1)->state != st.state) {
        st.state->last_trade_id = st.trade.trade_id;
      }
      continue;
    }
    accept_trade(*st.state, st.trade);
  }
  snapshot_trades_.clear();
}

bool Parser::trade(od::object o, std::int64_t receive_ns, bool snapshot) noexcept {
  std::string_view venue_symbol, side, ts;
  wire::TradeMsg t{};
  std::uint64_t id = 0;
  if (!json::string(o, "symbol", venue_symbol) || !json::string(o, "side", side) ||
      !json::number(o, "price", t.price) || !json::number(o, "qty", t.size) ||
      !json::uint(o, "trade_id", id) || !json::string(o, "timestamp", ts) ||
      !parse_rfc3339_ns(ts, t.exchange_ns) || !(t.price > 0) || !(t.size >= 0) ||
      (side != "buy" && side != "sell")) {
    return false;
  }
  BookState* s = state(books_, venue_symbol);
  if (!s || !s->symbol) return true;
  t.symbol = *s->symbol;
  t.trade_id = id;
  t.aggressor = side == "buy" ? wire::Side::kBuy : wire::Side::kSell;
  t.receive_ns = receive_ns;
  if (snapshot) {
    snapshot_trades_.push_back({s, t});
  } else {
    accept_trade(*s, t);
  }
  return true;
}

bool Parser::ticker(od::object o, std::int64_t receive_ns) noexcept {
  std::string_view venue_symbol, ts;
  wire::QuoteMsg q{};
  if (!json::string(o, "symbol", venue_symbol) || !json::number(o, "bid", q.bid_price) ||
      !json::number(o, "bid_qty", q.bid_size) || !json::number(o, "ask", q.ask_price) ||
      !json::number(o, "ask_qty", q.ask_size) || q.bid_price < 0 || q.ask_price < 0 ||
      q.bid_size < 0 || q.ask_size < 0) {
    return false;
  }
  // timestamp is in current docs, absent from older examples: fall back to receive time.
  q.exchange_ns = receive_ns;
  switch (json::optional_string(o, "timestamp", ts)) {
    case json::Field::kPresent:
      if (!parse_rfc3339_ns(ts, q.exchange_ns)) return false;
      break;
    case json::Field::kInvalid:
      return false;
    case json::Field::kAbsent:
      break;
  }
  BookState* s = state(books_, venue_symbol);
  if (!s || !s->symbol) return true;
  // One top of book per symbol, published when it changes: a synced book is the authority
  // (the ticker repeats its best levels on every trade), and a ticker that repeats the last
  // quote published adds nothing.
  wire::QuoteMsg& last = s->quoted.last_top;
  if (s->quoted.synced || (last.bid_price == q.bid_price && last.bid_size == q.bid_size &&
                           last.ask_price == q.ask_price && last.ask_size == q.ask_size)) {
    ++counters_.ignored;
    return true;
  }
  q.symbol = *s->symbol;
  q.receive_ns = receive_ns;
  last = q;
  emit(q);
  return true;
}

bool Parser::ohlc(od::object o) noexcept {
  std::string_view venue_symbol, begin;
  wire::BarMsg b{};
  std::uint64_t trades = 0, interval_min = 0;
  if (!json::string(o, "symbol", venue_symbol) || !json::number(o, "open", b.open) ||
      !json::number(o, "high", b.high) || !json::number(o, "low", b.low) ||
      !json::number(o, "close", b.close) || !json::number(o, "volume", b.volume) ||
      !json::uint(o, "trades", trades) || !json::string(o, "interval_begin", begin) ||
      !json::uint(o, "interval", interval_min) || !parse_rfc3339_ns(begin, b.start_ns) ||
      interval_min == 0 || interval_min > 21600 || !valid_bar(b)) {
    return false;
  }
  BookState* s = books_.find(venue_symbol);
  if (!s) {
    ++counters_.unknown_symbol;
    return true;
  }
  b.symbol = *s->symbol;
  b.interval_ns = static_cast<std::int64_t>(interval_min) * 60'000'000'000;
  b.trade_count = static_cast<std::uint32_t>(trades > 0xFFFFFFFFu ? 0xFFFFFFFFu : trades);
  candle(s->candle, b);  // revised with every trade: published once, closed
  return true;
}

bool Parser::instrument(od::object d) noexcept {
  od::array pairs;
  if (json::field(d, "pairs").get_array().get(pairs)) return false;
  for (auto item : pairs) {
    od::object p;
    std::string_view venue_symbol;
    std::uint64_t pp = 0, qp = 0;
    if (item.get_object().get(p) || !json::string(p, "symbol", venue_symbol) ||
        !json::uint(p, "price_precision", pp) || !json::uint(p, "qty_precision", qp) || pp > 18 ||
        qp > 18) {
      return false;
    }
    set_precision(venue_symbol, static_cast<int>(pp), static_cast<int>(qp));
  }
  return true;
}

ParseResult Parser::book_message(od::object o, bool snapshot, std::int64_t receive_ns) noexcept {
  std::string_view venue_symbol;
  if (!json::string(o, "symbol", venue_symbol)) return malformed<ParseResult>();
  BookState* b = books_.find(venue_symbol);
  if (!b) {
    ++counters_.unknown_symbol;
    return {};
  }
  OrderBook& book = b->quoted.book;
  if (b->price_precision < 0 || (!snapshot && !b->quoted.synced)) {
    // Unverifiable (no precisions yet) or an update without its snapshot: start over.
    ++counters_.ignored;
    return resync(*b, false);
  }
  if (snapshot) book.clear();
  // Levels are applied in order, bids then asks as sent: several changes to one level in a
  // message are applied one after another.
  for (const char* side_name : {"bids", "asks"}) {
    const auto side = side_name[0] == 'b' ? OrderBook::Side::kBid : OrderBook::Side::kAsk;
    od::array levels;
    if (json::field(o, side_name).get_array().get(levels)) return resync(*b, true);
    for (auto level : levels) {
      od::object l;
      std::int64_t p = 0, q = 0;
      if (level.get_object().get(l) ||
          !json::exact_level(l, "price", "qty", b->price_precision, b->qty_precision, p, q)) {
        return resync(*b, true);
      }
      book.set(side, p, q);
    }
  }
  book.truncate(book_depth_);
  std::uint64_t expected = 0;
  if (!json::uint(o, "checksum", expected) || expected > 0xFFFFFFFFu) return resync(*b, true);
  if (book_checksum(book) != static_cast<std::uint32_t>(expected)) {
    ++counters_.checksum_failures;
    ParseResult r = resync(*b, false);
    r.text = "checksum mismatch";
    return r;
  }
  b->quoted.synced = true;
  std::string_view ts;
  std::int64_t exchange_ns = receive_ns;  // snapshots carry no timestamp
  if (json::optional_string(o, "timestamp", ts) == json::Field::kPresent &&
      !parse_rfc3339_ns(ts, exchange_ns)) {
    exchange_ns = receive_ns;
  }
  emit_top(b->quoted, *b->symbol, exchange_ns, receive_ns);
  return {};
}

}  // namespace ztrade::venues::kraken
