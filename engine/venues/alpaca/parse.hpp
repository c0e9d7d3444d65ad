#pragma once
// Alpaca market data stream v2 (stocks iex/sip and crypto v1beta3): every frame is a JSON
// array of objects with "T". Trades "t" -> Trade, quotes "q" -> Quote, minute bars "b" -> Bar,
// updated bars "u" -> Bar flagged kBarUpdated, daily bars "d" -> Bar flagged kBarPartial,
// crypto order books "o" -> a local book whose top is published as a Quote; "success",
// "error" and "subscription" drive the session; statuses "s" are reported; corrections,
// cancels, LULDs and imbalances are counted and ignored. Control messages arrive alone,
// data may be batched: each element is handled in order.
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "venues/alpaca/messages.hpp"
#include "venues/common/parser_base.hpp"

namespace ztrade::venues::alpaca {

class Parser : public ParserBase {
 public:
  Parser(const SymbolMap& symbols, MarketSink& sink);

  // One text frame, with at least simdjson::SIMDJSON_PADDING readable bytes after it. When a
  // frame holds control messages and data, the last control message is returned.
  ParseResult parse(simdjson::padded_string_view frame, std::int64_t receive_ns) noexcept;
  void reset_books() noexcept;
  const OrderBook* book(std::string_view symbol) const noexcept;

  // Price/size scales of crypto books (JSON numbers with up to 9 decimals).
  static constexpr int kPriceScale = 9;
  static constexpr int kSizeScale = 9;

 private:
  struct Book {
    const wire::Symbol* symbol = nullptr;
    std::string venue_symbol;
    QuotedBook quoted{kPriceScale, kSizeScale};
  };
  bool element(simdjson::ondemand::object& o, std::int64_t receive_ns, ParseResult& r) noexcept;
  bool trade(simdjson::ondemand::object& o, std::int64_t receive_ns) noexcept;
  bool quote(simdjson::ondemand::object& o, std::int64_t receive_ns) noexcept;
  bool bar(simdjson::ondemand::object& o, std::uint32_t flags, std::int64_t interval_ns) noexcept;
  bool orderbook(simdjson::ondemand::object& o, std::int64_t receive_ns) noexcept;

  SymbolTable<Book> books_;
};

}  // namespace ztrade::venues::alpaca
