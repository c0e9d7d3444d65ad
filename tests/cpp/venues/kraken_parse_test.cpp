// Kraken v2: the reference messages of docs/reference/venue-protocols.md section 3 parsed into
// exact engine messages; book snapshots and updates verified by CRC-32; resync on a mismatch,
// a missing snapshot or missing precisions; malformed input counted.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>

#include "collecting_sink.hpp"
#include "venues/common/timestamp.hpp"
#include "venues/kraken/parse.hpp"

namespace ztrade::venues::kraken {
namespace {

using testing::CollectingSink;
using testing::kReceiveNs;
using testing::payload;
using testing::ts;

SymbolMap symbols() {
  SymbolMap m;
  m.add("ETH/USDT", "ETHUSDT");
  m.add("ALGO/USD", "ALGOUSD");
  m.add("MATIC/USD", "MATICUSD");
  m.add("BTC/USD", "BTCUSD");
  return m;
}

struct KrakenTest : ::testing::Test {
  SymbolMap map = symbols();
  CollectingSink sink;
  Parser parser{map, sink, 10};
  ParseResult feed(const std::string& name) { return testing::feed(parser, "kraken", name); }
  ParseResult feed_text(std::string_view text) { return testing::feed_text(parser, text); }
};

TEST_F(KrakenTest, TradeBecomesAnExactTradeMessage) {
  const ParseResult r = feed("trade.json");
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.control, Control::kNone);
  ASSERT_EQ(sink.trades.size(), 1u);
  const auto& t = sink.trades[0];
  EXPECT_EQ(t.symbol.view(), "ETHUSDT");
  EXPECT_EQ(t.price, 0.5117);
  EXPECT_EQ(t.size, 40.0);
  EXPECT_EQ(t.trade_id, 4665906u);
  EXPECT_EQ(t.aggressor, wire::Side::kSell);  // the taker side
  EXPECT_EQ(t.exchange_ns, ts("2023-09-25T07:49:37.708706Z"));
  EXPECT_EQ(t.receive_ns, kReceiveNs);
  EXPECT_EQ(parser.counters().events, 1u);
}

std::string trades(const char* type, std::initializer_list<int> ids) {
  std::string data;
  for (int id : ids) {
    data += std::string(data.empty() ? "" : ",") +
            R"({"symbol":"BTC/USD","side":"buy","price":100.5,"qty":1,"ord_type":"market",)" +
            R"("trade_id":)" + std::to_string(id) + R"(,"timestamp":"2023-09-25T07:49:37Z"})";
  }
  return std::string(R"({"channel":"trade","type":")") + type + R"(","data":[)" + data + "]}";
}

std::vector<std::uint64_t> trade_ids(const CollectingSink& sink) {
  std::vector<std::uint64_t> ids;
  for (const auto& t : sink.trades) ids.push_back(t.trade_id);
  return ids;
}

TEST_F(KrakenTest, SnapshotAfterAReconnectFillsTheOutageOnce) {
  // First subscription: the snapshot is history before we started; it only sets the
  // baseline. Then live trades 5-6, an outage, and the resubscription's snapshot (listed
  // newest first) repeating 4-6 and bringing 7-9: each trade published exactly once.
  ASSERT_TRUE(feed_text(trades("snapshot", {2, 3, 4})).ok);
  EXPECT_TRUE(sink.trades.empty());
  ASSERT_TRUE(feed_text(trades("update", {5, 6})).ok);
  ASSERT_TRUE(feed_text(trades("snapshot", {9, 8, 7, 6, 5, 4})).ok);
  ASSERT_TRUE(feed_text(trades("update", {10})).ok);
  EXPECT_EQ(trade_ids(sink), (std::vector<std::uint64_t>{5, 6, 7, 8, 9, 10}));
  EXPECT_EQ(parser.counters().duplicates, 3u);
  EXPECT_EQ(parser.counters().gaps, 0u);
}

TEST_F(KrakenTest, TradesNeverSeenAreCountedAsAGap) {
  ASSERT_TRUE(feed_text(trades("update", {1, 2})).ok);
  ASSERT_TRUE(feed_text(trades("snapshot", {60, 61})).ok);  // an outage longer than 50 trades
  EXPECT_EQ(trade_ids(sink), (std::vector<std::uint64_t>{1, 2, 60, 61}));
  EXPECT_EQ(parser.counters().gaps, 1u);
  EXPECT_EQ(parser.counters().missing, 57u);  // 3..59
}

TEST_F(KrakenTest, TickerRepeatingTheLastQuoteIsNotPublished) {
  ASSERT_TRUE(feed("ticker.json").ok);
  ASSERT_TRUE(feed("ticker.json").ok);  // the ticker repeats its best levels on every trade
  EXPECT_EQ(sink.quotes.size(), 1u);
}

TEST_F(KrakenTest, TickerBecomesAQuote) {
  ASSERT_TRUE(feed("ticker.json").ok);
  ASSERT_EQ(sink.quotes.size(), 1u);
  const auto& q = sink.quotes[0];
  EXPECT_EQ(q.symbol.view(), "ALGOUSD");
  EXPECT_EQ(q.bid_price, 0.10025);
  EXPECT_EQ(q.bid_size, 740.0);
  EXPECT_EQ(q.ask_price, 0.10036);
  EXPECT_EQ(q.ask_size, 1361.44813783);
  EXPECT_EQ(q.exchange_ns, ts("2023-09-25T09:04:31.742648Z"));
}

TEST_F(KrakenTest, OhlcCandleIsPublishedOnceClosedStartingAtIntervalBegin) {
  ASSERT_TRUE(feed("ohlc.json").ok);
  EXPECT_TRUE(sink.bars.empty()) << "the candle is still open";
  // A revision of the same candle (another trade in it), then the next interval's candle.
  ASSERT_TRUE(
      feed_text(
          R"({"channel":"ohlc","type":"update","data":[{"symbol":"ALGO/USD","open":0.09875,"high":0.09875,"low":0.09875,"close":0.09875,"trades":1,"volume":201.86015,"vwap":0.09875,"interval_begin":"2023-10-04T15:25:00.000000000Z","interval":5}]})")
          .ok);
  EXPECT_TRUE(sink.bars.empty());
  ASSERT_TRUE(
      feed_text(
          R"({"channel":"ohlc","type":"update","data":[{"symbol":"ALGO/USD","open":0.099,"high":0.099,"low":0.099,"close":0.099,"trades":1,"volume":5,"vwap":0.099,"interval_begin":"2023-10-04T15:30:00.000000000Z","interval":5}]})")
          .ok);
  ASSERT_EQ(sink.bars.size(), 1u);
  const auto& b = sink.bars[0];
  EXPECT_EQ(b.symbol.view(), "ALGOUSD");
  EXPECT_EQ(b.open, 0.09875);
  EXPECT_EQ(b.close, 0.09875);
  EXPECT_EQ(b.volume, 201.86015);
  EXPECT_EQ(b.trade_count, 1u);
  EXPECT_EQ(b.start_ns, ts("2023-10-04T15:25:00Z"));
  EXPECT_EQ(b.interval_ns, 5 * 60'000'000'000LL);
}

TEST_F(KrakenTest, ConnectionMessages) {
  ParseResult r = feed("status.json");  // connection_id beyond INT64_MAX must not matter
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.control, Control::kStatus);
  EXPECT_EQ(r.text, "online");
  EXPECT_EQ(feed("heartbeat.json").control, Control::kHeartbeat);
  EXPECT_EQ(feed("pong.json").control, Control::kPong);
  r = feed("subscribe_ack_book.json");
  EXPECT_EQ(r.control, Control::kSubscribed);
  EXPECT_EQ(r.symbol, "ALGO/USD");
  r = feed("subscribe_error.json");
  EXPECT_EQ(r.control, Control::kRequestFailed);
  EXPECT_EQ(r.text, "Currency pair not supported XBT/USDC");
  EXPECT_EQ(parser.counters().venue_errors, 1u);
  EXPECT_EQ(parser.counters().parse_errors, 0u);
}

TEST_F(KrakenTest, InstrumentSetsPrecisionsAndDocSnapshotChecksumVerifies) {
  EXPECT_FALSE(parser.has_precision("MATIC/USD"));
  ASSERT_TRUE(feed("instrument.json").ok);
  EXPECT_TRUE(parser.has_precision("MATIC/USD"));
  const ParseResult r = feed("book_snapshot_matic.json");
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.control, Control::kNone) << r.text;  // checksum 2439117997 matched
  EXPECT_EQ(parser.counters().checksum_failures, 0u);
  const OrderBook* book = parser.book("MATIC/USD");
  ASSERT_NE(book, nullptr);
  ASSERT_EQ(book->bids().size(), 10u);
  EXPECT_EQ(book->bids()[0].price, 5666);
  EXPECT_EQ(book->bids()[6].qty, 1809715470000);  // "18097.1547" at 8 decimals
  ASSERT_EQ(sink.quotes.size(), 1u);              // the top of the book
  EXPECT_EQ(sink.quotes[0].symbol.view(), "MATICUSD");
  EXPECT_EQ(sink.quotes[0].bid_price, 0.5666);
  EXPECT_EQ(sink.quotes[0].ask_price, 0.5668);
  EXPECT_EQ(sink.quotes[0].ask_size, 4410.79769741);
}

// The documented algorithm, written out independently of checksum.cpp: render each level with
// the pair's decimals from its text, drop the point, strip leading zeros; bitwise CRC-32.
std::string render(std::string_view text, int decimals) {
  std::string s(text);
  auto dot = s.find('.');
  if (dot == std::string::npos) {
    s += '.';
    dot = s.size() - 1;
  }
  while (static_cast<int>(s.size() - dot - 1) < decimals) s += '0';
  s.erase(dot, 1);
  s.erase(0, std::min(s.find_first_not_of('0'), s.size()));
  return s;
}
std::uint32_t crc32(std::string_view s) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (unsigned char ch : s) {
    c ^= ch;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

TEST_F(KrakenTest, UpdatesAppliedInOrderTruncatedToDepthAndVerified) {
  ASSERT_TRUE(feed("instrument.json").ok);
  ASSERT_TRUE(feed("book_snapshot_matic.json").ok);
  // The book the update below should leave: a new best ask 0.5667 that pushes 0.5677 beyond
  // depth 10, ask 0.5669 changed twice in the one message (the last change wins), bid 0.5666
  // changed and the worst bid 0.5657 removed.
  std::map<std::string, std::string> asks = {{"0.5667", "1.5"},
                                             {"0.5668", "4410.79769741"},
                                             {"0.5669", "100.0"},
                                             {"0.5670", "49844.89424998"},
                                             {"0.5671", "24306.41678"},
                                             {"0.5672", "29783.25223475"},
                                             {"0.5673", "57234.71239278"},
                                             {"0.5674", "45065.04744"},
                                             {"0.5675", "5912.76380354"},
                                             {"0.5676", "42514.92434778"}};
  std::map<std::string, std::string, std::greater<>> bids = {
      {"0.5666", "12.25"},          {"0.5665", "6658.22734739"},  {"0.5664", "18724.91513344"},
      {"0.5663", "11563.92544914"}, {"0.5662", "14006.65365711"}, {"0.5661", "17454.85679807"},
      {"0.5660", "18097.1547"},     {"0.5659", "33644.89175666"}, {"0.5658", "148.3464"}};
  std::string text;
  for (const auto& [p, q] : asks) text += render(p, 4) + render(q, 8);
  for (const auto& [p, q] : bids) text += render(p, 4) + render(q, 8);
  const std::uint32_t expected = crc32(text);
  const std::string update =
      R"({"channel":"book","type":"update","data":[{"symbol":"MATIC/USD","bids":[{"price":0.5666,"qty":12.25},{"price":0.5657,"qty":0}],)"
      R"("asks":[{"price":0.5669,"qty":1.0},{"price":0.5669,"qty":100},{"price":0.5667,"qty":1.5}],)"
      R"("checksum":)" +
      std::to_string(expected) + R"(,"timestamp":"2023-10-06T17:35:56.000001Z"}]})";
  const ParseResult r = feed_text(update);
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.control, Control::kNone) << r.text;
  const OrderBook* book = parser.book("MATIC/USD");
  EXPECT_EQ(book->asks().size(), 10u);  // 0.5677 fell beyond depth 10
  EXPECT_EQ(book->asks()[0].price, 5667);
  EXPECT_EQ(book->asks()[2].qty, 10000000000);  // 100 at 8 decimals
  EXPECT_EQ(book->asks()[9].price, 5676);
  EXPECT_EQ(book->bids().size(), 9u);
  ASSERT_EQ(sink.quotes.size(), 2u);
  EXPECT_EQ(sink.quotes[1].ask_price, 0.5667);
  EXPECT_EQ(sink.quotes[1].bid_size, 12.25);
  EXPECT_EQ(sink.quotes[1].exchange_ns, ts("2023-10-06T17:35:56.000001Z"));
}

TEST_F(KrakenTest, ChecksumMismatchClearsTheBookAndAsksForResync) {
  ASSERT_TRUE(feed("instrument.json").ok);
  std::string text(payload("kraken", "book_snapshot_matic.json"));
  text.replace(text.find("2439117997"), 10, "2439117998");
  const ParseResult r = feed_text(text);
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.control, Control::kBookResync);
  EXPECT_EQ(r.symbol, "MATIC/USD");
  EXPECT_EQ(parser.counters().checksum_failures, 1u);
  EXPECT_TRUE(parser.book("MATIC/USD")->empty());
  EXPECT_TRUE(sink.quotes.empty()) << "an unverified book publishes nothing";
}

