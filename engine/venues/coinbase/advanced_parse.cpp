#include "venues/coinbase/advanced_parse.hpp"

#include <algorithm>

#include "venues/common/decimal.hpp"
#include "venues/common/json.hpp"
#include "venues/common/timestamp.hpp"

namespace ztrade::venues::coinbase {

namespace od = simdjson::ondemand;

namespace {
constexpr std::int64_t kCandleNs = 300'000'000'000;  // Advanced Trade candles are 5 minutes
}  // namespace

AdvancedTradeParser::AdvancedTradeParser(const SymbolMap& symbols, MarketSink& sink)
    : ParserBase(symbols, sink), products_(symbols) {
  batch_.reserve(1024);
}

const OrderBook* AdvancedTradeParser::book(std::string_view id) const noexcept {
  const Product* p = products_.find(id);
  return p ? &p->quoted.book : nullptr;
}

void AdvancedTradeParser::reset_connection() noexcept {
  last_sequence_ = -1;
  for (auto& p : products_) p.quoted.reset();
}

ParseResult AdvancedTradeParser::parse(simdjson::padded_string_view frame,
                                       std::int64_t receive_ns) noexcept {
  od::document doc;
  od::object obj;
  if (!begin(frame, doc) || doc.get_object().get(obj)) return malformed<ParseResult>();
  std::string_view channel;
  switch (json::optional_string(obj, "channel", channel)) {
    case json::Field::kInvalid:
      return malformed<ParseResult>();
    case json::Field::kAbsent: {
      std::string_view type;
      if (!json::string(obj, "type", type)) return malformed<ParseResult>();
      if (type != "error") {
        ++counters_.ignored;
        return {};
      }
      ++counters_.venue_errors;
      ParseResult r{Control::kError, true, {}, {}};
      json::optional_string(obj, "message", r.text);
      return r;
    }
    case json::Field::kPresent:
      break;
  }
  std::uint64_t seq = 0;
  std::string_view stamp;
  std::int64_t envelope_ns = receive_ns;
  if (!json::uint(obj, "sequence_num", seq) || !json::string(obj, "timestamp", stamp) ||
      !parse_rfc3339_ns(stamp, envelope_ns) || seq > INT64_MAX) {
    return malformed<ParseResult>();
  }
  const auto s = static_cast<std::int64_t>(seq);
  if (last_sequence_ >= 0 && s <= last_sequence_) {
    ++counters_.ignored;  // repeated or stale
    return {};
  }
  if (last_sequence_ >= 0 && s > last_sequence_ + 1) {
    ++counters_.gaps;
    counters_.missing += static_cast<std::uint64_t>(s - last_sequence_ - 1);
  }
  last_sequence_ = s;

  if (channel == "subscriptions") return {Control::kSubscribed, true, {}, {}};
  if (channel == "heartbeats") return {Control::kHeartbeat, true, {}, {}};
  const bool known = channel == "market_trades" || channel == "ticker" ||
                     channel == "ticker_batch" || channel == "l2_data" || channel == "candles";
  if (!known) {
    ++counters_.ignored;
    return {};
  }
  od::array events;
  if (json::field(obj, "events").get_array().get(events)) return malformed<ParseResult>();
  for (auto item : events) {
    od::object event;
    if (item.get_object().get(event)) return malformed<ParseResult>();
    if (channel == "market_trades") {
      if (!trades(event, receive_ns)) return malformed<ParseResult>();
    } else if (channel == "l2_data") {
      const ParseResult r = level2(event, envelope_ns, receive_ns);
      if (!r.ok || r.control != Control::kNone) return r;
    } else if (channel == "candles") {
      if (!candles(event)) return malformed<ParseResult>();
    } else if (!tickers(event, envelope_ns, receive_ns)) {
      return malformed<ParseResult>();
    }
  }
  return {};
}

bool AdvancedTradeParser::trades(od::object& event, std::int64_t receive_ns) noexcept {
  std::string_view type;
  od::array list;
  if (!json::string(event, "type", type) || (type != "snapshot" && type != "update") ||
      json::field(event, "trades").get_array().get(list)) {
    return false;
  }
  batch_.clear();
  for (auto item : list) {
    od::object o;
    std::string_view id_text, product_id, side, time;
    Decimal id;
    wire::TradeMsg t{};
    if (item.get_object().get(o) || !json::string(o, "trade_id", id_text) ||
        !json::string(o, "product_id", product_id) || !json::string_number(o, "price", t.price) ||
        !json::string_number(o, "size", t.size) || !json::string(o, "side", side) ||
        !json::string(o, "time", time) || !parse_rfc3339_ns(time, t.exchange_ns) ||
        !Decimal::parse(id_text, id) || id.scale != 0 || id.mantissa <= 0 || !(t.price > 0) ||
        !(t.size >= 0) || (side != "BUY" && side != "SELL")) {
      return false;
    }
    Product* p = state(products_, product_id);
    if (!p) continue;
    t.symbol = *p->symbol;
    t.trade_id = static_cast<std::uint64_t>(id.mantissa);
    t.aggressor = side == "BUY" ? wire::Side::kBuy : wire::Side::kSell;
    t.receive_ns = receive_ns;
    batch_.push_back({p, t});
  }
  // Batches arrive newest first; publish oldest first.
  std::sort(batch_.begin(), batch_.end(),
            [](const Pending& a, const Pending& b) { return a.trade.trade_id < b.trade.trade_id; });
  // A product's first snapshot only sets its baseline: those trades predate our subscription.
  for (const auto& [prod, t] : batch_)
    prod->seeding = type == "snapshot" && prod->last_trade_id == 0;
  for (const auto& [prod, t] : batch_) {
    if (prod->seeding) {
      prod->last_trade_id = std::max(prod->last_trade_id, t.trade_id);
      continue;
    }
    if (prod->last_trade_id != 0) {
      if (t.trade_id <= prod->last_trade_id) {
        ++counters_.ignored;
        continue;
      }
      if (t.trade_id > prod->last_trade_id + 1) {
        ++counters_.gaps;
        counters_.missing += t.trade_id - prod->last_trade_id - 1;
      }
    }
    prod->last_trade_id = t.trade_id;
    emit(t);
  }
  for (const auto& [prod, t] : batch_) prod->seeding = false;
  return true;
}

bool AdvancedTradeParser::tickers(od::object& event, std::int64_t envelope_ns,
                                  std::int64_t receive_ns) noexcept {
  od::array list;
  if (json::field(event, "tickers").get_array().get(list)) return false;
  for (auto item : list) {
    od::object o;
    std::string_view product_id;
    wire::QuoteMsg q{};
    if (item.get_object().get(o) || !json::string(o, "product_id", product_id)) return false;
    // ticker_batch may omit best bid/ask: then there is no quote in it.
    std::string_view bid;
    const json::Field has_bid = json::optional_string(o, "best_bid", bid);
    if (has_bid == json::Field::kInvalid) return false;
    if (has_bid == json::Field::kAbsent) {
      ++counters_.ignored;
      continue;
    }
    if (!parse_double(bid, q.bid_price) ||
        !json::string_number(o, "best_bid_quantity", q.bid_size) ||
        !json::string_number(o, "best_ask", q.ask_price) ||
        !json::string_number(o, "best_ask_quantity", q.ask_size) || q.bid_price < 0 ||
        q.ask_price < 0 || q.bid_size < 0 || q.ask_size < 0) {
      return false;
    }
    const wire::Symbol* symbol = engine_symbol(product_id);
    if (!symbol) continue;
    q.symbol = *symbol;
    q.exchange_ns = envelope_ns;
    q.receive_ns = receive_ns;
    emit(q);
  }
  return true;
}

ParseResult AdvancedTradeParser::level2(od::object& event, std::int64_t envelope_ns,
                                        std::int64_t receive_ns) noexcept {
  std::string_view type, product_id;
  if (!json::string(event, "type", type) || (type != "snapshot" && type != "update") ||
      !json::string(event, "product_id", product_id)) {
    return malformed<ParseResult>();
  }
  Product* p = state(products_, product_id);
  if (!p) return {};
  auto resync = [&](bool bad) {
    p->quoted.reset();
    ParseResult r = bad ? malformed<ParseResult>() : ParseResult{};
    r.control = Control::kBookResync;
    r.product = p->venue_symbol;
    return r;
  };
  const bool snapshot = type == "snapshot";
  if (!snapshot && !p->quoted.synced) {
    ++counters_.ignored;
    return resync(false);
  }
  OrderBook& book = p->quoted.book;
  if (snapshot) book.clear();
  od::array updates;
  if (json::field(event, "updates").get_array().get(updates)) return resync(true);
  for (auto item : updates) {
    od::object u;
    std::string_view side, price, qty;
    std::int64_t px = 0, q = 0;
    if (item.get_object().get(u) || !json::string(u, "side", side) ||
        !json::string(u, "price_level", price) || !json::string(u, "new_quantity", qty) ||
        (side != "bid" && side != "offer") || !scaled_level(price, qty, px, q)) {
      return resync(true);
    }
    book.set(side == "bid" ? OrderBook::Side::kBid : OrderBook::Side::kAsk, px, q);
  }
  p->quoted.synced = true;
  if (book.crossed()) {
    ++counters_.gaps;
    return resync(false);
  }
  emit_top(p->quoted, *p->symbol, envelope_ns, receive_ns);
  return {};
}

bool AdvancedTradeParser::candles(od::object& event) noexcept {
  od::array list;
  if (json::field(event, "candles").get_array().get(list)) return false;
  for (auto item : list) {
    od::object o;
    std::string_view product_id, start_text;
    Decimal start;
    wire::BarMsg b{};
    if (item.get_object().get(o) || !json::string(o, "product_id", product_id) ||
        !json::string(o, "start", start_text) || !Decimal::parse(start_text, start) ||
        start.scale != 0 || start.mantissa <= 0 || start.mantissa > 4'000'000'000 ||
        !json::string_number(o, "open", b.open) || !json::string_number(o, "high", b.high) ||
        !json::string_number(o, "low", b.low) || !json::string_number(o, "close", b.close) ||
        !json::string_number(o, "volume", b.volume) || !valid_bar(b)) {
      return false;
    }
    Product* p = state(products_, product_id);
    if (!p) continue;
    b.symbol = *p->symbol;
    b.start_ns = start.mantissa * 1'000'000'000;
    b.interval_ns = kCandleNs;
    candle(p->candle, b);  // updated every second: published once, closed
  }
  return true;
}

}  // namespace ztrade::venues::coinbase
