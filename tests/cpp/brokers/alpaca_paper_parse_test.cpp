// Alpaca trading (REST v2 and the trade_updates stream): the reference payloads of
// docs/reference/venue-protocols.md sections 1.2 and 1.3, kept in payloads/alpaca_paper,
// parsed exactly; malformed input refused without a throw; the broker's client_order_id
// round trip.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "brokers/alpaca_paper/alpaca_broker.hpp"
#include "brokers/alpaca_paper/parse.hpp"
#include "venues/common/timestamp.hpp"

namespace ztrade::brokers::alpaca_paper {
namespace {

simdjson::padded_string payload(const std::string& name) {
  std::ifstream in(std::string(ZTRADE_BROKER_PAYLOADS) + "/alpaca_paper/" + name);
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_FALSE(s.str().empty()) << name;
  return simdjson::padded_string(s.str());
}

std::int64_t ts(const char* text) {
  std::int64_t ns = 0;
  EXPECT_TRUE(venues::parse_rfc3339_ns(text, ns)) << text;
  return ns;
}

TEST(AlpacaTradingParse, StreamControlMessages) {
  Parser p;
  TradeUpdate u;
  EXPECT_EQ(p.stream(payload("stream_authorized.json"), u), StreamMessage::kAuthorized);
  EXPECT_EQ(p.stream(payload("stream_unauthorized.json"), u), StreamMessage::kUnauthorized);
  EXPECT_EQ(p.stream(payload("stream_listening.json"), u), StreamMessage::kListening);
}

TEST(AlpacaTradingParse, TradeUpdatesFromTheReference) {
  Parser p;
  TradeUpdate u;
  ASSERT_EQ(p.stream(payload("trade_update_fill.json"), u), StreamMessage::kTradeUpdate);
  EXPECT_EQ(u.event, Status::kFilled);
  EXPECT_EQ(u.event_text, "fill");
  EXPECT_EQ(u.order.id.view(), "a5be8f5e-fdfa-41f5-a644-7a74fe947a8f");
  EXPECT_EQ(u.order.client_order_id.view(), "4642fd68-d59a-47d7-a9ac-e22f536828d1");
  EXPECT_EQ(u.order.symbol.view(), "SOLUSD");
  EXPECT_EQ(u.order.side, wire::Side::kSell);
  EXPECT_EQ(u.order.status, Status::kFilled);
  EXPECT_DOUBLE_EQ(u.order.qty, 1790.86);
  EXPECT_DOUBLE_EQ(u.order.filled_qty, 1790.86);
  EXPECT_DOUBLE_EQ(u.order.filled_avg_price, 105.8988475);
  EXPECT_DOUBLE_EQ(u.price, 105.8988475);
  EXPECT_DOUBLE_EQ(u.qty, 1790.86);
  EXPECT_TRUE(u.has_position_qty);
  EXPECT_DOUBLE_EQ(u.position_qty, 0);
  EXPECT_EQ(u.timestamp_ns, ts("2022-04-19T17:45:05.024916716Z"));

  ASSERT_EQ(p.stream(payload("trade_update_new.json"), u), StreamMessage::kTradeUpdate);
  EXPECT_EQ(u.event, Status::kNew);
  EXPECT_EQ(u.order.symbol.view(), "BTC/USD");
  EXPECT_DOUBLE_EQ(u.order.filled_qty, 0);
  EXPECT_EQ(u.order.filled_avg_price, 0) << "null reads as 0";
  EXPECT_FALSE(u.has_position_qty);

  ASSERT_EQ(p.stream(payload("trade_update_partial_fill.json"), u), StreamMessage::kTradeUpdate);
  EXPECT_EQ(u.event, Status::kPartiallyFilled);
  EXPECT_EQ(u.order.status, Status::kPartiallyFilled);
  EXPECT_DOUBLE_EQ(u.qty, 40);
  EXPECT_DOUBLE_EQ(u.order.filled_qty, 40);
  EXPECT_DOUBLE_EQ(u.order.qty, 100);
  EXPECT_DOUBLE_EQ(u.order.limit_price, 172.55);
}

TEST(AlpacaTradingParse, RestBodiesFromTheReference) {
  Parser p;
  OrderView o;
  ASSERT_TRUE(p.order(payload("order.json"), o));
  EXPECT_EQ(o.id.view(), "61e69015-8549-4bfd-b9c3-01e75843f47d");
  EXPECT_EQ(o.status, Status::kOther) << "accepted: no state change of its own";
  EXPECT_EQ(o.qty, 0) << "a notional order has qty null";
  std::vector<PositionView> positions;
  ASSERT_TRUE(p.positions(payload("positions.json"),
                          [&](const PositionView& v) { positions.push_back(v); }));
  ASSERT_EQ(positions.size(), 1u);
  EXPECT_EQ(positions[0].symbol.view(), "AAPL");
  EXPECT_DOUBLE_EQ(positions[0].qty, 2);
  EXPECT_DOUBLE_EQ(positions[0].avg_entry_price, 174.78);
  ClockView c;
  ASSERT_TRUE(p.clock(payload("clock.json"), c));
  EXPECT_TRUE(c.is_open);
  EXPECT_EQ(c.next_close_ns, ts("2022-04-28T16:00:00-04:00"));
  ErrorView e;
  ASSERT_TRUE(p.error(payload("error_403.json"), e));
  EXPECT_EQ(e.code, 40310000u);
  EXPECT_EQ(e.message.view(), "insufficient buying power");
}

TEST(AlpacaTradingParse, MalformedInputIsRefusedNotThrown) {
  Parser p;
  TradeUpdate u;
  OrderView o;
  for (
      const char* bad :
      {"", "{", "[]", R"({"stream":"trade_updates"})",
       R"({"stream":"trade_updates","data":{"event":"fill"}})",
       R"({"stream":"trade_updates","data":{"event":"fill","order":{"id":1}}})",
       R"({"stream":"trade_updates","data":{"event":"fill","order":{"id":"x","symbol":"A"},"qty":"1e999x"}})",
       R"({"price":6,"":},"qty":1})"}) {
    simdjson::padded_string text(std::string_view{bad});
    EXPECT_EQ(p.stream(text, u), StreamMessage::kMalformed) << bad;
    EXPECT_FALSE(p.order(text, o)) << bad;
  }
  // Unknown streams and events are read, not refused.
  simdjson::padded_string other(std::string_view{R"({"stream":"account_updates","data":{}})"});
  EXPECT_EQ(p.stream(other, u), StreamMessage::kOther);
  simdjson::padded_string restated(std::string_view{
      R"({"stream":"trade_updates","data":{"event":"restated","order":{"id":"x","symbol":"A"},"new_field":[1,2]}})"});
  ASSERT_EQ(p.stream(restated, u), StreamMessage::kTradeUpdate);
  EXPECT_EQ(u.event, Status::kOther);
  // An order without an id or a symbol is of no use (found by the fuzz target:
  // tests/fuzz/regressions/alpaca_trading).
  for (const char* empty : {R"({"id":"","symbol":"A"})", R"({"id":"4)70","symbol":""})"}) {
    simdjson::padded_string text(std::string_view{empty});
    EXPECT_FALSE(p.order(text, o)) << empty;
  }
  simdjson::padded_string empty_list(std::string_view{R"([{"id":"4)70","symbol":""}])"});
  EXPECT_FALSE(p.orders(empty_list, [](const OrderView&) {}));
  // A symbol longer than the engine's 16 bytes is refused, never cut.
  simdjson::padded_string long_symbol(
      std::string_view{R"({"id":"x","symbol":"ABCDEFGHIJKLMNOPQRSTUVWXYZ"})"});
  EXPECT_FALSE(p.order(long_symbol, o));
}

TEST(AlpacaTradingIds, ClientOrderIdsRoundTripAndForeignOnesAreNotOurs) {
  EXPECT_EQ(client_order_id(1795855255298006), "ztrade-1795855255298006");
  EXPECT_EQ(engine_order_id("ztrade-1795855255298006"), 1795855255298006u);
  for (const char* foreign : {"", "ztrade-", "ztrade-0", "ztrade-12x", "4642fd68-d59a",
                              "ztrade-99999999999999999999999", "zt-5"}) {
    EXPECT_FALSE(engine_order_id(foreign)) << foreign;
  }
  EXPECT_LE(client_order_id(UINT64_MAX).size(), 48u) << "Alpaca allows 48 characters";
}

}  // namespace
}  // namespace ztrade::brokers::alpaca_paper
