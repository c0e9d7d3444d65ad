#include "venues/coinbase/config.hpp"

namespace ztrade::venues::coinbase {

namespace {
void read_options(core::SectionReader& r, VenueConfig& c) {
  Options o;
  r.read("feed", o.feed, "exchange (the ws-feed) or advanced_trade (Advanced Trade)",
         {"exchange", "advanced_trade"});
  c.options = o;
}
bool advanced(const VenueConfig& c) {
  return c.get<Options>().advanced();
}
}  // namespace

const VenueConfigRules kConfigRules{
    "coinbase",
    read_options,
    [](const VenueConfig& c) {
      return std::string(advanced(c) ? "wss://advanced-trade-ws.coinbase.com"
                                     : "wss://ws-feed.exchange.coinbase.com");
    },
    [](const VenueConfig& c) {
      return advanced(c) ? std::vector<std::string>{"market_trades", "ticker", "heartbeats"}
                         : std::vector<std::string>{"ticker", "matches", "heartbeat"};
    },
    [](const VenueConfig& c) {
      return advanced(c)
                 ? std::vector<std::string>{"market_trades", "ticker",     "ticker_batch",
                                            "level2",        "heartbeats", "candles"}
                 : std::vector<std::string>{"ticker", "matches", "heartbeat", "level2_batch"};
    },
};

}  // namespace ztrade::venues::coinbase
