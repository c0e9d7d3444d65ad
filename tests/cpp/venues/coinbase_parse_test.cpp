// Coinbase Exchange and Advanced Trade: the reference messages of
// docs/reference/venue-protocols.md section 2 parsed into exact engine messages; trade-id and
// envelope-sequence gaps and duplicates; books from snapshot + updates; bad input counted.
#include <gtest/gtest.h>

#include "collecting_sink.hpp"
#include "venues/coinbase/advanced_parse.hpp"
#include "venues/coinbase/exchange_parse.hpp"
#include "venues/common/timestamp.hpp"

namespace ztrade::venues::coinbase {
namespace {

using testing::CollectingSink;
using testing::kReceiveNs;
using testing::payload;
using testing::ts;

SymbolMap products() {
  SymbolMap m;
  m.add("BTC-USDT", "BTCUSDT");
  m.add("BAND-GBP", "BANDGBP");
  m.add("SKL-BTC", "SKLBTC");
  m.add("BTC-USD", "BTCUSD");
  m.add("ETH-USDT", "ETHUSDT");
  return m;
}

struct ExchangeTest : ::testing::Test {
  SymbolMap map = products();
  CollectingSink sink;
  ExchangeParser parser{map, sink};
  ParseResult feed(const std::string& name) { return testing::feed(parser, "coinbase", name); }
  ParseResult feed_text(std::string_view text) { return testing::feed_text(parser, text); }
};

TEST_F(ExchangeTest, TickerBecomesAQuoteWithOrWithoutSizes) {
  ASSERT_TRUE(feed("exchange_ticker_2023.json").ok);
  ASSERT_TRUE(feed("exchange_ticker_2021.json").ok);
  ASSERT_EQ(sink.quotes.size(), 2u);
  const auto& q = sink.quotes[0];
  EXPECT_EQ(q.symbol.view(), "BTCUSDT");
  EXPECT_EQ(q.bid_price, 22345.67);
  EXPECT_EQ(q.bid_size, 0.10647825);
  EXPECT_EQ(q.ask_price, 22349.68);
  EXPECT_EQ(q.ask_size, 0.03131702);
  EXPECT_EQ(q.exchange_ns, ts("2023-03-04T03:37:20.799258Z"));
  EXPECT_EQ(sink.quotes[1].bid_price, 14.755);
  EXPECT_EQ(sink.quotes[1].bid_size, 0.0);
  // The same ticker again (same sequence): stale, dropped.
  ASSERT_TRUE(feed("exchange_ticker_2023.json").ok);
  EXPECT_EQ(sink.quotes.size(), 2u);
}

TEST_F(ExchangeTest, MatchesBecomeTradesWithTheTakerSide) {
  ASSERT_TRUE(feed("exchange_match.json").ok);
  ASSERT_EQ(sink.trades.size(), 1u);
  const auto& t = sink.trades[0];
  EXPECT_EQ(t.symbol.view(), "SKLBTC");
  EXPECT_EQ(t.price, 0.00001305);
  EXPECT_EQ(t.size, 985.0);
  EXPECT_EQ(t.trade_id, 280232u);
  EXPECT_EQ(t.aggressor, wire::Side::kBuy) << "a sell maker means a buying taker";
  EXPECT_EQ(t.exchange_ns, ts("2021-04-17T16:43:37.089723Z"));
}

TEST_F(ExchangeTest, TradeIdGapsCountedDuplicatesDropped) {
  auto match = [&](int id) {
    return feed_text(
        R"({"type":"match","trade_id":)" + std::to_string(id) +
        R"(,"side":"buy","size":"1","price":"10","product_id":"BTC-USD","time":"2021-04-17T16:43:37Z"})");
  };
  ASSERT_TRUE(match(100).ok);
  ASSERT_TRUE(match(101).ok);
  ASSERT_TRUE(match(104).ok);  // 102 and 103 lost
  ASSERT_TRUE(match(104).ok);  // repeated (e.g. last_match after a reconnect)
  ASSERT_TRUE(match(103).ok);  // late
  ASSERT_TRUE(match(105).ok);
  ASSERT_EQ(sink.trades.size(), 4u);
  EXPECT_EQ(sink.trades.back().trade_id, 105u);
  EXPECT_EQ(parser.counters().gaps, 1u);
  EXPECT_EQ(parser.counters().missing, 2u);
  EXPECT_EQ(parser.counters().ignored, 2u);
}

TEST_F(ExchangeTest, Level2SnapshotThenUpdates) {
  ASSERT_TRUE(feed("exchange_snapshot.json").ok);
  const OrderBook* book = parser.book("BAND-GBP");
  ASSERT_EQ(book->bids().size(), 2u);
  ASSERT_EQ(sink.quotes.size(), 1u);
  EXPECT_EQ(sink.quotes[0].bid_price, 14.755);
  EXPECT_EQ(sink.quotes[0].bid_size, 2.39);
  EXPECT_EQ(sink.quotes[0].ask_price, 14.8024);
  ASSERT_TRUE(
      feed_text(
          R"({"type":"l2update","product_id":"BAND-GBP","changes":[["sell","14.8024","0.00000000"],["buy","14.7600","1.5"]],"time":"2021-04-17T16:43:37.075687Z"})")
          .ok);
  ASSERT_EQ(sink.quotes.size(), 2u);
  EXPECT_EQ(sink.quotes[1].ask_price, 14.8069);
  EXPECT_EQ(sink.quotes[1].bid_price, 14.76);
  EXPECT_EQ(sink.quotes[1].exchange_ns, ts("2021-04-17T16:43:37.075687Z"));
  // An update for a product with no snapshot yet: resync.
  const ParseResult r = feed("exchange_l2update.json");
  EXPECT_EQ(r.control, Control::kBookResync);
  EXPECT_EQ(r.product, "SKL-BTC");
  // An update that crosses the book means something was lost: resync, counted.
  const ParseResult crossed = feed_text(
      R"({"type":"l2update","product_id":"BAND-GBP","changes":[["buy","15.0","1"]],"time":"2021-04-17T16:43:38Z"})");
  EXPECT_EQ(crossed.control, Control::kBookResync);
  EXPECT_TRUE(parser.book("BAND-GBP")->empty());
  EXPECT_EQ(parser.counters().gaps, 1u);
}

TEST_F(ExchangeTest, ControlMessages) {
  EXPECT_EQ(feed("exchange_subscriptions.json").control, Control::kSubscribed);
  EXPECT_EQ(feed("exchange_heartbeat.json").control, Control::kHeartbeat);
  const ParseResult r = feed("exchange_error_level2.json");
  EXPECT_EQ(r.control, Control::kError);
  EXPECT_NE(r.text.find("require authentication"), std::string_view::npos);
  EXPECT_TRUE(feed_text(R"({"type":"received","product_id":"BTC-USD","sequence":10})").ok);
  EXPECT_EQ(parser.counters().parse_errors, 0u);
}

TEST_F(ExchangeTest, MalformedInputIsCountedNotFatal) {
  const char* bad[] = {
      "",
      "[]",
      R"({"no":"type"})",
      R"({"type":"match","trade_id":1,"side":"buy","size":1,"price":"10","product_id":"BTC-USD","time":"2021-04-17T16:43:37Z"})",
      R"({"type":"match","trade_id":1,"side":"up","size":"1","price":"10","product_id":"BTC-USD","time":"2021-04-17T16:43:37Z"})",
      R"({"type":"ticker","product_id":"BTC-USD","best_bid":"abc","best_ask":"1","time":"2021-04-17T16:43:37Z"})",
      R"({"type":"snapshot","product_id":"BTC-USD","asks":[["1"]],"bids":[]})",
      R"({"type":"snapshot","product_id":"BTC-USD","asks":[["1.0000000000001","1"]],"bids":[]})",
      // Found by fuzzing: a key without a value after a failed lookup ("reason") left the
      // document in an error state that the next lookup ("message") used.
      R"({"type": "error", "message": "Failed to subscribe", "rll channels now require authentication"})",
      R"({"type":"ticker","sequence":"x","product_id":"BTC-USD"})",
      // Found by fuzzing: a negative size was published.
      R"({"type":"ticker","sequence":1,"product_id":"BTC-USD","best_bid":"1","best_bid_size":"1","best_ask":"2","best_ask_size":"-.03","time":"2023-03-04T03:37:20Z"})",
  };
  for (const char* text : bad) EXPECT_FALSE(feed_text(text).ok) << text;
  EXPECT_EQ(parser.counters().parse_errors, std::size(bad));
  EXPECT_TRUE(sink.trades.empty());
}

struct AdvancedTest : ::testing::Test {
  SymbolMap map = products();
  CollectingSink sink;
  AdvancedTradeParser parser{map, sink};
  ParseResult feed(const std::string& name) { return testing::feed(parser, "coinbase", name); }
  ParseResult feed_text(std::string_view text) { return testing::feed_text(parser, text); }
};

TEST_F(AdvancedTest, EnvelopeControlAndTradesOldestFirst) {
  EXPECT_EQ(feed("at_subscriptions.json").control, Control::kSubscribed);
  EXPECT_EQ(feed("at_heartbeats.json").control, Control::kHeartbeat);
  ASSERT_TRUE(feed("at_market_trades.json").ok);
  ASSERT_EQ(sink.trades.size(), 2u);
  EXPECT_EQ(sink.trades[0].trade_id, 22381690u);
  EXPECT_EQ(sink.trades[1].trade_id, 22381691u);
  EXPECT_EQ(sink.trades[0].symbol.view(), "ETHUSDT");
  EXPECT_EQ(sink.trades[0].price, 2375.56);
  EXPECT_EQ(sink.trades[0].size, 0.5);
  EXPECT_EQ(sink.trades[0].aggressor, wire::Side::kBuy);
  EXPECT_EQ(sink.trades[0].exchange_ns, ts("2024-10-04T07:13:31.084859Z"));
  EXPECT_EQ(parser.counters().gaps, 0u);
}

TEST_F(AdvancedTest, SequenceGapsAndSnapshotBaselineAcrossReconnect) {
  auto trades = [&](int seq, const char* type, std::initializer_list<int> ids) {
    std::string list;
    for (int id : ids) {
      if (!list.empty()) list += ",";
      list += R"({"product_id":"ETH-USDT","trade_id":")" + std::to_string(id) +
              R"(","price":"10","size":"1","time":"2024-10-04T07:13:31Z","side":"SELL"})";
    }
    return feed_text(
        R"({"channel":"market_trades","client_id":"","timestamp":"2024-10-04T07:13:31Z","sequence_num":)" +
        std::to_string(seq) + R"(,"events":[{"type":")" + type + R"(","trades":[)" + list + "]}]}");
  };
  ASSERT_TRUE(trades(0, "snapshot", {12, 11, 10}).ok);  // history: baseline only
  EXPECT_TRUE(sink.trades.empty());
  ASSERT_TRUE(trades(1, "update", {13}).ok);
  ASSERT_TRUE(trades(4, "update", {14}).ok);  // envelopes 2 and 3 lost
  EXPECT_EQ(parser.counters().gaps, 1u);
  EXPECT_EQ(parser.counters().missing, 2u);
  ASSERT_TRUE(trades(4, "update", {14}).ok);  // repeated envelope: dropped
  EXPECT_EQ(sink.trades.size(), 2u);
  // Reconnect: numbering restarts; the new snapshot fills in 15 and 16, drops 14.
  parser.reset_connection();
  ASSERT_TRUE(trades(0, "snapshot", {16, 15, 14}).ok);
  ASSERT_EQ(sink.trades.size(), 4u);
  EXPECT_EQ(sink.trades[2].trade_id, 15u);
  EXPECT_EQ(sink.trades[3].trade_id, 16u);
  EXPECT_EQ(parser.counters().gaps, 1u);
}

