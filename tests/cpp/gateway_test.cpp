// The gateway's state and REST API without a socket: what the bus carries becomes bounded
// per-symbol state; every request needs the token; every route answers and is in the OpenAPI
// document; bad parameters, unknown symbols and paths get JSON errors.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include <fmt/format.h>
#include <vector>

#include "features/feature_computer.hpp"
#include "gateway/history.hpp"
#include "gateway/market_state.hpp"
#include "gateway/rest_api.hpp"
#include "gateway/scanner.hpp"
#include "gateway/stream_hub.hpp"
#include "gateway/tick_to_order.hpp"
#include "test_frames.hpp"

namespace ztrade::gateway {
namespace {

constexpr std::int64_t kMinute = 60'000'000'000;

// Feeds one body to the state as the subscriber would hand it over.
template <class Body>
void feed(MarketState& state, const Body& body, std::int64_t event_ns = 0) {
  const auto bytes = test::frame_of(body, event_ns, 1);
  bus::Message m;
  ASSERT_EQ(wire::decode(bytes, m.frame), wire::DecodeError::kOk);
  state.on_message(m);
}

wire::BarMsg bar(const char* symbol, std::int64_t start, double close) {
  wire::BarMsg b{};
  (void)b.symbol.assign(symbol);
  b.open = b.high = b.low = b.close = close;
  b.volume = 10;
  b.start_ns = start;
  b.interval_ns = kMinute;
  return b;
}

ApiResponse get(const RestApi& api, std::string_view target, std::string_view token = "t0k") {
  std::string auth = "Bearer ";
  auth.append(token);
  return api.handle({"GET", target, auth, ""});
}

TEST(Gateway, KeepsBoundedStatePerSymbol) {
  GatewayConfig c;
  c.bars_per_symbol = 3;
  c.max_symbols = 2;
  MarketState state(c);
  for (int i = 0; i < 5; ++i) feed(state, bar("AAPL", i * kMinute, 100 + i));
  feed(state, bar("MSFT", 0, 300));
  feed(state, bar("TSLA", 0, 200));  // a third symbol: past max_symbols, counted
  const SymbolState* s = state.symbol("AAPL");
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->bars.size(), 3u);
  EXPECT_EQ(s->bars.front().close, 102);
  EXPECT_EQ(s->bar_count, 5u);
  EXPECT_EQ(state.symbol("TSLA"), nullptr);
  EXPECT_EQ(state.symbols_dropped(), 1u);
}

TEST(Gateway, EveryRequestNeedsTheToken) {
  GatewayConfig c;
  MarketState state(c);
  const RestApi api(state, "t0k");
  EXPECT_EQ(api.handle({"GET", "/v1/symbols", "", ""}).status, 401);
  EXPECT_EQ(get(api, "/v1/symbols", "t0K").status, 401);
  EXPECT_EQ(api.handle({"GET", "/v1/symbols", "t0k", ""}).status, 401);  // not a bearer header
  EXPECT_EQ(get(api, "/v1/symbols").status, 200);
  const RestApi closed(state, "");  // no token configured: nothing is served
  EXPECT_EQ(get(closed, "/v1/symbols", "").status, 401);
}

TEST(Gateway, BarsByWindowAndLimitWithJsonErrors) {
  GatewayConfig c;
  MarketState state(c);
  for (int i = 0; i < 10; ++i) feed(state, bar("AAPL", i * kMinute, 100 + i));
  const RestApi api(state, "t0k");
  const auto last2 = get(api, "/v1/bars/AAPL?limit=2");
  ASSERT_EQ(last2.status, 200);
  EXPECT_NE(last2.body.find("\"close\":108"), std::string::npos);
  EXPECT_NE(last2.body.find("\"close\":109"), std::string::npos);
  EXPECT_EQ(last2.body.find("\"close\":107"), std::string::npos);
  const std::string target = fmt::format("/v1/bars/AAPL?start={}&end={}", 2 * kMinute, 3 * kMinute);
  const auto window = get(api, target);
  EXPECT_NE(window.body.find("\"close\":102"), std::string::npos);
  EXPECT_NE(window.body.find("\"close\":103"), std::string::npos);
  EXPECT_EQ(window.body.find("\"close\":104"), std::string::npos);
  const auto bad = get(api, "/v1/bars/AAPL?limit=0");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find(R"("code":"bad_parameter")"), std::string::npos);
  EXPECT_EQ(get(api, "/v1/bars/AAPL?limit=ten").status, 400);
  const auto unknown = get(api, "/v1/bars/ZZZ");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(unknown.body.find(R"("code":"unknown_symbol")"), std::string::npos);
  EXPECT_EQ(get(api, "/v1/nothing").status, 404);
  EXPECT_EQ(get(api, "/v1/bars").status, 404);
  EXPECT_EQ(api.handle({"POST", "/v1/symbols", "Bearer t0k", ""}).status, 405);
}

