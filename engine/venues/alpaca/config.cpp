#include "venues/alpaca/config.hpp"

namespace ztrade::venues::alpaca {

namespace {
void read_options(core::SectionReader& r, VenueConfig& c) {
  Options o;
  r.read("feed", o.feed, "iex, sip or crypto (sets the default url)", {"iex", "sip", "crypto"});
  r.read("key_id_env", o.key_id_env,
         "the environment variable holding the key id (never in the config, never logged)");
  r.read("secret_env", o.secret_env,
         "the environment variable holding the secret (never in the config, never logged)");
  c.options = o;
}
}  // namespace

const VenueConfigRules kConfigRules{
    "alpaca",
    read_options,
    [](const VenueConfig& c) {
      const std::string& feed = c.get<Options>().feed;
      return feed == "crypto" ? std::string("wss://stream.data.alpaca.markets/v1beta3/crypto/us")
                              : "wss://stream.data.alpaca.markets/v2/" + feed;
    },
    [](const VenueConfig&) {
      return std::vector<std::string>{"trades", "quotes", "bars"};
    },
    [](const VenueConfig&) {
      return std::vector<std::string>{"trades",    "quotes",   "bars",      "updatedBars",
                                      "dailyBars", "statuses", "orderbooks"};
    },
};

}  // namespace ztrade::venues::alpaca
