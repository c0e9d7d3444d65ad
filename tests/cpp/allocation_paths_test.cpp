// The steady-state paths allocate nothing per message (counted by the replaced operator new in
// allocation_test.cpp, the same executable): bars and orders decoded from bus frames, checked
// by risk and filled by the simulated broker with their reports and positions - where each new
// order costs exactly one allocation, its record in the order book - and each venue's parser on
// its trade, quote, bar and book messages once its books and buffers are warm.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "allocation_counter.hpp"
#include "brokers/sim/sim_broker.hpp"
#include "bus/codec.hpp"
#include "bus/local_route.hpp"
#include "bus/publisher.hpp"
#include "bus/subscriber.hpp"
#include "execution/order_manager.hpp"
#include "risk/risk_engine.hpp"
#include "test_frames.hpp"
#include "venues/alpaca/parse.hpp"
#include "venues/coinbase/advanced_parse.hpp"
#include "venues/coinbase/exchange_parse.hpp"
#include "venues/kraken/parse.hpp"

namespace ztrade {
namespace {

using test::allocations;

struct NullReports : execution::ReportSink {
  std::uint64_t reports = 0, positions = 0;
  void on_report(const wire::ExecutionReportMsg&, std::int64_t) override { ++reports; }
  void on_position(const wire::PositionMsg&, std::int64_t) override { ++positions; }
};

using test::frame_of;

// Orders arrive as frames, risk checks each against the market at its time, execution accepts
// it and the simulated broker fills it at the next bar: after a warm-up that sizes the order
// book and the histories, a steady stream of bars and orders allocates nothing.
TEST(AllocationPaths, DecodeRiskCheckAndSimulatedFill) {
  constexpr std::int64_t kSec = 1'000'000'000;
  constexpr int kBars = 4000;
  risk::RiskConfig limits;
  limits.max_orders_per_s = 10;  // one order a second of market time here
  limits.max_position = 1e12;
  limits.max_gross_exposure = 1e15;
  limits.max_order_notional = 1e12;
  limits.daily_loss_limit = 1e15;
  risk::RiskEngine risk(limits);
  NullReports reports;
  execution::OrderManager orders(nullptr, reports);
  brokers::sim::SimBroker broker(orders, brokers::sim::Options{}, 256);
  std::vector<std::vector<std::byte>> bars, news;
  for (int i = 0; i < kBars; ++i) {
    wire::BarMsg b{};
    (void)b.symbol.assign("AAPL");
    b.open = b.high = b.low = b.close = 100.0 + (i % 7);
    b.start_ns = i * kSec;
    bars.push_back(frame_of(b, b.start_ns, static_cast<std::uint64_t>(i + 1)));
    wire::NewOrderMsg o{};
    o.client_order_id = static_cast<std::uint64_t>(i + 1);
    (void)o.symbol.assign("AAPL");
    (void)o.strategy.assign("alloc");
    o.side = i % 2 ? wire::Side::kSell : wire::Side::kBuy;
    o.type = wire::OrderType::kMarket;
    o.tif = wire::TimeInForce::kDay;
    o.quantity = 10;
    news.push_back(frame_of(o, b.start_ns, static_cast<std::uint64_t>(i + 1)));
  }
  auto step = [&](int i) {
    wire::Frame f;
    wire::BarMsg bar{};
    ASSERT_EQ(wire::decode(bars[i], f), wire::DecodeError::kOk);
    ASSERT_TRUE(wire::body_as(f, bar));
    risk.on_price(bar.symbol.view(), bar.close, bar.start_ns);
    broker.on_price(bar.symbol.view(), bar.open, bar.start_ns, bar.close);
    wire::NewOrderMsg o{};
    ASSERT_EQ(wire::decode(news[i], f), wire::DecodeError::kOk);
    ASSERT_TRUE(wire::body_as(f, o));
    const risk::OrderIntent intent{o.symbol.view(), o.side, o.type, o.quantity, 0};
    ASSERT_TRUE(risk.check(intent, f.header.event_ns).accepted());
    ASSERT_EQ(orders.submit(o, f.header.event_ns), execution::SubmitResult::kAccepted);
    broker.on_order(o.client_order_id);
    risk.on_fill(o.symbol.view(), o.side == wire::Side::kBuy ? 10.0 : -10.0, bar.close,
                 bar.start_ns);
  };
  for (int i = 0; i < kBars / 2; ++i) step(i);  // warm-up: buffers reach their sizes
  const long before = allocations();
  for (int i = kBars / 2; i < kBars; ++i) step(i);
  // One allocation per new order: its record in the session's order book (kept for duplicate
  // detection and recovery). Nothing per bar, risk check, fill, report or position.
  EXPECT_EQ(allocations() - before, kBars / 2) << "allocations on the order path";
  EXPECT_GT(reports.reports, static_cast<std::uint64_t>(kBars));  // accepted + filled
}

struct CountingSink : venues::MarketSink {
  std::uint64_t events = 0;
  void on_trade(const wire::TradeMsg&) noexcept override { ++events; }
  void on_quote(const wire::QuoteMsg&) noexcept override { ++events; }
  void on_bar(const wire::BarMsg&) noexcept override { ++events; }
};

// Allocations while `parser` takes frames made by make(i) for i in [n, 2n), after the same for
// [0, n) warmed its buffers and books up. Frames are built before counting; ids grow, as a live
// feed's do, so trades take the path of new trades, not of duplicates.
template <class Parser, class Make>
long steady_state_allocations(Parser& parser, Make make, int n = 300) {
  std::vector<simdjson::padded_string> frames;
  for (int i = 0; i < 2 * n; ++i) {
    for (const std::string& text : make(i)) frames.emplace_back(text);
  }
  const std::size_t half = frames.size() / 2;
  for (std::size_t i = 0; i < half; ++i) (void)parser.parse(frames[i], 1);
  const long before = allocations();
  for (std::size_t i = half; i < frames.size(); ++i) (void)parser.parse(frames[i], 2);
  return allocations() - before;
}

std::string with(std::string text, std::string_view from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from)) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// The inline deployment's direct dispatch: a bar delivered to a component, which answers with
// an order handled by another, and both written to the sockets for observers, allocates
// nothing once the topics are known.
TEST(AllocationPaths, InlineDispatchThroughTheLocalRoute) {
  zmq::context_t ctx;
  bus::LocalRoute route;
  auto pub = [&](const char* endpoint) {
    bus::PublisherConfig c;
    c.endpoint = endpoint;
    c.local = &route;
    return c;
  };
  auto sub = [&](const char* endpoint) {
    bus::SubscriberConfig c;
    c.endpoints = {endpoint};
    c.local = &route;
    return c;
  };
  bus::Publisher market(ctx, pub("inproc://alloc-md"), 1), risk(ctx, pub("inproc://alloc-risk"), 2);
  bus::Subscriber risk_in(ctx, sub("inproc://alloc-md")), exec_in(ctx, sub("inproc://alloc-risk"));
  std::uint64_t orders = 0;
  route.set_pump([&] {
    bus::Message m;
    while (route.pending()) {
      while (risk_in.receive(m, std::chrono::milliseconds(0))) {
        wire::NewOrderMsg o{};
        o.client_order_id = m.frame.header.seq;
        risk.publish("ord.new.AAPL", o, m.frame.header.event_ns);
      }
      while (exec_in.receive(m, std::chrono::milliseconds(0))) ++orders;
    }
  });
  wire::BarMsg b{};
  (void)b.symbol.assign("AAPL");
  market.publish("md.bar.AAPL", b, 0);  // warm-up: each topic's sequence entry
  const long before = allocations();
  for (int i = 1; i <= 2000; ++i) market.publish("md.bar.AAPL", b, i);
  EXPECT_EQ(allocations() - before, 0);
  EXPECT_EQ(orders, 2001u);
}

TEST(AllocationPaths, KrakenTradesTickersAndBooks) {
  venues::SymbolMap symbols;
  symbols.add("BTC/USD", "BTCUSD");
  CountingSink sink;
  venues::kraken::Parser parser(symbols, sink, 10);
  parser.set_precision("BTC/USD", 1, 8);
  const std::string trade =
      R"({"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":29431.1,"qty":0.1,"ord_type":"market","trade_id":ID,"timestamp":"2023-09-25T07:49:37.708706Z"}]})";
  const std::string ticker =
      R"({"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","bid":PX,"bid_qty":1.5,"ask":29500.2,"ask_qty":0.5,"last":29431.1,"volume":10.0,"vwap":29400.0,"low":29000.0,"high":29500.0,"change":10.0,"change_pct":0.03}]})";
  // A book snapshot (its checksum 0 is wrong, so it resyncs: that path allocates nothing
  // either).
  const std::string book =
      R"({"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[{"price":29431.0,"qty":1.5},{"price":29430.0,"qty":2.0}],"asks":[{"price":29432.0,"qty":0.5}],"checksum":0}]})";
  const long n = steady_state_allocations(parser, [&](int i) {
    return std::vector<std::string>{with(trade, "ID", std::to_string(i + 1)),
                                    with(ticker, "PX", std::to_string(29000 + i % 300)), book};
  });
  EXPECT_EQ(n, 0);
  EXPECT_GT(sink.events, 600u);
}

