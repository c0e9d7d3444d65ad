#include "venues/coinbase/exchange_parse.hpp"

#include "venues/common/decimal.hpp"
#include "venues/common/json.hpp"
#include "venues/common/timestamp.hpp"

namespace ztrade::venues::coinbase {

namespace od = simdjson::ondemand;

ExchangeParser::ExchangeParser(const SymbolMap& symbols, MarketSink& sink)
    : ParserBase(symbols, sink), products_(symbols) {}

const OrderBook* ExchangeParser::book(std::string_view id) const noexcept {
  const Product* p = products_.find(id);
  return p ? &p->quoted.book : nullptr;
}

void ExchangeParser::reset_books() noexcept {
  for (auto& p : products_) p.quoted.reset();
}

ParseResult ExchangeParser::parse(simdjson::padded_string_view frame,
                                  std::int64_t receive_ns) noexcept {
  od::document doc;
  od::object obj;
  std::string_view type;
  if (!begin(frame, doc) || doc.get_object().get(obj) || !json::string(obj, "type", type)) {
    return malformed<ParseResult>();
  }
  if (type == "ticker") return ticker(obj, receive_ns);
  if (type == "match" || type == "last_match") return match(obj, receive_ns);
  if (type == "l2update") return level2(obj, false, receive_ns);
  if (type == "snapshot") return level2(obj, true, receive_ns);
  if (type == "heartbeat") return heartbeat(obj);
  if (type == "subscriptions") return {Control::kSubscribed, true, {}, {}};
  if (type == "error") {
    ++counters_.venue_errors;
    ParseResult r{Control::kError, true, {}, {}};
    // "reason" says more than "message" ("Failed to subscribe") when present.
    switch (json::optional_string(obj, "reason", r.text)) {
      case json::Field::kPresent:
        return r;
      case json::Field::kInvalid:
        return malformed<ParseResult>();
      case json::Field::kAbsent:
        break;
    }
    if (json::optional_string(obj, "message", r.text) == json::Field::kInvalid) {
      return malformed<ParseResult>();
    }
    return r;
  }
  ++counters_.ignored;  // e.g. status, received/open/done of the full channel
  return {};
}

// kStale for a message older than or equal to the last of its product (a stale or repeated
// message after a reconnect): those are dropped.
ExchangeParser::Freshness ExchangeParser::fresh(Product& p, od::object& o) noexcept {
  std::uint64_t seq = 0;
  switch (json::optional_uint(o, "sequence", seq)) {
    case json::Field::kAbsent:
      return Freshness::kFresh;  // not every message carries one
    case json::Field::kInvalid:
      return Freshness::kInvalid;
    case json::Field::kPresent:
      break;
  }
  if (p.last_sequence != 0 && seq <= p.last_sequence) return Freshness::kStale;
  p.last_sequence = seq;
  return Freshness::kFresh;
}

ParseResult ExchangeParser::ticker(od::object& o, std::int64_t receive_ns) noexcept {
  std::string_view id, time;
  wire::QuoteMsg q{};
  if (!json::string(o, "product_id", id)) return malformed<ParseResult>();
  Product* p = state(products_, id);
  if (!p) return {};
  switch (fresh(*p, o)) {
    case Freshness::kInvalid:
      return malformed<ParseResult>();
    case Freshness::kStale:
      ++counters_.ignored;
      return {};
    case Freshness::kFresh:
      break;
  }
  if (!json::string_number(o, "best_bid", q.bid_price) ||
      !json::string_number(o, "best_ask", q.ask_price) || !json::string(o, "time", time) ||
      !parse_rfc3339_ns(time, q.exchange_ns) || q.bid_price < 0 || q.ask_price < 0) {
    return malformed<ParseResult>();
  }
  // Sizes arrived in 2023; older feeds send prices only.
  for (auto [key, size] :
       {std::pair{"best_bid_size", &q.bid_size}, {"best_ask_size", &q.ask_size}}) {
    std::string_view text;
    const json::Field f = json::optional_string(o, key, text);
    if (f == json::Field::kInvalid ||
        (f == json::Field::kPresent && (!parse_double(text, *size) || *size < 0))) {
      return malformed<ParseResult>();
    }
  }
  q.symbol = *p->symbol;
  q.receive_ns = receive_ns;
  emit(q);
  return {};
}

ParseResult ExchangeParser::match(od::object& o, std::int64_t receive_ns) noexcept {
  std::string_view id, side, time;
  wire::TradeMsg t{};
  std::uint64_t trade_id = 0;
  if (!json::uint(o, "trade_id", trade_id) || !json::string(o, "side", side) ||
      !json::string_number(o, "size", t.size) || !json::string_number(o, "price", t.price) ||
      !json::string(o, "product_id", id) || !json::string(o, "time", time) ||
      !parse_rfc3339_ns(time, t.exchange_ns) || !(t.price > 0) || !(t.size >= 0) ||
      (side != "buy" && side != "sell")) {
    return malformed<ParseResult>();
  }
  Product* p = state(products_, id);
  if (!p) return {};
  if (p->last_trade_id != 0) {
    if (trade_id <= p->last_trade_id) {
      ++counters_.ignored;  // a duplicate (e.g. last_match after a reconnect)
      return {};
    }
    if (trade_id > p->last_trade_id + 1) {
      ++counters_.gaps;
      counters_.missing += trade_id - p->last_trade_id - 1;
    }
  }
  p->last_trade_id = trade_id;
  t.symbol = *p->symbol;
  t.trade_id = trade_id;
  // `side` is the maker's: a sell maker means a buyer took liquidity.
  t.aggressor = side == "sell" ? wire::Side::kBuy : wire::Side::kSell;
  t.receive_ns = receive_ns;
  emit(t);
  return {};
}

ParseResult ExchangeParser::heartbeat(od::object& o) noexcept {
  // Its last_trade_id could reveal trades lost at the end of a burst, but a match delayed
  // behind the heartbeat would then be dropped as a duplicate; trade-id continuity on the
  // next match detects the same loss without that risk.
  std::string_view id;
  if (!json::string(o, "product_id", id)) return malformed<ParseResult>();
  return {Control::kHeartbeat, true, {}, {}};
}

namespace {
// Reads [price, size] (snapshot) or [side, price, size] (l2update) string arrays.
bool level_strings(simdjson::simdjson_result<od::value> item, std::string_view* out,
                   std::size_t n) noexcept {
  od::array a;
  if (item.get_array().get(a)) return false;
  std::size_t i = 0;
  for (auto v : a) {
    if (i >= n || v.get_string().get(out[i])) return false;
    ++i;
  }
  return i == n;
}
}  // namespace

ParseResult ExchangeParser::level2(od::object& o, bool snapshot, std::int64_t receive_ns) noexcept {
  std::string_view id;
  if (!json::string(o, "product_id", id)) return malformed<ParseResult>();
  Product* p = state(products_, id);
  if (!p) return {};
  auto resync = [&](bool bad) {
    p->quoted.reset();
    ParseResult r = bad ? malformed<ParseResult>() : ParseResult{};
    r.control = Control::kBookResync;
    r.product = p->venue_symbol;
    return r;
  };
  if (!snapshot && !p->quoted.synced) {
    ++counters_.ignored;
    return resync(false);
  }
  OrderBook& book = p->quoted.book;
  auto apply = [&](OrderBook::Side side, std::string_view price, std::string_view size) {
    std::int64_t px = 0, qty = 0;
    if (!scaled_level(price, size, px, qty)) return false;
    book.set(side, px, qty);
    return true;
  };
  if (snapshot) {
    book.clear();
    for (const char* name : {"bids", "asks"}) {
      const auto side = name[0] == 'b' ? OrderBook::Side::kBid : OrderBook::Side::kAsk;
      od::array levels;
      if (json::field(o, name).get_array().get(levels)) return resync(true);
      for (auto level : levels) {
        std::string_view f[2];
        if (!level_strings(level, f, 2) || !apply(side, f[0], f[1])) return resync(true);
      }
    }
    p->quoted.synced = true;
  } else {
    od::array changes;
    if (json::field(o, "changes").get_array().get(changes)) return resync(true);
    for (auto change : changes) {
      std::string_view f[3];
      if (!level_strings(change, f, 3) || (f[0] != "buy" && f[0] != "sell") ||
          !apply(f[0] == "buy" ? OrderBook::Side::kBid : OrderBook::Side::kAsk, f[1], f[2])) {
        return resync(true);
      }
    }
  }
  std::int64_t exchange_ns = receive_ns;
  std::string_view time;
  if (json::optional_string(o, "time", time) == json::Field::kPresent &&
      !parse_rfc3339_ns(time, exchange_ns)) {
    exchange_ns = receive_ns;
  }
  if (book.crossed()) {
    ++counters_.gaps;  // level2 has no sequence: a crossed book is how a loss shows
    return resync(false);
  }
  emit_top(p->quoted, *p->symbol, exchange_ns, receive_ns);
  return {};
}

}  // namespace ztrade::venues::coinbase