TEST(Gateway, OrdersMoveFromOpenToRecent) {
  GatewayConfig c;
  MarketState state(c);
  wire::NewOrderMsg o{};
  o.client_order_id = 7;
  (void)o.symbol.assign("AAPL");
  o.side = wire::Side::kBuy;
  o.quantity = 100;
  feed(state, o);
  ASSERT_EQ(state.orders().size(), 1u);
  EXPECT_EQ(state.orders()[0]->status, "sent");
  wire::ExecutionReportMsg r{};
  r.client_order_id = 7;
  (void)r.symbol.assign("AAPL");
  r.exec_type = wire::ExecType::kFill;
  r.cum_qty = 100;
  r.avg_price = 101.5;
  feed(state, r);
  ASSERT_EQ(state.orders().size(), 1u);
  EXPECT_EQ(state.orders()[0]->status, "fill");
  EXPECT_EQ(state.orders()[0]->avg_price, 101.5);
  const RestApi api(state, "t0k");
  EXPECT_NE(get(api, "/v1/orders").body.find(R"("status":"fill")"), std::string::npos);
}

// Every route answers (given data) and is described in /v1/openapi.json: one table serves both.
TEST(Gateway, EveryRouteAnswersAndIsInTheOpenApiDocument) {
  GatewayConfig c;
  MarketState state(c);
  feed(state, bar("AAPL", 0, 100));
  wire::QuoteMsg q{};
  (void)q.symbol.assign("AAPL");
  q.bid_price = 99;
  q.ask_price = 101;
  feed(state, q);
  wire::FeaturesMsg f{};
  (void)f.symbol.assign("AAPL");
  f.count = static_cast<std::uint8_t>(kFeatureCount);
  feed(state, f);
  wire::TradeMsg t{};
  (void)t.symbol.assign("AAPL");
  t.price = 100;
  feed(state, t);
  Scanner scanner(c.scanner);
  ApiSources sources;
  sources.scanner = &scanner;
  const RestApi api(state, "t0k", sources);
  const std::string spec = RestApi::openapi();
  for (const Route& r : RestApi::routes()) {
    EXPECT_NE(spec.find(fmt::format("\"{}\"", r.path)), std::string::npos) << r.path;
    if (r.method != "GET") continue;
    const auto at = r.path.find("{symbol}");
    const std::string target =
        at == std::string_view::npos
            ? std::string(r.path)
            : fmt::format("{}AAPL{}", r.path.substr(0, at), r.path.substr(at + 8));
    const auto res = get(api, target);
    EXPECT_EQ(res.status, 200) << target << ": " << res.body;
  }
  EXPECT_NE(get(api, "/v1/features/AAPL").body.find(R"("rsi":)"), std::string::npos);
}

TEST(Gateway, BarsAggregateToAnIntervalAndPage) {
  GatewayConfig c;
  MarketState state(c);
  for (int i = 0; i < 10; ++i) feed(state, bar("AAPL", i * kMinute, 100 + i));
  const RestApi api(state, "t0k");
  const auto five = get(api, "/v1/bars/AAPL?interval=300");
  ASSERT_EQ(five.status, 200) << five.body;
  // Two 5-minute bars: opens 100 and 105, closes 104 and 109, volume 5 x 10.
  EXPECT_NE(five.body.find(R"("open":100,"high":104,"low":100,"close":104,"volume":50)"),
            std::string::npos)
      << five.body;
  EXPECT_NE(five.body.find(R"("open":105,"high":109,"low":105,"close":109,"volume":50)"),
            std::string::npos);
  EXPECT_EQ(get(api, "/v1/bars/AAPL?interval=90").status, 400);  // not a multiple of 60 s
  const auto page = get(api, "/v1/bars/AAPL?limit=3");
  EXPECT_NE(page.body.find(fmt::format(R"("next_end":{})", 7 * kMinute - 1)), std::string::npos);
}

TEST(Gateway, OperatorCommandsNeedTheOperatorToken) {
  GatewayConfig c;
  MarketState state(c);
  std::vector<std::string> sent;
  ApiSources sources;
  sources.operator_token = "op3r";
  sources.control = [&](std::string_view verb) {
    sent.emplace_back(verb);
    return std::string("OK HALTED");
  };
  const RestApi api(state, "t0k", sources);
  const auto post = [&](std::string_view auth, std::string_view body) {
    return api.handle({"POST", "/v1/control", auth, body});
  };
  EXPECT_EQ(post("Bearer t0k", R"({"command":"HALT"})").status, 403);  // read-only token
  EXPECT_EQ(post("Bearer op3r", R"({"command":"halt"})").status, 400);
  EXPECT_EQ(post("Bearer op3r", R"({"command":"STATE"})").status, 400);
  EXPECT_EQ(post("Bearer op3r", R"({"command":)").status, 400);
  EXPECT_TRUE(sent.empty());
  EXPECT_EQ(post("Bearer op3r", R"({"command":"HALT"})").status, 200);
  EXPECT_EQ(post("Bearer op3r", R"({"command":"CANCEL_ALL"})").status, 200);
  EXPECT_EQ(sent, (std::vector<std::string>{"HALT", "CANCEL_ALL"}));
}

