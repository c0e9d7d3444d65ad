#pragma once
// Live venues for the market-data component: one WebSocket connection per enabled venue
// (market_data.<venue>, any adapter of venues/adapters.hpp), all driven by one io_context on the
// component's thread, each with its own session, symbol map and counters. A venue's failure -
// refused keys, an unreachable endpoint, a stale feed - never stops the others: each reconnects on
// its own backoff, or stops alone when retrying cannot help.
//
// What the venues send reaches `out` (the component publishes it); per-venue counters and the
// receive-to-publish latency are rendered for /metrics.
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "market_data/market_data_config.hpp"
#include "venues/common/market_sink.hpp"

namespace ztrade::market_data {

// Where a venue's events go: `venue_bars` is true when the venue itself sends bars for its
// symbols (then trades are not aggregated into bars a second time).
class LiveSink {
 public:
  virtual ~LiveSink() = default;
  virtual void on_trade(const wire::TradeMsg& trade, bool venue_bars) noexcept = 0;
  virtual void on_quote(const wire::QuoteMsg& quote) noexcept = 0;
  virtual void on_bar(const wire::BarMsg& bar) noexcept = 0;
};

class LiveSource {
 public:
  // Throws std::runtime_error for what makes a venue unusable before connecting (a bad URL,
  // an unreadable CA file, missing Alpaca keys).
  LiveSource(const MarketDataConfig& config, LiveSink& out, std::shared_ptr<spdlog::logger> log);
  ~LiveSource();

  // Connects every venue and runs until `stop`, calling tick() about every 100 ms on this
  // thread (heartbeats, metrics).
  void run(const std::atomic<bool>& stop, const std::function<void()>& tick);

  void render_metrics(std::string& out) const;
  std::string status_json() const;  // {"kraken":{"connected":true,...},...}
  std::size_t venues() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ztrade::market_data
