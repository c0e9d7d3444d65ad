// Venue adapters' hot path on one core: parse a venue's trade frame (simdjson On-Demand),
// normalise it into a TradeMsg and publish it on the bus - what market-data does per message.
// A subscriber thread on the other core drains the bus (as signal-bridge would), so the
// figure is the producing core's cost. Messages are the reference payloads' shape with the
// trade id and price varied per message, 250-400 bytes as on the wire.
//
//   build/release/bench/ztrade_bench_venue_parse --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "bus/publisher.hpp"
#include "bus/subscriber.hpp"
#include "bus/topic.hpp"
#include "venues/alpaca/parse.hpp"
#include "venues/coinbase/advanced_parse.hpp"
#include "venues/coinbase/exchange_parse.hpp"
#include "venues/kraken/parse.hpp"

namespace {

using namespace ztrade;

// Publishes what the parser produced, as the market-data component does.
struct PublishingSink : venues::MarketSink {
  explicit PublishingSink(bus::Publisher& p) : pub(p) {}
  bus::Publisher& pub;
  void on_trade(const wire::TradeMsg& t) noexcept override {
    pub.publish(bus::Topic{"md.trade.", t.symbol.view()}, t, t.exchange_ns);
  }
  void on_quote(const wire::QuoteMsg& q) noexcept override {
    pub.publish(bus::Topic{"md.quote.", q.symbol.view()}, q, q.exchange_ns);
  }
  void on_bar(const wire::BarMsg& b) noexcept override {
    pub.publish(bus::Topic{"md.bar.", b.symbol.view()}, b, b.start_ns);
  }
};

// The bus a benchmark publishes on, with a subscriber draining it on another thread.
struct Bus {
  zmq::context_t ctx;
  bus::Publisher pub;
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> received{0};
  std::thread drain;
  Bus() : pub(ctx, bus::PublisherConfig{"inproc://bench-md", "", 1'000'000, {}}, 1) {
    bus::SubscriberConfig sc;
    sc.endpoints = {"inproc://bench-md"};
    sc.receive_hwm = 1'000'000;
    drain = std::thread([this, sc] {
      bus::Subscriber sub(ctx, sc);
      bus::Message m;
      while (!stop) {
        if (sub.receive(m, std::chrono::milliseconds(10))) ++received;
      }
    });
  }
  ~Bus() {
    stop = true;
    drain.join();
  }
};

// 4096 distinct frames from a template: every {ID} becomes a rising number (trade id, and for
// Advanced Trade also the envelope sequence), {PX} a varying price.
std::vector<simdjson::padded_string> frames(const std::string& tmpl) {
  std::vector<simdjson::padded_string> out;
  for (int i = 0; i < 4096; ++i) {
    std::string s = tmpl;
    for (auto at = s.find("{ID}"); at != std::string::npos; at = s.find("{ID}")) {
      s.replace(at, 4, std::to_string(1'000'000 + i));
    }
    s.replace(s.find("{PX}"), 4, std::to_string(20000 + i % 1000) + "." + std::to_string(i % 97));
    out.emplace_back(s);
  }
  return out;
}

// Each lap over the frames uses a fresh parser: trade ids and sequence numbers must rise, or
// the parsers would (rightly) drop the repeats as duplicates and skip the publish.
template <class Parser>
void run(benchmark::State& state, const std::vector<simdjson::padded_string>& input) {
  venues::SymbolMap map;
  map.add("BTC/USD", "BENCH");
  map.add("BTC-USD", "BENCH");
  map.add("AAPL", "BENCH");
  Bus b;
  PublishingSink sink(b.pub);
  std::optional<Parser> parser;
  std::size_t i = 0, bytes = 0, errors = 0, events = 0;
  for (auto _ : state) {
    const std::size_t k = i++ % input.size();
    if (k == 0) {
      if (parser) errors += parser->counters().parse_errors, events += parser->counters().events;
      parser.emplace(map, sink);
    }
    bytes += input[k].size();
    benchmark::DoNotOptimize(parser->parse(input[k], 1));
  }
  errors += parser->counters().parse_errors;
  events += parser->counters().events;
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["bytes_per_msg"] = static_cast<double>(input[0].size());
  if (errors != 0 || events != static_cast<std::size_t>(state.iterations())) {
    state.SkipWithError("not every frame published");
  }
}

void BM_Kraken_trade(benchmark::State& state) {
  run<venues::kraken::Parser>(
      state,
      frames(
          R"({"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"sell","price":{PX},"qty":0.04019800,"ord_type":"market","trade_id":{ID},"timestamp":"2023-09-25T07:49:37.708706Z"}]})"));
}
void BM_CoinbaseExchange_match(benchmark::State& state) {
  run<venues::coinbase::ExchangeParser>(
      state,
      frames(
          R"({"type":"match","trade_id":{ID},"maker_order_id":"2a0da34e-61f7-4c36-88e5-c9dd15927b16","taker_order_id":"3c82abaa-c01e-4608-be59-6a1e69742891","side":"sell","size":"0.00985","price":"{PX}","product_id":"BTC-USD","sequence":177100030,"time":"2021-04-17T16:43:37.089723Z"})"));
}
void BM_CoinbaseAdvanced_market_trades(benchmark::State& state) {
  // {ID} also numbers the envelope: sequence_num rises by one per message.
  auto input = frames(
      R"({"channel":"market_trades","client_id":"","timestamp":"2024-10-04T07:13:31.158696693Z","sequence_num":{ID},"events":[{"type":"update","trades":[{"product_id":"BTC-USD","trade_id":"{ID}","price":"{PX}","size":"0.5","time":"2024-10-04T07:13:31.088388Z","side":"BUY"}]}]})");
  run<venues::coinbase::AdvancedTradeParser>(state, input);
}
void BM_Alpaca_trade(benchmark::State& state) {
  run<venues::alpaca::Parser>(
      state,
      frames(
          R"([{"T":"t","i":{ID},"S":"AAPL","x":"V","p":{PX},"s":100,"t":"2021-02-22T15:51:44.208312Z","c":["@","I"],"z":"C"}])"));
}

BENCHMARK(BM_Kraken_trade);
BENCHMARK(BM_CoinbaseExchange_match);
BENCHMARK(BM_CoinbaseAdvanced_market_trades);
BENCHMARK(BM_Alpaca_trade);

}  // namespace

BENCHMARK_MAIN();