TEST_F(KrakenTest, UpdateWithoutSnapshotOrPrecisionAsksForResync) {
  ParseResult r = feed("book_snapshot_matic.json");  // no instrument yet: cannot verify
  EXPECT_EQ(r.control, Control::kBookResync);
  ASSERT_TRUE(feed("instrument.json").ok);
  r = feed("book_update_btc.json");  // an update with no snapshot before it
  EXPECT_EQ(r.control, Control::kBookResync);
  EXPECT_EQ(r.symbol, "BTC/USD");
  EXPECT_TRUE(sink.quotes.empty());
}

TEST_F(KrakenTest, MalformedAndUnexpectedInputIsCountedNotFatal) {
  const char* bad[] = {
      "",
      "{",
      "[1,2,3]",
      "nonsense",
      R"({"channel":"trade","type":"update","data":[{"symbol":"ETH/USDT","side":"sell"}]})",
      R"({"channel":"trade","type":"update","data":[{"symbol":"ETH/USDT","side":"sideways","price":1,"qty":1,"trade_id":1,"timestamp":"2023-09-25T07:49:37Z"}]})",
      R"({"channel":"trade","type":"update","data":[{"symbol":"ETH/USDT","side":"buy","price":-1,"qty":1,"trade_id":1,"timestamp":"2023-09-25T07:49:37Z"}]})",
      R"({"channel":"trade","type":"update","data":[{"symbol":"ETH/USDT","side":"buy","price":"1","qty":1,"trade_id":1,"timestamp":"2023-09-25T07:49:37Z"}]})",
      R"({"channel":"trade","type":"update","data":[{"symbol":"ETH/USDT","side":"buy","price":1,"qty":1,"trade_id":1,"timestamp":"yesterday"}]})",
      R"({"channel":"trade","type":"weird","data":[]})",
      R"({"channel":"ticker","type":"update","data":{}})",
      R"({"channel":42})",
      R"({"method":"subscribe"})",
  };
  for (const char* text : bad) {
    const ParseResult r = feed_text(text);
    EXPECT_FALSE(r.ok) << text;
  }
  EXPECT_EQ(parser.counters().parse_errors, std::size(bad));
  EXPECT_TRUE(sink.trades.empty());
  // Unknown channels and fields are ignored, not errors; unknown symbols are counted.
  EXPECT_TRUE(feed_text(R"({"channel":"level3","type":"update","data":[]})").ok);
  EXPECT_TRUE(
      feed_text(
          R"({"channel":"trade","type":"update","data":[{"symbol":"DOGE/USD","side":"buy","price":1,"qty":1,"trade_id":1,"timestamp":"2023-09-25T07:49:37Z","extra":{"x":[1]}}]})")
          .ok);
  EXPECT_EQ(parser.counters().unknown_symbol, 1u);
  EXPECT_EQ(parser.counters().parse_errors, std::size(bad));
}

// A level object whose structure is broken after the first field: the lookup of the second
// field must fail cleanly (simdjson's find_field_unordered had undefined behaviour here, found
// by the fuzz target; the ASan/UBSan run of this test fails on it).
TEST_F(KrakenTest, BrokenLevelObjectIsMalformedNotUndefined) {
  ASSERT_TRUE(feed("instrument.json").ok);
  const ParseResult r = feed_text(
      R"({"channel":"book","type":"snapshot","data":[{"symbol":"MATIC/USD","bids":[{"price":6,"":},"qty":1}]}]})");
  EXPECT_FALSE(r.ok && r.control == Control::kNone);
  EXPECT_TRUE(sink.quotes.empty());
  // The parser goes on: the reference snapshot that follows is applied and verified.
  const ParseResult good = feed("book_snapshot_matic.json");
  EXPECT_TRUE(good.ok);
  EXPECT_EQ(good.control, Control::kNone) << good.text;
}

}  // namespace
}  // namespace ztrade::venues::kraken
