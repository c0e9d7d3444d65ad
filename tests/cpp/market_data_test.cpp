// Market-data sources: the recording format (round trip, cut-short tail, corruption), CSV
// replays (byte-order mark, exact integers) and the synthetic feed's quotes.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "bus/codec.hpp"
#include "market_data/recording.hpp"
#include "market_data/replay_source.hpp"
#include "market_data/synthetic_source.hpp"
#include "test_frames.hpp"

namespace ztrade::market_data {
namespace {

std::string temp_path(const char* name) {
  return (std::filesystem::temp_directory_path() /
          (std::string("ztrade-") + name + "-" + std::to_string(::getpid())))
      .string();
}

using test::frame_of;

TEST(Recording, RoundTripsBarsTradesAndQuotesInOrder) {
  const std::string path = temp_path("rec");
  wire::TradeMsg t{};
  (void)t.symbol.assign("BTC-USD");
  t.price = 50000.5;
  t.size = 0.25;
  t.trade_id = 7;
  wire::QuoteMsg q{};
  (void)q.symbol.assign("BTC-USD");
  q.bid_price = 50000;
  q.ask_price = 50001;
  wire::BarMsg b{};
  (void)b.symbol.assign("BTC-USD");
  b.close = 50000.5;
  b.start_ns = 60;
  {
    RecordingWriter w(path);
    w.write("md.trade.BTC-USD", frame_of(t, 100, 1));
    w.write("md.quote.BTC-USD", frame_of(q, 200, 1));
    w.write("md.bar.BTC-USD", frame_of(b, 60, 1));
    w.flush();
    EXPECT_EQ(w.records(), 3u);
    EXPECT_EQ(w.failures(), 0u);
  }
  RecordingReader r(path);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r.truncated_bytes(), 0u);
  MarketEvent e;
  ASSERT_TRUE(r.next(e));
  EXPECT_EQ(e.kind, MarketEvent::Kind::kTrade);
  EXPECT_EQ(e.ts_ns, 100);
  EXPECT_EQ(e.trade.price, 50000.5);
  EXPECT_EQ(e.trade.trade_id, 7u);
  ASSERT_TRUE(r.next(e));
  EXPECT_EQ(e.kind, MarketEvent::Kind::kQuote);
  EXPECT_EQ(e.quote.ask_price, 50001);
  ASSERT_TRUE(r.next(e));
  EXPECT_EQ(e.kind, MarketEvent::Kind::kBar);
  EXPECT_EQ(e.bar.symbol.view(), "BTC-USD");
  EXPECT_FALSE(r.next(e));
  std::filesystem::remove(path);
}

TEST(Recording, CutShortLastRecordIsSkippedAndReported) {
  const std::string path = temp_path("rec-cut");
  wire::TradeMsg t{};
  (void)t.symbol.assign("X");
  {
    RecordingWriter w(path);
    w.write("md.trade.X", frame_of(t, 1, 1));
    w.write("md.trade.X", frame_of(t, 2, 2));
  }
  const auto full = std::filesystem::file_size(path);
  std::filesystem::resize_file(path, full - 10);  // as if killed mid-write
  RecordingReader r(path);
  EXPECT_EQ(r.size(), 1u);
  EXPECT_GT(r.truncated_bytes(), 0u);
  std::filesystem::remove(path);
}

// A recording is outside input too: a bar before 1970 (INT64_MIN, as a ts column in the wrong
// unit once became) fails the open, naming the record - it is never replayed.
TEST(Recording, ABarBefore1970FailsTheOpen) {
  const std::string path = temp_path("rec-time");
  wire::BarMsg b{};
  (void)b.symbol.assign("X");
  b.start_ns = INT64_MIN;
  {
    RecordingWriter w(path);
    w.write("md.bar.X", frame_of(b, 60, 1));
  }
  try {
    RecordingReader r(path);
    FAIL() << "a bar before 1970 must fail the open";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("before 1970"), std::string::npos) << e.what();
  }
  std::filesystem::remove(path);
}

