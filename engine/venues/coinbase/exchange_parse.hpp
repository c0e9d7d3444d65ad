#pragma once
// Coinbase Exchange ws-feed: ticker -> Quote, match / last_match -> Trade, level2_batch
// snapshot + l2update -> a local book whose top is published as a Quote, heartbeat,
// subscriptions and error.
//
// Gaps and duplicates: `sequence` counts every message of a product on the full feed, so on
// the channels we take (a subset) it jumps by design and only going backwards means a stale or
// repeated message (dropped). Trades are checked by trade_id, which rises by exactly one per
// product: a jump is a gap (counted), an id at or below the last published one is a duplicate
// (dropped) - so after a reconnect, the last_match the server sends first fills in the trade
// missed while disconnected, or is dropped if we had it. level2 has no sequence: a crossed
// book after an update is taken as a loss (counted) and the book resynchronised.
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "venues/coinbase/messages.hpp"
#include "venues/common/parser_base.hpp"

namespace ztrade::venues::coinbase {

class ExchangeParser : public ParserBase {
 public:
  ExchangeParser(const SymbolMap& symbols, MarketSink& sink);

  // One text frame, with at least simdjson::SIMDJSON_PADDING readable bytes after it.
  ParseResult parse(simdjson::padded_string_view frame, std::int64_t receive_ns) noexcept;
  // After a reconnect: books must be rebuilt from fresh snapshots (trade ids are kept).
  void reset_books() noexcept;
  const OrderBook* book(std::string_view product) const noexcept;

 private:
  struct Product {
    const wire::Symbol* symbol = nullptr;
    std::string venue_symbol;  // the product id
    std::uint64_t last_sequence = 0;
    std::uint64_t last_trade_id = 0;
    QuotedBook quoted{kPriceScale, kSizeScale};
  };
  enum class Freshness : std::uint8_t { kFresh, kStale, kInvalid };
  Freshness fresh(Product& p, simdjson::ondemand::object& o) noexcept;
  ParseResult ticker(simdjson::ondemand::object& o, std::int64_t receive_ns) noexcept;
  ParseResult match(simdjson::ondemand::object& o, std::int64_t receive_ns) noexcept;
  ParseResult heartbeat(simdjson::ondemand::object& o) noexcept;
  ParseResult level2(simdjson::ondemand::object& o, bool snapshot,
                     std::int64_t receive_ns) noexcept;

  SymbolTable<Product> products_;
};

}  // namespace ztrade::venues::coinbase
