#include "venues/alpaca/parse.hpp"

#include "venues/common/decimal.hpp"
#include "venues/common/json.hpp"
#include "venues/common/timestamp.hpp"

namespace ztrade::venues::alpaca {

namespace od = simdjson::ondemand;

namespace {
constexpr std::int64_t kMinuteNs = 60'000'000'000;
constexpr std::int64_t kDayNs = 86'400'000'000'000;
}  // namespace

Parser::Parser(const SymbolMap& symbols, MarketSink& sink)
    : ParserBase(symbols, sink), books_(symbols) {}

const OrderBook* Parser::book(std::string_view venue_symbol) const noexcept {
  const Book* b = books_.find(venue_symbol);
  return b ? &b->quoted.book : nullptr;
}

void Parser::reset_books() noexcept {
  for (auto& b : books_) b.quoted.reset();
}

ParseResult Parser::parse(simdjson::padded_string_view frame, std::int64_t receive_ns) noexcept {
  od::document doc;
  od::array items;
  if (!begin(frame, doc) || doc.get_array().get(items)) return malformed<ParseResult>();
  ParseResult r;
  for (auto item : items) {
    od::object o;
    if (item.get_object().get(o) || !element(o, receive_ns, r)) return malformed<ParseResult>();
  }
  return r;
}

bool Parser::element(od::object& o, std::int64_t receive_ns, ParseResult& r) noexcept {
  std::string_view type;
  if (!json::string(o, "T", type)) return false;
  if (type == "t") return trade(o, receive_ns);
  if (type == "q") return quote(o, receive_ns);
  if (type == "b") return bar(o, 0, kMinuteNs);
  if (type == "u") return bar(o, wire::kBarUpdated, kMinuteNs);
  if (type == "d") return bar(o, wire::kBarPartial, kDayNs);
  if (type == "o") return orderbook(o, receive_ns);
  if (type == "success") {
    std::string_view msg;
    if (!json::string(o, "msg", msg)) return false;
    if (msg == "connected") {
      r.control = Control::kConnected;
    } else if (msg == "authenticated") {
      r.control = Control::kAuthenticated;
    } else {
      ++counters_.ignored;
    }
    return true;
  }
  if (type == "error") {
    std::uint64_t code = 0;
    if (!json::uint(o, "code", code) || code > 9999) return false;
    ++counters_.venue_errors;
    r.control = Control::kError;
    r.code = static_cast<int>(code);
    return json::optional_string(o, "msg", r.text) != json::Field::kInvalid;
  }
  if (type == "subscription") {
    r.control = Control::kSubscribed;
    return true;
  }
  if (type == "s") {
    std::string_view symbol, code;
    if (!json::string(o, "S", symbol) || !json::string(o, "sc", code)) return false;
    r.control = Control::kStatus;
    r.symbol = symbol;
    r.text = code;
    return true;
  }
  ++counters_.ignored;  // corrections, cancel/errors, LULD, imbalances, future types
  return true;
}

bool Parser::trade(od::object& o, std::int64_t receive_ns) noexcept {
  std::string_view symbol_text, time;
  wire::TradeMsg t{};
  std::uint64_t id = 0;
  if (!json::string(o, "S", symbol_text) || !json::number(o, "p", t.price) ||
      !json::number(o, "s", t.size) || !json::string(o, "t", time) ||
      !parse_rfc3339_ns(time, t.exchange_ns) || !json::uint(o, "i", id) || !(t.price > 0) ||
      !(t.size >= 0)) {
    return false;
  }
  // Crypto trades say which side took liquidity; stock trades do not.
  std::string_view taker;
  switch (json::optional_string(o, "tks", taker)) {
    case json::Field::kPresent:
      if (taker != "B" && taker != "S") return false;
      t.aggressor = taker == "B" ? wire::Side::kBuy : wire::Side::kSell;
      break;
    case json::Field::kInvalid:
      return false;
    case json::Field::kAbsent:
      t.aggressor = wire::Side::kNone;
      break;
  }
  const wire::Symbol* symbol = engine_symbol(symbol_text);
  if (!symbol) return true;
  t.symbol = *symbol;
  t.trade_id = id;
  t.receive_ns = receive_ns;
  emit(t);
  return true;
}

bool Parser::quote(od::object& o, std::int64_t receive_ns) noexcept {
  std::string_view symbol_text, time;
  wire::QuoteMsg q{};
  if (!json::string(o, "S", symbol_text) || !json::number(o, "bp", q.bid_price) ||
      !json::number(o, "bs", q.bid_size) || !json::number(o, "ap", q.ask_price) ||
      !json::number(o, "as", q.ask_size) || !json::string(o, "t", time) ||
      !parse_rfc3339_ns(time, q.exchange_ns) || q.bid_price < 0 || q.ask_price < 0 ||
      q.bid_size < 0 || q.ask_size < 0) {
    return false;
  }
  const wire::Symbol* symbol = engine_symbol(symbol_text);
  if (!symbol) return true;
  q.symbol = *symbol;
  q.receive_ns = receive_ns;
  emit(q);
  return true;
}

bool Parser::bar(od::object& o, std::uint32_t flags, std::int64_t interval_ns) noexcept {
  std::string_view symbol_text, time;
  wire::BarMsg b{};
  if (!json::string(o, "S", symbol_text) || !json::number(o, "o", b.open) ||
      !json::number(o, "h", b.high) || !json::number(o, "l", b.low) ||
      !json::number(o, "c", b.close) || !json::number(o, "v", b.volume) ||
      !json::string(o, "t", time) || !parse_rfc3339_ns(time, b.start_ns) || !valid_bar(b)) {
    return false;
  }
  // n (trade count) is in current feeds, not in the 2021 docs table.
  std::uint64_t n = 0;
  auto count = json::field(o, "n");
  if (count.error() != simdjson::NO_SUCH_FIELD && count.get_uint64().get(n)) return false;
  const wire::Symbol* symbol = engine_symbol(symbol_text);
  if (!symbol) return true;
  b.symbol = *symbol;
  b.interval_ns = interval_ns;
  b.trade_count = static_cast<std::uint32_t>(n > 0xFFFFFFFFu ? 0xFFFFFFFFu : n);
  b.flags = flags;
  emit(b);
  return true;
}

bool Parser::orderbook(od::object& o, std::int64_t receive_ns) noexcept {
  std::string_view symbol_text, time;
  std::int64_t exchange_ns = 0;
  if (!json::string(o, "S", symbol_text) || !json::string(o, "t", time) ||
      !parse_rfc3339_ns(time, exchange_ns)) {
    return false;
  }
  Book* b = books_.find(symbol_text);
  if (!b) {
    ++counters_.unknown_symbol;
    return true;
  }
  bool reset = false;
  auto r = json::field(o, "r");
  if (r.error() != simdjson::NO_SUCH_FIELD && r.get_bool().get(reset)) return false;
  if (reset) b->quoted.book.clear();
  for (const char* name : {"b", "a"}) {
    const auto side = name[0] == 'b' ? OrderBook::Side::kBid : OrderBook::Side::kAsk;
    od::array levels;
    if (json::field(o, name).get_array().get(levels)) return false;
    for (auto level : levels) {
      od::object l;
      std::int64_t px = 0, qty = 0;
      if (level.get_object().get(l) ||
          !json::exact_level(l, "p", "s", kPriceScale, kSizeScale, px, qty)) {
        b->quoted.reset();
        return false;
      }
      b->quoted.book.set(side, px, qty);
    }
  }
  emit_top(b->quoted, *b->symbol, exchange_ns, receive_ns);
  return true;
}

}  // namespace ztrade::venues::alpaca
