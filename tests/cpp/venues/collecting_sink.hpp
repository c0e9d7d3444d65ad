#pragma once
// Test helpers for the venue parsers: a sink that keeps every event, and payload loading.
#include <simdjson.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "venues/common/market_sink.hpp"
#include "venues/common/timestamp.hpp"

namespace ztrade::venues::testing {

struct CollectingSink : MarketSink {
  std::vector<wire::TradeMsg> trades;
  std::vector<wire::QuoteMsg> quotes;
  std::vector<wire::BarMsg> bars;
  void on_trade(const wire::TradeMsg& t) noexcept override { trades.push_back(t); }
  void on_quote(const wire::QuoteMsg& q) noexcept override { quotes.push_back(q); }
  void on_bar(const wire::BarMsg& b) noexcept override { bars.push_back(b); }
};

// A payload file from tests/cpp/venues/payloads/<venue>/, padded for simdjson.
inline simdjson::padded_string payload(const std::string& venue, const std::string& name) {
  std::ifstream in(std::string(ZTRADE_VENUE_PAYLOADS) + "/" + venue + "/" + name);
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.empty()) throw std::runtime_error("missing payload " + venue + "/" + name);
  return simdjson::padded_string(text);
}

inline simdjson::padded_string padded(std::string_view text) {
  return simdjson::padded_string(text);
}

constexpr std::int64_t kReceiveNs = 1'700'000'000'123'456'789;

// Feeds a payload file, or text, to any venue parser as one frame received at kReceiveNs.
template <class Parser>
auto feed(Parser& parser, const std::string& venue, const std::string& name) {
  auto p = payload(venue, name);
  return parser.parse(p, kReceiveNs);
}
template <class Parser>
auto feed_text(Parser& parser, std::string_view text) {
  auto p = padded(text);
  return parser.parse(p, kReceiveNs);
}

// An RFC 3339 time in ns, for the expected side of a test (the parser's own function, tested
// against timegm in common_test.cpp).
inline std::int64_t ts(std::string_view text) {
  std::int64_t ns = 0;
  EXPECT_TRUE(parse_rfc3339_ns(text, ns)) << text;
  return ns;
}

}  // namespace ztrade::venues::testing