TEST(Gateway, ScannerFindsGainersBreakoutsAndUnusualVolume) {
  ScannerConfig c;
  c.window_bars = 3;
  c.volume_mean_bars = 3;
  c.breakout_bars = 3;
  Scanner scanner(c);
  for (int i = 0; i < 5; ++i) {
    wire::BarMsg up = bar("UP", i * kMinute, 100 + i);
    wire::BarMsg down = bar("DOWN", i * kMinute, 100 - i);
    if (i == 4) up.volume = 100;  // 10x the mean of the three before
    scanner.on_bar(up);
    scanner.on_bar(down);
  }
  const std::string r = scanner.results_json();
  EXPECT_NE(r.find(R"("gainers":[{"symbol":"UP")"), std::string::npos) << r;
  EXPECT_NE(r.find(R"("losers":[{"symbol":"DOWN")"), std::string::npos) << r;
  EXPECT_NE(r.find(R"("unusual_volume":[{"symbol":"UP","ratio":10)"), std::string::npos) << r;
  EXPECT_NE(r.find(R"("breakouts":[{"symbol":"UP")"), std::string::npos) << r;
  EXPECT_NE(r.find(R"("breakdowns":[{"symbol":"DOWN")"), std::string::npos) << r;
  EXPECT_NE(r.find(R"("most_active":[{"symbol":"UP")"), std::string::npos) << r;
}

