#pragma once
// What every venue parser shares: the simdjson parser, the counters, the sink, and per-symbol
// state found by venue symbol.
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "venues/common/market_sink.hpp"
#include "venues/common/order_book.hpp"
#include "venues/common/symbol_map.hpp"

namespace ztrade::venues {

// Per-symbol state of a parser: State must have `const wire::Symbol* symbol` and
// `std::string venue_symbol`. One entry per mapped symbol, made up front, so lookups on the hot
// path never allocate. A linear scan: venues are configured with a handful of symbols each.
template <class State>
class SymbolTable {
 public:
  explicit SymbolTable(const SymbolMap& symbols) {
    for (const auto& v : symbols.venue_symbols()) {
      State s;
      s.symbol = symbols.find(v);
      s.venue_symbol = v;
      states_.push_back(std::move(s));
    }
  }
  State* find(std::string_view venue_symbol) noexcept {
    for (auto& s : states_) {
      if (s.venue_symbol == venue_symbol) return &s;
    }
    return nullptr;
  }
  const State* find(std::string_view venue_symbol) const noexcept {
    return const_cast<SymbolTable*>(this)->find(venue_symbol);
  }
  auto begin() noexcept { return states_.begin(); }
  auto end() noexcept { return states_.end(); }

 private:
  std::vector<State> states_;
};

// A local book whose top of book is published as a quote whenever it moves.
struct QuotedBook {
  QuotedBook(int price_scale, int qty_scale) : book(price_scale, qty_scale) {}
  OrderBook book;
  wire::QuoteMsg last_top{};
  bool synced = false;  // built from a snapshot (and verified, where the venue allows)

  // Forgets the book (a resubscription rebuilds it) but not the last quote published, so a
  // rebuilt book whose top did not move publishes nothing new.
  void reset() noexcept {
    book.clear();
    synced = false;
  }
};

class ParserBase {
 public:
  const ParseCounters& counters() const noexcept { return counters_; }

 protected:
  ParserBase(const SymbolMap& symbols, MarketSink& sink) : symbols_(symbols), sink_(sink) {}

  // Counts the frame and starts parsing it; false (not yet counted as an error) if it is not
  // JSON at all.
  bool begin(simdjson::padded_string_view frame, simdjson::ondemand::document& doc) noexcept {
    ++counters_.messages;
    counters_.bytes += frame.length();
    return parser_.iterate(frame).get(doc) == simdjson::SUCCESS;
  }
  // A venue's ParseResult for a malformed frame, counted.
  template <class Result>
  Result malformed() noexcept {
    ++counters_.parse_errors;
    Result r{};
    r.ok = false;
    return r;
  }
  // A symbol's state; nullptr (counted) for a symbol we did not subscribe.
  template <class State>
  State* state(SymbolTable<State>& table, std::string_view venue_symbol) noexcept {
    State* s = table.find(venue_symbol);
    if (!s) ++counters_.unknown_symbol;
    return s;
  }
  // The engine symbol of a venue symbol; nullptr (counted) for one we did not subscribe.
  const wire::Symbol* engine_symbol(std::string_view venue_symbol) noexcept {
    const wire::Symbol* s = symbols_.find(venue_symbol);
    if (!s) ++counters_.unknown_symbol;
    return s;
  }
  void emit(const wire::TradeMsg& t) noexcept {
    ++counters_.events;
    sink_.on_trade(t);
  }
  void emit(const wire::QuoteMsg& q) noexcept {
    ++counters_.events;
    sink_.on_quote(q);
  }
  void emit(const wire::BarMsg& b) noexcept {
    ++counters_.events;
    sink_.on_bar(b);
  }
  // Venue candles are revised until their interval ends (Kraken ohlc, Coinbase candles): keep
  // the latest revision in `open` and publish it, closed, when a later candle starts. Older
  // revisions (a late message) are ignored.
  void candle(wire::BarMsg& open, const wire::BarMsg& latest) noexcept {
    if (open.start_ns != 0 && latest.start_ns > open.start_ns) emit(open);
    if (latest.start_ns >= open.start_ns) open = latest;
  }
  // Publishes the book's top as a quote if it moved since the last one published.
  void emit_top(QuotedBook& b, const wire::Symbol& symbol, std::int64_t exchange_ns,
                std::int64_t receive_ns) noexcept {
    if (!b.book.top_changed(b.last_top)) return;
    b.last_top.symbol = symbol;
    b.last_top.exchange_ns = exchange_ns;
    b.last_top.receive_ns = receive_ns;
    emit(b.last_top);
  }

  const SymbolMap& symbols_;
  MarketSink& sink_;
  simdjson::ondemand::parser parser_;
  ParseCounters counters_;
};

}  // namespace ztrade::venues
