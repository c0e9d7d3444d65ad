// Kraken's session from its config (venues/adapters.hpp).
#include <algorithm>

#include "venues/kraken/config.hpp"
#include "venues/kraken/session.hpp"

namespace ztrade::venues::kraken {

MadeSession make_session(const VenueConfig& config, const SymbolMap& symbols, MarketSink& sink,
                         std::shared_ptr<spdlog::logger> log) {
  const auto& o = config.get<Options>();
  SessionConfig sc{config.channels, o.book_depth, o.ohlc_interval_min};
  const bool ohlc =
      std::find(config.channels.begin(), config.channels.end(), "ohlc") != config.channels.end();
  return {std::make_unique<Session>(symbols, sink, std::move(sc), std::move(log)), ohlc};
}

}  // namespace ztrade::venues::kraken
