#pragma once
// Replays a CSV file of bars or trades. Bars: columns ts (seconds) or ts_ns, open, high, low,
// close, volume, optional symbol. Trades: ts/ts_ns, price, size, optional symbol and trade_id.
// The whole file is parsed and validated at open (bad rows are reported with their line
// number and the open fails), so a replay never stops halfway on bad data.
#include <cstdint>
#include <string>
#include <vector>

#include "market_data/market_event.hpp"

namespace ztrade::market_data {

class ReplaySource {
 public:
  enum class Format { kBars, kTrades };
  // Throws std::runtime_error with file:line for unreadable files or bad rows.
  ReplaySource(const std::string& path, Format format, const std::string& default_symbol,
               std::int64_t bar_interval_ns);

  bool next(MarketEvent& out) noexcept {
    if (pos_ >= events_.size()) return false;
    out = events_[pos_++];
    return true;
  }
  std::size_t size() const noexcept { return events_.size(); }
  std::size_t position() const noexcept { return pos_; }

 private:
  std::vector<MarketEvent> events_;
  std::size_t pos_ = 0;
};

}  // namespace ztrade::market_data
