// Engine configuration: the shipped default file, every error reported by key, unknown keys,
// environment overrides and the live-endpoint guard.
#include "ops/config.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace ztrade::ops {
namespace {

bool has_error(const ConfigResult& r, std::string_view needle) {
  return std::any_of(r.errors.begin(), r.errors.end(),
                     [&](const std::string& e) { return e.find(needle) != std::string::npos; });
}

TEST(Config, ShippedDefaultFileIsValidAndSetsEveryDefault) {
  const std::string path = std::string(ZTRADE_SOURCE_DIR) + "/config/ztrade.toml";
  std::string text;
  const ConfigResult r = load_config(path, {}, &text);
  ASSERT_TRUE(r.ok()) << r.errors.front();
  // The annotated default file restates the defaults: every value it sets is the default.
  const auto shipped = describe_config(text);
  const auto defaults = describe_config();
  ASSERT_EQ(shipped.size(), defaults.size());
  for (std::size_t i = 0; i < shipped.size(); ++i) {
    EXPECT_EQ(shipped[i].key, defaults[i].key);
    EXPECT_EQ(shipped[i].value, defaults[i].value) << shipped[i].key;
  }
}

// Each setting is defined once, in the reader: key, type, bounds and meaning. The list the docs
// and `ztrade config` are generated from has every key once, each with its meaning, valued as
// the text sets it.
TEST(Config, EverySettingIsDescribedOnceWithItsMeaningAndValue) {
  const auto settings = describe_config();
  std::set<std::string> keys;
  for (const auto& s : settings) {
    EXPECT_TRUE(keys.insert(s.key).second) << "described twice: " << s.key;
    EXPECT_FALSE(s.doc.empty()) << s.key;
    EXPECT_FALSE(s.type.empty()) << s.key;
  }
  EXPECT_GT(settings.size(), 80u);
  const auto find = [](const std::vector<Setting>& v, std::string_view key) {
    return *std::find_if(v.begin(), v.end(), [&](const Setting& s) { return s.key == key; });
  };
  EXPECT_EQ(find(settings, "risk.max_order_qty").value, "1000");
  EXPECT_EQ(find(settings, "risk.max_order_qty").constraint, "> 0");
  EXPECT_EQ(find(settings, "engine.deployment").constraint, "one of processes, threads, inline");
  const auto set = describe_config("[risk]\nmax_order_qty = 5\n",
                                   {{"ZTRADE__market_data__kraken__book_depth", "25"}});
  EXPECT_EQ(find(set, "risk.max_order_qty").value, "5");
  EXPECT_EQ(find(set, "market_data.kraken.book_depth").value, "25");
  // A key the reader does not know is an error, so the description covers every accepted key.
  EXPECT_TRUE(has_error(parse_config("[risk]\nmax_order_quantity = 5\n"), "unknown key"));
}

// engine.busy_wait_us spins the inline deployment's one thread; elsewhere it would be a
// setting that silently does nothing, so it is refused.
TEST(Config, BusyWaitIsForTheInlineDeploymentOnly) {
  EXPECT_TRUE(has_error(parse_config("[engine]\nbusy_wait_us = 100\n"),
                        "engine.busy_wait_us: applies to the inline deployment only"));
  const auto ok = parse_config("[engine]\ndeployment = \"inline\"\nbusy_wait_us = 100\n");
  ASSERT_TRUE(ok.ok()) << ok.errors[0];
  EXPECT_EQ(ok.config.engine.busy_wait_us, 100);
}

TEST(Config, EveryErrorIsListedByKey) {
  const ConfigResult r = parse_config(R"(
[risk]
max_order_qty = -5
max_ordr_notional = 10
order_type = "iceberg"
max_orders_per_s = 2.5
[market_data]
venue = "nyse"
[market_data.synthetic]
rate_per_s = 0
symbols = []
[signal_bridge]
macd_fast = 30
strategies = ["magic"]
[execution]
slippage_bps = "low"
[bogus]
x = 1
)");
  EXPECT_FALSE(r.ok());
  for (const char* e :
       {"risk.max_order_qty: must be > 0, got -5", "risk.max_ordr_notional: unknown key",
        "risk.order_type: must be one of market, limit, got \"iceberg\"",
        "risk.max_orders_per_s: expected an integer, got a number",
        "market_data.venue: must be one of replay, synthetic",
        "market_data.synthetic.rate_per_s: must be > 0",
        "market_data.synthetic.symbols: must not be empty",
        "signal_bridge.macd_fast: must be < macd_slow (26), got 30",
        "signal_bridge.strategies: unknown strategy \"magic\"",
        "execution.slippage_bps: expected a number, got a string", "bogus: unknown key"}) {
    EXPECT_TRUE(has_error(r, e)) << "missing: " << e;
  }
  EXPECT_EQ(r.errors.size(), 11u);
}

TEST(Config, TcpBasePortLeavesRoomForEveryEndpoint) {
  // The tcp endpoints use tcp_base_port + 0..7; 65529 would put the gateway's socket past
  // 65535.
  EXPECT_TRUE(parse_config("[bus]\ntcp_base_port = 65528\n").ok());
  const ConfigResult r = parse_config("[bus]\ntcp_base_port = 65529\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].find("bus.tcp_base_port"), std::string::npos) << r.errors[0];
}

TEST(Config, AHugeValueIsNotEchoedWhole) {
  const ConfigResult r =
      parse_config("", {{"ZTRADE__market_data__venue", std::string(50'000'000, 'x')}});
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_LT(r.errors[0].size(), 400u);
  EXPECT_NE(r.errors[0].find("market_data.venue"), std::string::npos);
  EXPECT_NE(r.errors[0].find("bytes in all"), std::string::npos);
}

TEST(Config, ParseErrorNamesTheLine) {
  const ConfigResult r = parse_config("[risk]\nmax_order_qty = = 3\n", {}, "engine.toml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].find("engine.toml:2:"), std::string::npos) << r.errors[0];
}

TEST(Config, MissingFileIsAnError) {
  const ConfigResult r = load_config("/nonexistent/ztrade.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.errors[0].find("cannot open"), std::string::npos);
}

TEST(Config, EnvironmentOverridesFileValues) {
  const Environment env{{"ZTRADE__risk__max_order_qty", "500"},
                        {"ZTRADE__market_data__venue", "synthetic"},
                        {"ZTRADE__market_data__synthetic__symbols", R"(["A", "B"])"},
                        {"ZTRADE__engine__run_dir", "/tmp/zt run"},  // not TOML: a string
                        {"UNRELATED", "1"}};
  const ConfigResult r = parse_config("[risk]\nmax_order_qty = 100\n", env);
  ASSERT_TRUE(r.ok()) << r.errors.front();
  EXPECT_EQ(r.config.risk.max_order_qty, 500);
  EXPECT_EQ(r.config.market_data.venue, "synthetic");
  EXPECT_EQ(r.config.market_data.synthetic.symbols, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(r.config.engine.run_dir, "/tmp/zt run");
  const ConfigResult bad =
      parse_config("", {{"ZTRADE__risk__max_position", "-1"}, {"ZTRADE__nosection", "1"}});
  EXPECT_TRUE(has_error(bad, "risk.max_position: must be > 0"));
  EXPECT_TRUE(has_error(bad, "override must look like"));
}

TEST(Config, RefusesAlpacaLiveEndpointUnlessAllowed) {
  const char* live = "[execution.alpaca]\ntrading_url = \"https://api.alpaca.markets\"\n";
  EXPECT_TRUE(has_error(parse_config(live), "execution.alpaca.trading_url"));
  EXPECT_TRUE(has_error(parse_config(live), "live endpoint"));
  const std::string allowed = std::string(live) + "allow_live_endpoint = true\n";
  EXPECT_TRUE(parse_config(allowed).ok());
  const char* stream = "[execution.alpaca]\nstream_url = \"wss://api.alpaca.markets/stream\"\n";
  EXPECT_TRUE(has_error(parse_config(stream), "execution.alpaca.stream_url"));
  EXPECT_TRUE(
      parse_config("[execution.alpaca]\ntrading_url = \"https://paper-api.alpaca.markets\"\n")
          .ok());
}

TEST(Config, PublisherIdsMustBeDistinct) {
  EXPECT_TRUE(has_error(parse_config("[risk]\npublisher_id = 1\n"), "distinct"));
}

TEST(Config, LiveVenuesWithDefaultsAndEveryProblemByKey) {
  ConfigResult ok = parse_config(R"(
[market_data]
venue = "live"
[market_data.kraken]
enabled = true
symbols = { "BTC/USD" = "BTCUSD" }
[market_data.alpaca]
feed = "crypto"
[market_data.coinbase]
feed = "advanced_trade"
)");
  ASSERT_TRUE(ok.ok()) << ok.errors.front();
  const auto& md = ok.config.market_data;
  EXPECT_EQ(md.venues.at("kraken").url, "wss://ws.kraken.com/v2");
  EXPECT_EQ(md.venues.at("kraken").channels, (std::vector<std::string>{"trade", "ticker", "book"}));
  EXPECT_EQ(md.venues.at("kraken").symbols.at("BTC/USD"), "BTCUSD");
  EXPECT_EQ(md.venues.at("alpaca").url, "wss://stream.data.alpaca.markets/v1beta3/crypto/us");
  EXPECT_EQ(md.venues.at("coinbase").url, "wss://advanced-trade-ws.coinbase.com");
  EXPECT_EQ(md.venues.at("coinbase").channels,
            (std::vector<std::string>{"market_trades", "ticker", "heartbeats"}));

  const ConfigResult r = parse_config(R"(
[market_data]
venue = "live"
[market_data.kraken]
enabled = true
url = "ws://127.0.0.1:9000/v2"
channels = ["trade", "trades"]
book_depth = 20
symbols = { "BTC/USD" = "A_SYMBOL_MUCH_TOO_LONG", "E\"TH" = "ETH" }
spread = 1
[market_data.alpaca]
feed = "nasdaq"
[market_data.coinbase]
enabled = true
)");
  EXPECT_TRUE(has_error(r, "market_data.kraken.url: must be a wss:// address"));
  EXPECT_TRUE(has_error(r, "market_data.kraken.channels: unknown channel \"trades\""));
  EXPECT_TRUE(has_error(r, "market_data.kraken.book_depth: must be 10, 25, 100, 500 or 1000"));
  EXPECT_TRUE(has_error(r, "A_SYMBOL_MUCH_TOO_LONG"));
  EXPECT_TRUE(has_error(r, "E\"TH"));
  EXPECT_TRUE(has_error(r, "market_data.kraken.spread: unknown key"));
  EXPECT_TRUE(has_error(r, "market_data.alpaca.feed: must be one of iex, sip, crypto"));
  EXPECT_TRUE(has_error(r, "market_data.coinbase.symbols: an enabled venue needs symbols"));

  const ConfigResult none = parse_config("[market_data]\nvenue = \"live\"\n");
  EXPECT_TRUE(has_error(none, "market_data.venue: \"live\" needs at least one"));
}

}  // namespace
}  // namespace ztrade::ops