TEST_F(AdvancedTest, TickerLevel2AndCandles) {
  ASSERT_TRUE(feed("at_ticker.json").ok);
  ASSERT_EQ(sink.quotes.size(), 1u);
  EXPECT_EQ(sink.quotes[0].bid_price, 21931.98);
  EXPECT_EQ(sink.quotes[0].ask_size, 8038.07770938);
  EXPECT_EQ(sink.quotes[0].exchange_ns, ts("2023-02-09T20:30:37.167359596Z"));
  parser.reset_connection();
  ASSERT_TRUE(feed("at_l2_snapshot.json").ok);
  ASSERT_EQ(sink.quotes.size(), 2u);
  EXPECT_EQ(sink.quotes[1].bid_price, 21921.73);
  EXPECT_EQ(sink.quotes[1].bid_size, 0.06317902);
  ASSERT_TRUE(feed("at_l2_update.json").ok);
  ASSERT_EQ(sink.quotes.size(), 3u);
  EXPECT_EQ(sink.quotes[2].bid_price, 68900.0);
  EXPECT_EQ(sink.quotes[2].bid_size, 2.0);
  parser.reset_connection();
  ASSERT_TRUE(feed("at_candles.json").ok);
  EXPECT_TRUE(sink.bars.empty()) << "the candle is still open";
  const std::string next =
      R"({"channel":"candles","client_id":"","timestamp":"2023-06-09T20:24:35Z","sequence_num":1,"events":[{"type":"update","candles":[{"start":"1688998500","high":"1868","low":"1866","open":"1866.81","close":"1867","volume":"1.5","product_id":"ETH-USDT"}]}]})";
  ASSERT_TRUE(feed_text(next).ok);
  ASSERT_EQ(sink.bars.size(), 1u);
  const auto& b = sink.bars[0];
  EXPECT_EQ(b.symbol.view(), "ETHUSDT");
  EXPECT_EQ(b.start_ns, 1688998200LL * 1'000'000'000);
  EXPECT_EQ(b.interval_ns, 300'000'000'000);
  EXPECT_EQ(b.open, 1867.38);
  EXPECT_EQ(b.close, 1866.81);
  EXPECT_EQ(b.volume, 0.20269406);
}

TEST_F(AdvancedTest, MalformedInputIsCountedNotFatal) {
  const char* bad[] = {
      "",
      R"({"channel":"market_trades"})",
      R"({"channel":"market_trades","timestamp":"x","sequence_num":0,"events":[]})",
      R"({"channel":"market_trades","timestamp":"2024-10-04T07:13:31Z","sequence_num":0,"events":[{"type":"update","trades":[{"product_id":"ETH-USDT","trade_id":"1.5","price":"10","size":"1","time":"2024-10-04T07:13:31Z","side":"BUY"}]}]})",
      R"({"type":"nonsense"})",
  };
  int errors = 0;
  for (const char* text : bad) errors += feed_text(text).ok ? 0 : 1;
  EXPECT_EQ(errors, 4);  // {"type":"nonsense"} is an unknown type: ignored
  EXPECT_EQ(parser.counters().parse_errors, 4u);
  const ParseResult e = feed_text(R"({"type":"error","message":"rate limited"})");
  EXPECT_EQ(e.control, Control::kError);
  EXPECT_EQ(e.text, "rate limited");
}

}  // namespace
}  // namespace ztrade::venues::coinbase
