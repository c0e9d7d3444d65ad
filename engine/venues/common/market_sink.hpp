#pragma once
// Where a venue parser puts what it normalised: engine messages, stamped with the exchange's
// time and our receive time. The market-data component publishes them on the bus; tests
// collect them. Called on the parser's thread, once per message, never with a lock held.
#include "bus/messages.hpp"

namespace ztrade::venues {

class MarketSink {
 public:
  virtual ~MarketSink() = default;
  virtual void on_trade(const wire::TradeMsg& trade) noexcept = 0;
  virtual void on_quote(const wire::QuoteMsg& quote) noexcept = 0;
  virtual void on_bar(const wire::BarMsg& bar) noexcept = 0;
};

// A venue bar is usable only if its prices are positive, open and close lie within
// [low, high], and its volume is not negative: anything else is counted as malformed.
inline bool valid_bar(const wire::BarMsg& b) noexcept {
  return b.low > 0 && b.low <= b.open && b.open <= b.high && b.low <= b.close &&
         b.close <= b.high && b.volume >= 0;
}

// What a parser counts, per venue connection (exported on /metrics).
struct ParseCounters {
  std::uint64_t messages = 0;  // frames handed to the parser
  std::uint64_t bytes = 0;
  std::uint64_t events = 0;          // trades, quotes and bars produced
  std::uint64_t parse_errors = 0;    // malformed JSON, missing or mistyped fields, bad values
  std::uint64_t ignored = 0;         // valid but of no interest (unknown types, other symbols)
  std::uint64_t unknown_symbol = 0;  // data for a symbol not in the symbol map
  std::uint64_t gaps = 0;            // sequence gaps detected
  std::uint64_t missing = 0;         // messages missed across those gaps
  std::uint64_t duplicates = 0;      // already published (e.g. a snapshot after a reconnect)
  std::uint64_t checksum_failures = 0;
  std::uint64_t venue_errors = 0;  // error messages sent by the venue
};

}  // namespace ztrade::venues
