#pragma once
// The Kraken v2 protocol on a connection: on every (re)connect, subscribe to `instrument` (the
// pairs' precisions, which book checksums need), then to the configured channels for every
// mapped symbol, and to `book` once the precisions are known. A book whose checksum fails is
// unsubscribed and subscribed again (a fresh snapshot); failed requests are logged with the
// venue's error text. The market data itself goes from the parser to the sink.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "venues/common/book_resyncs.hpp"
#include "venues/kraken/parse.hpp"
#include "venues/websocket/venue_session.hpp"

namespace ztrade::venues::kraken {

struct SessionConfig {
  std::vector<std::string> channels{"trade", "ticker", "book"};  // also: ohlc
  int book_depth = 10;                                           // 10, 25, 100, 500 or 1000
  int ohlc_interval_min = 1;  // 1, 5, 15, 30, 60, 240, 1440, 10080, 21600
};

struct SessionCounters {
  std::uint64_t request_errors = 0;
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
  std::uint64_t book_resyncs() const noexcept override { return resyncs_.count(); }

  // The request for one channel and some symbols, with the next request id (exposed for
  // tests).
  std::string request(std::string_view method, std::string_view channel,
                      const std::vector<std::string>& symbols);

 private:
  bool wants(std::string_view channel) const noexcept;

  const SymbolMap& symbols_;
  SessionConfig config_;
  std::shared_ptr<spdlog::logger> log_;
  Parser parser_;
  SessionCounters counters_;
  bool book_requested_ = false;
  // Books unsubscribed and subscribed again, until their new snapshot verifies: updates still
  // in flight for them must not trigger another round.
  BookResyncs resyncs_;
  std::uint64_t req_id_ = 0;  // of the last request sent on this session (never reused)
};

}  // namespace ztrade::venues::kraken
