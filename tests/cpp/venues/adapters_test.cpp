// The adapter registry (venues/adapters.hpp): every registered venue has its config section,
// with its own keys read and documented through the engine's config, and a factory that makes
// its session from that config; an unregistered name has neither.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "collecting_sink.hpp"
#include "ops/config.hpp"
#include "venues/adapters.hpp"
#include "venues/websocket/venue_session.hpp"

namespace ztrade::venues {
namespace {

TEST(Adapters, EveryRegisteredVenueHasItsSectionAndAFactory) {
  const auto rules = venue_config_rules();
  ASSERT_EQ(rules.size(), 3u);
  const ops::ConfigResult defaults = ops::parse_config("");
  ASSERT_TRUE(defaults.ok());
  const auto settings = ops::describe_config();
  for (const auto& r : rules) {
    const std::string name(r.name);
    ASSERT_TRUE(defaults.config.market_data.venues.count(name)) << name;
    EXPECT_NE(session_factory(r.name), nullptr) << name;
    // Its section is read and documented like any other.
    const auto key = "market_data." + name + ".enabled";
    EXPECT_TRUE(std::any_of(settings.begin(), settings.end(), [&](const ops::Setting& s) {
      return s.key == key;
    })) << key;
    // Defaults come from the adapter: a wss:// endpoint and channels it allows.
    const auto& c = defaults.config.market_data.venues.at(name);
    EXPECT_EQ(c.url.rfind("wss://", 0), 0u) << name;
    const auto allowed = r.allowed_channels(c);
    for (const auto& ch : c.channels) {
      EXPECT_NE(std::find(allowed.begin(), allowed.end(), ch), allowed.end()) << name << " " << ch;
    }
  }
  EXPECT_EQ(session_factory("nyse"), nullptr);
}

TEST(Adapters, FactoriesMakeSessionsFromTheirOwnOptions) {
  const ops::ConfigResult r = ops::parse_config(R"(
[market_data.kraken]
channels = ["trade", "ohlc"]
book_depth = 25
[market_data.coinbase]
feed = "advanced_trade"
)");
  ASSERT_TRUE(r.ok()) << r.errors.front();
  SymbolMap symbols;
  symbols.add("BTC/USD", "BTCUSD");
  testing::CollectingSink sink;
  const auto& venues = r.config.market_data.venues;
  auto kraken = session_factory("kraken")(venues.at("kraken"), symbols, sink, nullptr);
  ASSERT_NE(kraken.session, nullptr);
  EXPECT_TRUE(kraken.venue_bars);  // ohlc: Kraken sends the bars itself
  auto coinbase = session_factory("coinbase")(venues.at("coinbase"), symbols, sink, nullptr);
  ASSERT_NE(coinbase.session, nullptr);
  EXPECT_FALSE(coinbase.venue_bars);
  // Alpaca's keys come from the environment variables its options name: missing, it refuses.
  ops::ConfigResult a = ops::parse_config(
      "[market_data.alpaca]\nkey_id_env = \"ZTRADE_TEST_NO_SUCH_KEY\"\n"
      "secret_env = \"ZTRADE_TEST_NO_SUCH_SECRET\"\n");
  ASSERT_TRUE(a.ok());
  EXPECT_THROW(
      session_factory("alpaca")(a.config.market_data.venues.at("alpaca"), symbols, sink, nullptr),
      std::runtime_error);
}

}  // namespace
}  // namespace ztrade::venues
