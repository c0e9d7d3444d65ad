#pragma once
// Coinbase's own settings of [market_data.coinbase] and its config rules (venues/adapters.hpp).
#include <string>

#include "venues/adapters.hpp"

namespace ztrade::venues::coinbase {

struct Options {
  std::string feed = "exchange";  // exchange (the ws-feed) or advanced_trade
  bool advanced() const noexcept { return feed == "advanced_trade"; }
};

}  // namespace ztrade::venues::coinbase
