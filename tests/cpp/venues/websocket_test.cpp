// WebSocket client building blocks: endpoint URLs from config, reconnect backoff.
#include <gtest/gtest.h>

#include "venues/websocket/backoff.hpp"
#include "venues/websocket/url.hpp"

namespace ztrade::venues::websocket {
namespace {

TEST(Url, VenueEndpointsAndLocalTestServers) {
  auto u = parse_url("wss://ws.kraken.com/v2");
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "ws.kraken.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/v2");
  u = parse_url("wss://stream.data.alpaca.markets/v2/iex");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->target, "/v2/iex");
  u = parse_url("wss://advanced-trade-ws.coinbase.com");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->target, "/");
  u = parse_url("wss://127.0.0.1:8443/v1beta3/crypto/us?x=1");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(u->target, "/v1beta3/crypto/us?x=1");
  u = parse_url("ws://[::1]:9000");
  ASSERT_TRUE(u);
  EXPECT_FALSE(u->tls);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 9000);
  EXPECT_EQ(u->target, "/");
}

TEST(Url, RejectsWhatIsNotAWebSocketEndpoint) {
  for (const char* bad :
       {"", "https://ws.kraken.com", "wss://", "wss://:443/x", "wss://host:0", "wss://host:65536",
        "wss://host:abc", "wss://host:/x", "wss://[::1", "wss://user@host/", "ws.kraken.com/v2"}) {
    EXPECT_FALSE(parse_url(bad)) << bad;
  }
}

TEST(Backoff, GrowsFromAQuarterSecondToThirtySecondsWithJitterAndResets) {
  Backoff b(std::chrono::milliseconds(250), std::chrono::milliseconds(30'000), 42);
  std::int64_t step = 250;
  for (int i = 0; i < 12; ++i) {
    const auto d = b.next().count();
    EXPECT_GE(d, step / 2) << i;
    EXPECT_LE(d, step) << i;
    step = std::min<std::int64_t>(step * 2, 30'000);
  }
  EXPECT_EQ(b.attempts(), 12u);
  EXPECT_GE(b.next().count(), 15'000) << "capped at 30 s";
  b.reset();
  EXPECT_LE(b.next().count(), 250);
  // Two clients that dropped together do not retry in lockstep.
  Backoff x(std::chrono::milliseconds(250), std::chrono::milliseconds(30'000), 1);
  Backoff y(std::chrono::milliseconds(250), std::chrono::milliseconds(30'000), 2);
  int same = 0;
  for (int i = 0; i < 10; ++i) same += x.next() == y.next() ? 1 : 0;
  EXPECT_LT(same, 3);
}

}  // namespace
}  // namespace ztrade::venues::websocket
