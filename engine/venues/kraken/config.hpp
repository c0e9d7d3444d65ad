#pragma once
// Kraken's own settings of [market_data.kraken] and its config rules (venues/adapters.hpp).
#include "venues/adapters.hpp"

namespace ztrade::venues::kraken {

struct Options {
  int book_depth = 10;        // 10, 25, 100, 500 or 1000
  int ohlc_interval_min = 1;  // candle interval of the ohlc channel
};

}  // namespace ztrade::venues::kraken
