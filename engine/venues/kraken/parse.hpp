#pragma once
// Kraken Spot WebSocket v2: turns each text frame into engine messages (trade -> Trade,
// ticker -> Quote, ohlc -> Bar, book -> a local book whose top is published as a Quote) and
// tells the session what the frame means for the connection (acks, pong, status, resync).
// ohlc candles are revised with every trade until their interval ends: each is published
// once, when the next one begins.
// Parsed with simdjson On-Demand; nothing allocates per message once each subscribed book has
// reached its depth. Malformed frames, unexpected types and out-of-range values are counted
// (ParseCounters) and reported as ok = false, never thrown.
//
// Book integrity: every snapshot and update carries a CRC-32 of the top ten levels (see
// checksum.hpp). It is verified after each message; on a mismatch the book is cleared, the
// failure counted and kBookResync returned so the session unsubscribes and resubscribes.
// Precisions come from the `instrument` channel (or set_precision, e.g. from config); book
// data for a pair whose precisions are unknown cannot be verified and asks for a resync too.
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "venues/common/parser_base.hpp"
#include "venues/kraken/messages.hpp"

namespace ztrade::venues::kraken {

class Parser : public ParserBase {
 public:
  // book_depth: the depth subscribed on the book channel (10, 25, 100, 500 or 1000).
  Parser(const SymbolMap& symbols, MarketSink& sink, std::size_t book_depth = 10);

  // One text frame, with at least simdjson::SIMDJSON_PADDING readable bytes after it.
  ParseResult parse(simdjson::padded_string_view frame, std::int64_t receive_ns) noexcept;

  void set_precision(std::string_view venue_symbol, int price_precision, int qty_precision);
  bool has_precision(std::string_view venue_symbol) const noexcept;
  // A snapshot was applied and every checksum since matched.
  bool book_synced(std::string_view venue_symbol) const noexcept;
  // Forgets a book (e.g. before resubscribing it).
  void reset_book(std::string_view venue_symbol) noexcept;
  const OrderBook* book(std::string_view venue_symbol) const noexcept;

 private:
  struct BookState {
    const wire::Symbol* symbol = nullptr;
    std::string venue_symbol;
    int price_precision = -1, qty_precision = -1;  // -1: not known yet
    QuotedBook quoted{0, 0};  // synced: a snapshot applied and every checksum since matched
    wire::BarMsg candle{};    // the open ohlc candle (start_ns 0: none yet)
    // Trade ids are a sequence per book: the last one published (0: none yet), kept across
    // reconnects so that the trade snapshot of a resubscription fills the outage exactly.
    std::uint64_t last_trade_id = 0;
  };
  struct SnapshotTrade {
    BookState* state;
    wire::TradeMsg trade;
  };

  ParseResult data(simdjson::ondemand::object& obj, std::string_view channel,
                   std::int64_t receive_ns) noexcept;
  ParseResult method(simdjson::ondemand::object& obj) noexcept;
  bool trade(simdjson::ondemand::object item, std::int64_t receive_ns, bool snapshot) noexcept;
  void accept_trade(BookState& s, const wire::TradeMsg& t) noexcept;
  void accept_snapshot_trades() noexcept;
  bool ticker(simdjson::ondemand::object item, std::int64_t receive_ns) noexcept;
  bool ohlc(simdjson::ondemand::object item) noexcept;
  ParseResult book_message(simdjson::ondemand::object item, bool snapshot,
                           std::int64_t receive_ns) noexcept;
  bool instrument(simdjson::ondemand::object data) noexcept;
  ParseResult resync(BookState& b, bool malformed) noexcept;

  std::size_t book_depth_;
  SymbolTable<BookState> books_;
  std::vector<SnapshotTrade> snapshot_trades_;  // one trade snapshot, sorted before use
};

}  // namespace ztrade::venues::kraken
