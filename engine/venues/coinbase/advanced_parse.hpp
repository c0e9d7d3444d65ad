#pragma once
// Coinbase Advanced Trade WebSocket (market data): the envelope {channel, timestamp,
// sequence_num, events[]} around market_trades -> Trade, ticker / ticker_batch -> Quote,
// l2_data -> a local book whose top is published as a Quote, candles -> Bar (published when a
// 5-minute candle closes, i.e. when the next one starts), heartbeats, subscriptions, errors.
//
// sequence_num counts every message on the connection from 0: a jump is a gap (counted),
// a repeat or step back a duplicate (dropped). Call reset_connection() on reconnect. Trades
// are also de-duplicated by trade_id per product: the market_trades snapshot that follows a
// (re)subscribe only sets the baseline on first connect, and after a reconnect publishes just
// the trades newer than the last one published (in trade-id order), filling the outage.
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "venues/coinbase/messages.hpp"
#include "venues/common/parser_base.hpp"

namespace ztrade::venues::coinbase {

class AdvancedTradeParser : public ParserBase {
 public:
  AdvancedTradeParser(const SymbolMap& symbols, MarketSink& sink);

  // One text frame, with at least simdjson::SIMDJSON_PADDING readable bytes after it.
  ParseResult parse(simdjson::padded_string_view frame, std::int64_t receive_ns) noexcept;
  // A new connection numbers its messages from 0 again and sends fresh book snapshots.
  void reset_connection() noexcept;
  const OrderBook* book(std::string_view product) const noexcept;

 private:
  struct Product {
    const wire::Symbol* symbol = nullptr;
    std::string venue_symbol;         // the product id
    std::uint64_t last_trade_id = 0;  // 0: no baseline yet
    bool seeding = false;             // this snapshot sets the baseline
    QuotedBook quoted{kPriceScale, kSizeScale};
    wire::BarMsg candle{};  // the open candle (start_ns 0: none yet)
  };
  bool trades(simdjson::ondemand::object& event, std::int64_t receive_ns) noexcept;
  bool tickers(simdjson::ondemand::object& event, std::int64_t envelope_ns,
               std::int64_t receive_ns) noexcept;
  ParseResult level2(simdjson::ondemand::object& event, std::int64_t envelope_ns,
                     std::int64_t receive_ns) noexcept;
  bool candles(simdjson::ondemand::object& event) noexcept;

  SymbolTable<Product> products_;
  struct Pending {
    Product* product;
    wire::TradeMsg trade;
  };
  std::vector<Pending> batch_;  // one event's trades, sorted before publishing
  std::int64_t last_sequence_ = -1;
};

}  // namespace ztrade::venues::coinbase