TEST(AllocationPaths, AlpacaTradesQuotesAndBars) {
  venues::SymbolMap symbols;
  symbols.add("AAPL", "AAPL");
  CountingSink sink;
  venues::alpaca::Parser parser(symbols, sink);
  const std::string frame =
      R"([{"T":"t","i":ID,"S":"AAPL","x":"D","p":126.55,"s":1,"t":"2021-02-22T15:51:44.208Z","c":["@","I"],"z":"C"},{"T":"q","S":"AAPL","bx":"U","bp":126.5,"bs":1,"ax":"X","ap":126.6,"as":1,"t":"2021-02-22T15:51:45.3355677Z","c":["R"],"z":"C"},{"T":"b","S":"AAPL","o":126.5,"h":126.7,"l":126.4,"c":126.6,"v":100,"t":"2021-02-22T15:51:00Z","n":5,"vw":126.55}])";
  EXPECT_EQ(steady_state_allocations(parser,
                                     [&](int i) {
                                       return std::vector<std::string>{
                                           with(frame, "ID", std::to_string(i + 1))};
                                     }),
            0);
  EXPECT_GT(sink.events, 600u);
}

TEST(AllocationPaths, CoinbaseExchangeAndAdvancedTrade) {
  venues::SymbolMap symbols;
  symbols.add("BTC-USD", "BTCUSD");
  CountingSink sink;
  venues::coinbase::ExchangeParser exchange(symbols, sink);
  const std::string match =
      R"({"type":"match","trade_id":ID,"maker_order_id":"2a0da34e-61f7-4c36-88e5-c9dd15927b16","taker_order_id":"3c82abaa-c01e-4608-be59-6a1e69742891","side":"sell","size":"0.5","price":"68900.5","product_id":"BTC-USD","sequence":ID,"time":"2021-04-17T16:43:37.089723Z"})";
  const std::string ticker =
      R"({"type":"ticker","sequence":ID,"product_id":"BTC-USD","price":"68900.5","open_24h":"1","volume_24h":"1","low_24h":"1","high_24h":"1","volume_30d":"1","best_bid":"68900.5","best_bid_size":"1","best_ask":"68902.0","best_ask_size":"2","side":"buy","time":"2023-09-25T07:49:37.708706Z","trade_id":1,"last_size":"0.1"})";
  EXPECT_EQ(steady_state_allocations(
                exchange,
                [&](int i) {
                  const std::string id = std::to_string(i + 1);
                  return std::vector<std::string>{with(match, "ID", id), with(ticker, "ID", id)};
                }),
            0);
  venues::coinbase::AdvancedTradeParser advanced(symbols, sink);
  const std::string trades =
      R"({"channel":"market_trades","client_id":"","timestamp":"2024-10-04T07:13:31.158696693Z","sequence_num":ID,"events":[{"type":"update","trades":[{"product_id":"BTC-USD","trade_id":"ID","price":"68900.5","size":"0.5","time":"2024-10-04T07:13:31.088388Z","side":"BUY"}]}]})";
  EXPECT_EQ(steady_state_allocations(advanced,
                                     [&](int i) {
                                       return std::vector<std::string>{
                                           with(trades, "ID", std::to_string(i + 1))};
                                     }),
            0);
  EXPECT_GT(sink.events, 1000u);
}

}  // namespace
}  // namespace ztrade
