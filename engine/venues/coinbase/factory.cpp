// Coinbase's session from its config (venues/adapters.hpp): the Exchange ws-feed or Advanced
// Trade, by `feed`.
#include <algorithm>

#include "venues/coinbase/config.hpp"
#include "venues/coinbase/session.hpp"

namespace ztrade::venues::coinbase {

MadeSession make_session(const VenueConfig& config, const SymbolMap& symbols, MarketSink& sink,
                         std::shared_ptr<spdlog::logger> log) {
  if (config.get<Options>().advanced()) {
    const bool candles = std::find(config.channels.begin(), config.channels.end(), "candles") !=
                         config.channels.end();
    return {std::make_unique<AdvancedTradeSession>(symbols, sink, config.channels, std::move(log)),
            candles};
  }
  return {std::make_unique<ExchangeSession>(symbols, sink, config.channels, std::move(log)), false};
}

}  // namespace ztrade::venues::coinbase