TEST(Gateway, HistorySurvivesARestartAndCountsWhatItCannotQueue) {
  const std::string path = ::testing::TempDir() + "/gateway-history-test.sqlite";
  const auto remove_db = [&] {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  };
  remove_db();
  {
    History h(path, 30, 1024);
    for (int i = 0; i < 10; ++i) EXPECT_TRUE(h.add(bar("AAPL", i * kMinute, 100 + i)));
    wire::TradeMsg t{};
    (void)t.symbol.assign("AAPL");
    t.price = 101;
    t.size = 5;
    t.exchange_ns = kMinute;
    t.trade_id = 9;
    EXPECT_TRUE(h.add(t));
    h.flush();
    EXPECT_EQ(h.stats().bars_written, 10u);
  }
  History again(path, 30, 1024);  // a new gateway: the rows are there
  const auto bars = again.bars("AAPL", kMinute, 2 * kMinute, 4 * kMinute, 100);
  ASSERT_EQ(bars.size(), 3u);
  EXPECT_EQ(bars.front().close, 102);
  EXPECT_EQ(bars.back().close, 104);
  EXPECT_EQ(again.bars("AAPL", 0, INT64_MIN, INT64_MAX, 2).back().close, 109);  // the last two
  ASSERT_EQ(again.trades("AAPL", INT64_MIN, INT64_MAX, 10).size(), 1u);
  EXPECT_EQ(std::vector<std::string>(again.symbols().begin(), again.symbols().end()),
            std::vector<std::string>{"AAPL"});
  // Bars that went by while no gateway ran: the first bar after the restart is 5 bars on from
  // the last stored one, so bars 10..14 are a gap - recorded, and only once.
  EXPECT_TRUE(again.add(bar("AAPL", 15 * kMinute, 115)));
  EXPECT_TRUE(again.add(bar("AAPL", 16 * kMinute, 116)));
  again.flush();
  const auto gaps = again.gaps("AAPL", INT64_MIN, INT64_MAX);
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_EQ(gaps[0].start_ns, 10 * kMinute);
  EXPECT_EQ(gaps[0].end_ns, 15 * kMinute);
  EXPECT_EQ(again.stats().gaps, 1u);
  // The REST API answers from it for a symbol this gateway never saw.
  GatewayConfig c;
  MarketState state(c);
  ApiSources sources;
  sources.history = &again;
  const RestApi api(state, "t0k", sources);
  const auto r = get(api, "/v1/bars/AAPL?limit=3");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("source":"history")"), std::string::npos);
  EXPECT_NE(r.body.find(R"("close":109)"), std::string::npos);
  EXPECT_EQ(get(api, "/v1/bars/NOPE").status, 404);
  // A queue that is full drops (counted) instead of waiting.
  std::uint64_t refused = 0;
  for (int i = 0; i < 200'000; ++i) refused += !again.add(bar("MSFT", i * kMinute, 1));
  EXPECT_EQ(again.stats().dropped, refused);
  remove_db();
}

TEST(Gateway, StreamSubscriptionsAcksErrorsAndSlowClients) {
  StreamHub hub("t0k");
  std::vector<StreamClient> clients;
  clients.emplace_back(4, false);
  StreamClient& c = clients.front();
  bool close = false;
  EXPECT_NE(hub.on_message(c, R"({"action":"subscribe","channels":["bars"]})", close)
                .find("unauthorized"),
            std::string::npos);
  EXPECT_TRUE(close);
  EXPECT_NE(hub.on_message(c, R"({"action":"auth","token":"t0k"})", close).find(R"("type":"ack")"),
            std::string::npos);
  EXPECT_FALSE(close);
  EXPECT_NE(hub.on_message(c, "not json", close).find("bad_request"), std::string::npos);
  EXPECT_NE(
      hub.on_message(c, R"({"action":"subscribe","channels":["nope"]})", close).find("bad_channel"),
      std::string::npos);
  EXPECT_NE(
      hub.on_message(c, R"({"action":"subscribe","channels":["bars"],"symbols":["AAPL"]})", close)
          .find(R"("channels":["bars"],"symbols":["AAPL"])"),
      std::string::npos);
  EXPECT_FALSE(close);
  const Payload p = StreamHub::update(Channel::kBars, "AAPL", "{}");
  EXPECT_FALSE(hub.publish(clients, Channel::kBars, "MSFT", p));  // not subscribed
  EXPECT_TRUE(hub.publish(clients, Channel::kBars, "AAPL", p));
  EXPECT_EQ(c.queue().size(), 1u);
  EXPECT_EQ(*c.queue().front(), R"({"type":"bar","symbol":"AAPL","data":{}})");
  // Conflation: only the latest value per channel and symbol goes out.
  EXPECT_NE(hub.on_message(c, R"({"action":"conflate","ms":100})", close).find("ack"),
            std::string::npos);
  c.queue().clear();
  for (int i = 0; i < 10; ++i) hub.publish(clients, Channel::kBars, "AAPL", p);
  EXPECT_TRUE(c.queue().empty());
  hub.flush(c);
  EXPECT_EQ(c.queue().size(), 1u);
  // A client that falls behind its queue is marked slow and gets nothing more.
  (void)hub.on_message(c, R"({"action":"conflate","ms":0})", close);
  for (int i = 0; i < 10; ++i) hub.publish(clients, Channel::kBars, "AAPL", p);
  EXPECT_TRUE(c.slow());
  EXPECT_EQ(hub.stats().slow_clients, 1u);
}

TEST(Gateway, TickToOrderMatchesAnOrderToItsBarWhicheverComesFirst) {
  TickToOrder t;
  t.on_bar("AAPL", 1 * kMinute, 1'000'000);
  t.on_bar("AAPL", 2 * kMinute, 2'000'000);  // fair-queued ahead of the order on bar 1
  t.on_order("AAPL", 1 * kMinute, 1'250'000);
  t.on_order("AAPL", 3 * kMinute, 9'000'000);  // no such bar: not a sample
  t.on_order("MSFT", 1 * kMinute, 9'000'000);
  ASSERT_EQ(t.count(), 1u);
  EXPECT_EQ(t.p50_p90_p99_us()[0], 250.0);
  t.on_order("AAPL", 4 * kMinute, 4'500'000);  // before its bar (queued behind trades)
  t.on_bar("AAPL", 4 * kMinute, 4'000'000);
  ASSERT_EQ(t.count(), 2u);
  EXPECT_EQ(t.p50_p90_p99_us()[2], 500.0);
}

TEST(Gateway, HistoryDeletesRowsPastTheRetentionInEventTime) {
  const std::string path = ::testing::TempDir() + "/gateway-retention-test.sqlite";
  const auto remove_db = [&] {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  };
  remove_db();
  constexpr std::int64_t kDay = 86'400'000'000'000;
  {
    History h(path, 1, 1024);                                  // keep one day
    EXPECT_TRUE(h.add(bar("AAPL", 0, 100)));                   // three days before the newest
    EXPECT_TRUE(h.add(bar("AAPL", 2 * kDay + kMinute, 101)));  // within a day of it
    EXPECT_TRUE(h.add(bar("AAPL", 3 * kDay, 102)));
    h.flush();
    EXPECT_EQ(h.stats().deleted, 1u);
  }
  History again(path, 1, 1024);
  const auto bars = again.bars("AAPL", 0, INT64_MIN, INT64_MAX, 10);
  ASSERT_EQ(bars.size(), 2u);
  EXPECT_EQ(bars.front().close, 101);
  remove_db();
}

}  // namespace
}  // namespace ztrade::gateway
