#pragma once
// One event from a market-data source: a bar, a trade or a quote, with its time.
#include <cstdint>

#include "bus/messages.hpp"

namespace ztrade::market_data {

struct MarketEvent {
  enum class Kind : std::uint8_t { kBar, kTrade, kQuote } kind = Kind::kBar;
  std::int64_t ts_ns = 0;  // event time (bar start, trade or quote time)
  wire::BarMsg bar{};
  wire::TradeMsg trade{};
  wire::QuoteMsg quote{};
};

}  // namespace ztrade::market_data
