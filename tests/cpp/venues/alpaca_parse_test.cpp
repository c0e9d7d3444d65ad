// Alpaca market data stream v2: the reference messages of docs/reference/venue-protocols.md
// section 1.4 parsed into exact engine messages; control messages for the session; bad input
// counted.
#include <gtest/gtest.h>

#include "collecting_sink.hpp"
#include "venues/alpaca/parse.hpp"
#include "venues/common/timestamp.hpp"

namespace ztrade::venues::alpaca {
namespace {

using testing::CollectingSink;
using testing::kReceiveNs;
using testing::payload;
using testing::ts;

struct AlpacaTest : ::testing::Test {
  SymbolMap map = [] {
    SymbolMap m;
    m.add("AAPL", "AAPL");
    m.add("AMD", "AMD");
    m.add("SPY", "SPY");
    m.add("BTC/USDT", "BTCUSDT");
    return m;
  }();
  CollectingSink sink;
  Parser parser{map, sink};
  ParseResult feed(const std::string& name) { return testing::feed(parser, "alpaca", name); }
  ParseResult feed_text(std::string_view text) { return testing::feed_text(parser, text); }
};

TEST_F(AlpacaTest, SessionControlMessages) {
  EXPECT_EQ(feed("connected.json").control, Control::kConnected);
  EXPECT_EQ(feed("authenticated.json").control, Control::kAuthenticated);
  EXPECT_EQ(feed("subscription.json").control, Control::kSubscribed);
  const ParseResult r = feed("error_auth_failed.json");
  EXPECT_EQ(r.control, Control::kError);
  EXPECT_EQ(r.code, 402);
  EXPECT_EQ(error_name(r.code), "auth failed");
  EXPECT_TRUE(is_fatal(r.code));
  EXPECT_FALSE(is_fatal(406)) << "connection limit: retry later";
  EXPECT_EQ(error_name(407), "slow client");
  EXPECT_EQ(parser.counters().venue_errors, 1u);
}

TEST_F(AlpacaTest, StockTrade) {
  ASSERT_TRUE(feed("stock_trade.json").ok);
  ASSERT_EQ(sink.trades.size(), 1u);
  const auto& t = sink.trades[0];
  EXPECT_EQ(t.symbol.view(), "AAPL");
  EXPECT_EQ(t.price, 126.55);
  EXPECT_EQ(t.size, 1.0);
  EXPECT_EQ(t.trade_id, 96921u);
  EXPECT_EQ(t.aggressor, wire::Side::kNone);
  EXPECT_EQ(t.exchange_ns, ts("2021-02-22T15:51:44.208Z"));
  EXPECT_EQ(t.receive_ns, kReceiveNs);
}

TEST_F(AlpacaTest, BatchedQuotesInOrderWithNanosecondTimes) {
  ASSERT_TRUE(feed("stock_quotes_batch.json").ok);
  ASSERT_EQ(sink.quotes.size(), 3u);
  EXPECT_EQ(sink.quotes[0].exchange_ns, ts("2021-02-22T15:51:45.3355677Z"));
  EXPECT_EQ(sink.quotes[1].exchange_ns, ts("2021-02-22T15:51:45.335689322Z"));
  EXPECT_EQ(sink.quotes[1].ask_price, 87.68);
  EXPECT_EQ(sink.quotes[1].ask_size, 4.0);
  EXPECT_EQ(sink.quotes[2].bid_price, 87.66);
}

TEST_F(AlpacaTest, MinuteUpdatedAndDailyBarsAreFlagged) {
  ASSERT_TRUE(feed("bars_b_u_d.json").ok);
  ASSERT_EQ(sink.bars.size(), 3u);
  const auto& b = sink.bars[0];
  EXPECT_EQ(b.symbol.view(), "SPY");
  EXPECT_EQ(b.open, 388.985);
  EXPECT_EQ(b.high, 389.13);
  EXPECT_EQ(b.low, 388.975);
  EXPECT_EQ(b.close, 389.12);
  EXPECT_EQ(b.volume, 49378.0);
  EXPECT_EQ(b.trade_count, 461u);
  EXPECT_EQ(b.start_ns, ts("2021-02-22T19:15:00Z"));
  EXPECT_EQ(b.interval_ns, 60'000'000'000);
  EXPECT_EQ(b.flags, 0u);
  EXPECT_EQ(sink.bars[1].symbol.view(), "AAPL");
  EXPECT_EQ(sink.bars[1].flags, wire::kBarUpdated);
  EXPECT_EQ(sink.bars[2].flags, wire::kBarPartial);
  EXPECT_EQ(sink.bars[2].interval_ns, 86'400'000'000'000);
}

TEST_F(AlpacaTest, StatusReportedCancelIgnoredAndUnknownSymbolCounted) {
  const ParseResult r = feed("status_and_cancel.json");
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.control, Control::kStatus);
  EXPECT_EQ(r.symbol, "AAPL");
  EXPECT_EQ(r.text, "H");
  EXPECT_EQ(parser.counters().ignored, 1u);  // the "x" cancel
  EXPECT_TRUE(
      feed_text(R"([{"T":"t","i":1,"S":"TSLA","x":"D","p":1.5,"s":1,"t":"2021-02-22T15:51:44Z"}])")
          .ok);
  EXPECT_EQ(parser.counters().unknown_symbol, 1u);
  EXPECT_TRUE(sink.trades.empty());
}

TEST_F(AlpacaTest, CryptoTradeQuoteAndOrderbook) {
  ASSERT_TRUE(feed("crypto_trade.json").ok);
  ASSERT_EQ(sink.trades.size(), 1u);
  EXPECT_EQ(sink.trades[0].symbol.view(), "BTCUSDT");
  EXPECT_EQ(sink.trades[0].size, 0.042919);
  EXPECT_EQ(sink.trades[0].aggressor, wire::Side::kBuy);
  ASSERT_TRUE(feed("crypto_quote.json").ok);
  ASSERT_EQ(sink.quotes.size(), 1u);
  EXPECT_EQ(sink.quotes[0].bid_size, 0.021981);
  ASSERT_TRUE(feed("crypto_orderbook.json").ok);
  ASSERT_EQ(sink.quotes.size(), 2u);
  EXPECT_EQ(sink.quotes[1].bid_price, 17394.37);
  EXPECT_EQ(sink.quotes[1].ask_price, 17398.8);
  EXPECT_EQ(sink.quotes[1].ask_size, 0.042919);
  // A delta (no reset) removing the ask: the top changes, one more quote.
  ASSERT_TRUE(
      feed_text(
          R"([{"T":"o","S":"BTC/USDT","t":"2022-12-16T06:35:32Z","b":[],"a":[{"p":17398.8,"s":0}]}])")
          .ok);
  ASSERT_EQ(sink.quotes.size(), 3u);
  EXPECT_EQ(sink.quotes[2].ask_price, 0.0);
  EXPECT_EQ(parser.book("BTC/USDT")->asks().size(), 0u);
}

TEST_F(AlpacaTest, MalformedInputIsCountedNotFatal) {
  const char* bad[] = {
      "",
      "{\"T\":\"t\"}",  // not an array
      "[1]", R"([{"msg":"no type"}])",
      R"([{"T":"t","S":"AAPL","p":"126.55","s":1,"t":"2021-02-22T15:51:44Z","i":1}])",
      R"([{"T":"t","S":"AAPL","p":126.55,"s":1,"t":"2021-02-22T15:51:44Z","i":-1}])",
      R"([{"T":"t","S":"AAPL","p":0,"s":1,"t":"2021-02-22T15:51:44Z","i":1}])",
      R"([{"T":"q","S":"AMD","bp":1,"bs":1,"ap":1,"t":"2021-02-22T15:51:44Z"}])",
      R"([{"T":"b","S":"SPY","o":2,"h":1,"l":3,"c":2,"v":1,"t":"2021-02-22T19:15:00Z"}])",
      R"([{"T":"b","S":"SPY","o":5,"h":4,"l":1,"c":2,"v":1,"t":"2021-02-22T19:15:00Z"}])",  // open
                                                                                            // >
                                                                                            // high
      R"([{"T":"b","S":"SPY","o":-1,"h":4,"l":-2,"c":2,"v":1,"t":"2021-02-22T19:15:00Z"}])",
      R"([{"T":"error","msg":"no code"}])",
      R"([{"T":"t","S":"BTC/USDT","p":1,"s":1,"t":"2022-12-16T06:43:18Z","i":1,"tks":"X"}])",
      R"([{"T":"t","S":"AAPL","p":1,"s":)",  // cut short
  };
  for (const char* text : bad) EXPECT_FALSE(feed_text(text).ok) << text;
  EXPECT_EQ(parser.counters().parse_errors, std::size(bad));
  EXPECT_TRUE(sink.trades.empty());
  EXPECT_TRUE(feed_text(R"([{"T":"future_type","x":{"nested":[1,2]}}])").ok);
}

}  // namespace
}  // namespace ztrade::venues::alpaca
