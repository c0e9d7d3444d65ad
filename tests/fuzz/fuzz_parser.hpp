#pragma once
// The shared body of the venue-parser fuzz targets (libFuzzer): a fresh parser per input,
// each line of the input fed as one frame, so one input can carry a session (a book snapshot,
// then updates). Crashes, sanitizer reports and broken invariants are findings; parse errors
// are the expected outcome for most inputs.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "fuzz_lines.hpp"
#include "venues/common/market_sink.hpp"
#include "venues/common/symbol_map.hpp"

namespace ztrade::fuzz {

struct CheckingSink : venues::MarketSink {
  // What a parser publishes must be usable downstream: finite, non-negative numbers.
  static void check(bool ok) {
    if (!ok) std::abort();
  }
  void on_trade(const wire::TradeMsg& t) noexcept override {
    check(t.price > 0 && t.size >= 0 && !t.symbol.view().empty());
  }
  void on_quote(const wire::QuoteMsg& q) noexcept override {
    check(q.bid_price >= 0 && q.ask_price >= 0 && q.bid_size >= 0 && q.ask_size >= 0);
  }
  void on_bar(const wire::BarMsg& b) noexcept override {
    check(venues::valid_bar(b) && b.interval_ns > 0);
  }
};

// Symbols of the seed payloads (tests/cpp/venues/payloads), so mutations reach the data paths.
inline venues::SymbolMap fuzz_symbols() {
  venues::SymbolMap m;
  for (const char* s : {"AAPL", "AMD", "SPY", "BTC/USDT", "BTC/USD", "ETH/USDT", "ALGO/USD",
                        "MATIC/USD", "BTC-USDT", "BAND-GBP", "SKL-BTC", "BTC-USD", "ETH-USDT"}) {
    std::string engine;
    for (const char* c = s; *c; ++c) {
      if (*c != '/' && *c != '-') engine += *c;
    }
    m.add(s, engine);
  }
  return m;
}

template <class Parser, class Setup>
int fuzz_lines(const std::uint8_t* data, std::size_t size, Setup setup) {
  static const venues::SymbolMap symbols = fuzz_symbols();
  CheckingSink sink;
  Parser parser(symbols, sink);
  setup(parser);
  for_each_line(data, size, [&](const simdjson::padded_string& frame) { parser.parse(frame, 1); });
  return 0;
}

}  // namespace ztrade::fuzz
