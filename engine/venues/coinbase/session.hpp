#pragma once
// The Coinbase protocols on a connection. On every (re)connect - within the 5 s the venue
// allows - subscribe to the configured channels for every mapped product: the Exchange feed in
// one request, Advanced Trade one request per channel (its rule). A book that lost its way
// (update before snapshot, crossed) is unsubscribed and subscribed again for a fresh
// snapshot. Venue errors are logged with their reason and counted.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "venues/coinbase/advanced_parse.hpp"
#include "venues/coinbase/exchange_parse.hpp"
#include "venues/common/book_resyncs.hpp"
#include "venues/websocket/venue_session.hpp"

namespace ztrade::venues::coinbase {

struct SessionCounters {
  std::uint64_t venue_errors = 0;
};

// Feed: ExchangeParser (channels: ticker, matches, heartbeat, level2_batch) or
// AdvancedTradeParser (market_trades, ticker, level2, heartbeats, candles).
template <class Parser>
class Session : public websocket::VenueSession {
 public:
  Session(const SymbolMap& symbols, MarketSink& sink, std::vector<std::string> channels,
          std::shared_ptr<spdlog::logger> log);

  void on_open(websocket::Client& client) override;
  void on_frame(websocket::Client& client, simdjson::padded_string_view frame,
                std::int64_t receive_ns) override;
  void on_close(websocket::Client& client, std::string_view reason) override;

  const Parser& parser() const noexcept { return parser_; }
  const SessionCounters& counters() const noexcept { return counters_; }
  const ParseCounters& parse_counters() const noexcept override { return parser_.counters(); }
  std::uint64_t book_resyncs() const noexcept override { return resyncs_.count(); }
  // Subscribe/unsubscribe requests for some products (exposed for tests).
  std::vector<std::string> requests(std::string_view type, const std::vector<std::string>& products,
                                    bool book_only) const;

 private:
  const SymbolMap& symbols_;
  std::vector<std::string> channels_;
  std::shared_ptr<spdlog::logger> log_;
  Parser parser_;
  SessionCounters counters_;
  BookResyncs resyncs_;  // products whose book was re-requested
};

using ExchangeSession = Session<ExchangeParser>;
using AdvancedTradeSession = Session<AdvancedTradeParser>;

}  // namespace ztrade::venues::coinbase
