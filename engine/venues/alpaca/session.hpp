#pragma once
// The Alpaca market data stream v2 protocol: wait for "connected", authenticate with the key
// pair (from the environment; never logged), and once "authenticated" subscribe to the
// configured channels for every mapped symbol - after every reconnect, in that order.
// Errors arrive by code: those retrying cannot fix (auth failed, plan or feed not allowed)
// stop the connection with a clear log line; the rest (connection limit, slow client) end
// in a reconnect with backoff.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "venues/alpaca/parse.hpp"
#include "venues/websocket/venue_session.hpp"

namespace ztrade::venues::alpaca {

struct SessionConfig {
  // Request keys: trades, quotes, bars, updatedBars, dailyBars, statuses (stocks), orderbooks
  // (crypto).
  std::vector<std::string> channels{"trades", "quotes", "bars"};
  std::string key_id;  // from the environment (APCA_API_KEY_ID by default)
  std::string secret;  // from the environment (APCA_API_SECRET_KEY by default)
};

struct SessionCounters {
  std::uint64_t venue_errors = 0;
  std::uint64_t halts = 0;  // trading status messages
};

class Session : public websocket::VenueSession {
 public:
  Session(const SymbolMap& symbols, MarketSink& sink, SessionConfig config,
          std::shared_ptr<spdlog::logger> log);

  void on_open(websocket::Client& client) override;
  void on_frame(websocket::Client& client, simdjson::padded_string_view frame,
                std::int64_t receive_ns) override;
  void on_close(websocket::Client& client, std::string_view reason) override;

  const Parser& parser() const noexcept { return parser_; }
  const SessionCounters& counters() const noexcept { return counters_; }
  const ParseCounters& parse_counters() const noexcept override { return parser_.counters(); }
  std::string subscribe_request() const;  // exposed for tests

 private:
  const SymbolMap& symbols_;
  SessionConfig config_;
  std::shared_ptr<spdlog::logger> log_;
  Parser parser_;
  SessionCounters counters_;
};

}  // namespace ztrade::venues::alpaca
