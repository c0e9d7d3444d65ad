// The venue-independent pieces: RFC 3339 timestamps as venues send them, exact decimals, the
// order book, the symbol map.
#include <gtest/gtest.h>

#include <ctime>

#include "venues/common/book_resyncs.hpp"
#include "venues/common/decimal.hpp"
#include "venues/common/order_book.hpp"
#include "venues/common/symbol_map.hpp"
#include "venues/common/timestamp.hpp"

namespace ztrade::venues {
namespace {

std::int64_t ns(std::string_view text) {
  std::int64_t out = -1;
  EXPECT_TRUE(parse_rfc3339_ns(text, out)) << text;
  return out;
}

TEST(Timestamp, VenueFormats) {
  // 2021-02-22T15:51:44Z, checked against timegm.
  std::tm tm{};
  tm.tm_year = 121;
  tm.tm_mon = 1;
  tm.tm_mday = 22;
  tm.tm_hour = 15;
  tm.tm_min = 51;
  tm.tm_sec = 44;
  const std::int64_t base = static_cast<std::int64_t>(timegm(&tm)) * 1'000'000'000;
  EXPECT_EQ(ns("2021-02-22T15:51:44Z"), base);
  EXPECT_EQ(ns("2021-02-22T15:51:44.208Z"), base + 208'000'000);
  EXPECT_EQ(ns("2021-02-22T15:51:44.3355677Z"), base + 335'567'700);
  EXPECT_EQ(ns("2021-02-22T15:51:44.335689322Z"), base + 335'689'322);
  EXPECT_EQ(ns("2021-02-22T15:51:44.3356893229Z"), base + 335'689'322);  // beyond ns: cut
  EXPECT_EQ(ns("2021-02-22T11:51:44.5-04:00"), base + 500'000'000);
  EXPECT_EQ(ns("2021-02-22T17:21:44+01:30"), base);
  EXPECT_EQ(ns("2021-02-22 15:51:44Z"), base);
  EXPECT_EQ(ns("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ns("2024-02-29T00:00:00Z"), 1709164800LL * 1'000'000'000);
}

TEST(Timestamp, RejectsMalformed) {
  std::int64_t out = 7;
  for (const char* bad :
       {"", "2021-02-22", "2021-02-22T15:51:44", "2021-02-22T15:51:44.Z", "2021-13-01T00:00:00Z",
        "2023-02-29T00:00:00Z", "2021-02-22T25:00:00Z", "2021-02-22T15:51:44+0100",
        "2021-02-22T15:51:44Zjunk", "1688998200",
        "2024-10-04 07:04:40.820713045 +0000 UTC m=+66987.628148662",
        // Found by fuzzing: beyond int64 nanoseconds (1677-2262) it overflowed.
        "3323-07-27 06:32:23+18:38", "9999-12-31T23:59:59Z", "1600-01-01T00:00:00Z"}) {
    EXPECT_FALSE(parse_rfc3339_ns(bad, out)) << bad;
  }
  EXPECT_EQ(out, 7) << "untouched on failure";
}

TEST(Decimal, ParsesExactly) {
  Decimal d;
  std::int64_t v = 0;
  ASSERT_TRUE(Decimal::parse("18097.1547", d));
  ASSERT_TRUE(d.to_scaled(8, v));
  EXPECT_EQ(v, 1809715470000);
  ASSERT_TRUE(Decimal::parse("4.0", d));
  ASSERT_TRUE(d.to_scaled(8, v));
  EXPECT_EQ(v, 400000000);
  ASSERT_TRUE(Decimal::parse("0.00001306", d));
  ASSERT_TRUE(d.to_scaled(10, v));
  EXPECT_EQ(v, 130600);
  ASSERT_TRUE(Decimal::parse("1e-08", d));
  ASSERT_TRUE(d.to_scaled(8, v));
  EXPECT_EQ(v, 1);
  ASSERT_TRUE(Decimal::parse("12E3", d));
  ASSERT_TRUE(d.to_scaled(0, v));
  EXPECT_EQ(v, 12000);
  ASSERT_TRUE(Decimal::parse("-0.17", d));
  ASSERT_TRUE(d.to_scaled(2, v));
  EXPECT_EQ(v, -17);
  ASSERT_TRUE(Decimal::parse("0.0", d));
  ASSERT_TRUE(d.to_scaled(4, v));
  EXPECT_EQ(v, 0);
  ASSERT_TRUE(Decimal::parse("29431.10", d));  // trailing zero beyond precision 1 is fine
  ASSERT_TRUE(d.to_scaled(1, v));
  EXPECT_EQ(v, 294311);
  EXPECT_EQ(d.to_double(), 29431.1);
}

TEST(Decimal, RefusesWhatItCannotHoldExactly) {
  Decimal d;
  std::int64_t v = 0;
  ASSERT_TRUE(Decimal::parse("0.56655", d));
  EXPECT_FALSE(d.to_scaled(4, v)) << "digits beyond the pair's precision";
  EXPECT_FALSE(Decimal::parse("1234567890123456789", d)) << "19 significant digits";
  ASSERT_TRUE(Decimal::parse("92233720368", d));
  EXPECT_FALSE(d.to_scaled(18, v)) << "overflow";
  for (const char* bad :
       {"", "-", ".", "1.2.3", "1e", "1e+", "abc", "1,5", " 1", "0x10", "nan", "inf", "1e99999"}) {
    EXPECT_FALSE(Decimal::parse(bad, d)) << bad;
  }
  double x = 0;
  EXPECT_TRUE(parse_double("14.7775", x));
  EXPECT_EQ(x, 14.7775);
  EXPECT_FALSE(parse_double("14.7775x", x));
  EXPECT_FALSE(parse_double("inf", x));
}

TEST(OrderBook, KeepsSidesSortedBestFirst) {
  OrderBook b(2, 3);
  using S = OrderBook::Side;
  b.set(S::kBid, 10000, 1000);
  b.set(S::kBid, 10100, 2000);
  b.set(S::kBid, 9900, 500);
  b.set(S::kAsk, 10300, 100);
  b.set(S::kAsk, 10200, 700);
  ASSERT_EQ(b.bids().size(), 3u);
  EXPECT_EQ(b.bids()[0].price, 10100);
  EXPECT_EQ(b.bids()[2].price, 9900);
  EXPECT_EQ(b.asks()[0].price, 10200);
  b.set(S::kBid, 10100, 0);   // remove
  b.set(S::kBid, 12345, 0);   // remove an absent level: no-op
  b.set(S::kAsk, 10200, 50);  // change
  EXPECT_EQ(b.bids()[0].price, 10000);
  EXPECT_EQ(b.asks()[0].qty, 50);
  wire::QuoteMsg q{};
  b.top(q);
  EXPECT_EQ(q.bid_price, 100.0);
  EXPECT_EQ(q.bid_size, 1.0);
  EXPECT_EQ(q.ask_price, 102.0);
  EXPECT_EQ(q.ask_size, 0.05);
  EXPECT_FALSE(b.crossed());
  b.set(S::kBid, 10250, 1);
  EXPECT_TRUE(b.crossed());
  b.truncate(1);
  EXPECT_EQ(b.bids().size(), 1u);
  b.clear();
  EXPECT_TRUE(b.empty());
}

// A burst of bad updates for one book sends one resubscription; it is pending until the book
// is synced again, then a new loss starts another.
TEST(BookResyncs, OneResubscriptionPerBookUntilItIsSynced) {
  BookResyncs r;
  EXPECT_TRUE(r.start("BTC/USD"));
  EXPECT_FALSE(r.start("BTC/USD"));  // already being rebuilt
  EXPECT_TRUE(r.start("ETH/USD"));
  EXPECT_FALSE(r.start(""));
  EXPECT_EQ(r.count(), 2u);
  r.settle([](const std::string& s) { return s == "BTC/USD"; });  // BTC's snapshot arrived
  EXPECT_TRUE(r.start("BTC/USD"));                                // a new loss
  EXPECT_FALSE(r.start("ETH/USD"));
  r.clear();  // a reconnect rebuilds every book
  EXPECT_TRUE(r.start("ETH/USD"));
  EXPECT_EQ(r.count(), 4u);
}

TEST(SymbolMap, MapsVenueToEngineSymbols) {
  SymbolMap m;
  EXPECT_TRUE(m.add("BTC/USD", "BTCUSD"));
  EXPECT_TRUE(m.add("ETH/USD", "ETHUSD"));
  EXPECT_FALSE(m.add("ETH/USD", "OTHER")) << "mapped twice";
  EXPECT_FALSE(m.add("LONG/USD", "A_SYMBOL_OVER_16_CHARS")) << "does not fit the wire";
  ASSERT_NE(m.find("BTC/USD"), nullptr);
  EXPECT_EQ(m.find("BTC/USD")->view(), "BTCUSD");
  EXPECT_EQ(m.find("BTC-USD"), nullptr);
  EXPECT_EQ(m.size(), 2u);
}

}  // namespace
}  // namespace ztrade::venues