TEST(Recording, CorruptRecordOrWrongFileFailsTheOpenWithItsOffset) {
  const std::string path = temp_path("rec-bad");
  wire::TradeMsg t{};
  {
    RecordingWriter w(path);
    w.write("md.trade.X", frame_of(t, 1, 1));
    w.write("md.trade.X", frame_of(t, 2, 2));
  }
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    // Second record's frame magic: 8 (file magic) + record 1 (4 + 10 + 96) + 4 + 10.
    f.seekp(8 + 4 + 10 + 96 + 4 + 10);
    f.put('\x00');
  }
  try {
    RecordingReader r(path);
    FAIL() << "a corrupt record must fail the open";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("byte 118"), std::string::npos) << e.what();
  }
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << "ts,open,high,low,close,volume\n";
  }
  EXPECT_THROW(RecordingReader{path}, std::runtime_error);
  EXPECT_THROW(RecordingReader{path + ".missing"}, std::runtime_error);
  std::filesystem::remove(path);
}

std::string write_file(const char* name, const std::string& text) {
  const std::string path = temp_path(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(ReplaySource, ByteOrderMarkIsNotPartOfTheFirstColumn) {
  const std::string path = write_file(
      "bom.csv", "\xEF\xBB\xBFts_ns,open,high,low,close,volume\r\n60,1,2,0.5,1.5,10\r\n");
  ReplaySource src(path, ReplaySource::Format::kBars, "X", 60'000'000'000);
  ASSERT_EQ(src.size(), 1u);
  MarketEvent e;
  ASSERT_TRUE(src.next(e));
  EXPECT_EQ(e.bar.start_ns, 60);
  EXPECT_EQ(e.bar.close, 1.5);
  std::remove(path.c_str());
}

TEST(ReplaySource, TimestampsAndTradeIdsAreExactIntegers) {
  // Through a double these would round to a multiple of 256.
  const std::string path =
      write_file("ints.csv",
                 "ts_ns,price,size,trade_id\n1700000000123456789,10,1,1152921504606846977\n"
                 "1700000000123456790,10,1,1152921504606846978\n");
  ReplaySource src(path, ReplaySource::Format::kTrades, "X", 60'000'000'000);
  MarketEvent e;
  ASSERT_TRUE(src.next(e));
  EXPECT_EQ(e.trade.exchange_ns, 1700000000123456789);
  EXPECT_EQ(e.trade.trade_id, 1152921504606846977u);
  ASSERT_TRUE(src.next(e));
  EXPECT_EQ(e.trade.exchange_ns, 1700000000123456790);
  EXPECT_EQ(e.trade.trade_id, 1152921504606846978u);
  std::remove(path.c_str());
  const std::string bad = write_file("frac.csv", "ts_ns,price,size\n1.5,10,1\n");
  EXPECT_THROW(ReplaySource(bad, ReplaySource::Format::kTrades, "X", 1), std::runtime_error);
  std::remove(bad.c_str());
}

TEST(SyntheticSource, QuoteFollowsEachTradeAroundItsPrice) {
  SyntheticSource s({"A", "B"}, 7, 100.0, 0.001, 10.0);
  MarketEvent e;
  for (int i = 0; i < 100; ++i) {
    s.next(i, e);
    ASSERT_EQ(e.kind, MarketEvent::Kind::kTrade);
    const double price = e.trade.price;
    const std::string symbol(e.trade.symbol.view());
    s.next(i, e);
    ASSERT_EQ(e.kind, MarketEvent::Kind::kQuote);
    EXPECT_EQ(e.quote.symbol.view(), symbol);
    EXPECT_LT(e.quote.bid_price, price);
    EXPECT_GT(e.quote.ask_price, price);
    EXPECT_NEAR(e.quote.ask_price - e.quote.bid_price, price * 10e-4, 2e-4);
  }
}

TEST(SyntheticSource, NoSpreadMeansTradesOnly) {
  SyntheticSource s({"A"}, 7, 100.0, 0.001);
  MarketEvent e;
  for (int i = 0; i < 10; ++i) {
    s.next(i, e);
    EXPECT_EQ(e.kind, MarketEvent::Kind::kTrade);
  }
}

}  // namespace
}  // namespace ztrade::market_data
