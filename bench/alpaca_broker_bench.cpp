// The Alpaca broker's engine-side costs (a measurement, not a test), against a local Alpaca
// trading server on loopback (bench/alpaca_broker_bench.py starts the protocol-true test
// server and runs this):
//
//   order: a NewOrder arriving at execution (journaled, accepted, handed to the broker) until
//          the POST's last byte is written on the TLS socket - one order at a time, so each
//          is the engine's own path, not a queue behind other requests;
//   fill:  a trade_updates frame received until its execution report is published on the bus
//          (journaled first);
//   throughput: trade_updates events (new, partial_fill, fill) parsed and applied per second on
//          one core, without the network (frames made up front).
//
// Run: ztrade_bench_alpaca_broker TRADING_URL STREAM_URL CA_FILE [ORDERS] [EVENTS]
// (the key pair from APCA_API_KEY_ID / APCA_API_SECRET_KEY).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "allocation_counter.hpp"
#include "brokers/alpaca_paper/alpaca_broker.hpp"
#include "bus/publisher.hpp"
#include "bus/topic.hpp"
#include "core/secret.hpp"
#include "execution/order_manager.hpp"

namespace {

using namespace ztrade;
using brokers::alpaca_paper::AlpacaBroker;
using brokers::alpaca_paper::Options;

struct Percentiles {
  double p50, p99, max;
};

Percentiles percentiles(std::vector<double> ns) {
  std::sort(ns.begin(), ns.end());
  auto at = [&](double q) {
    return ns[static_cast<std::size_t>(q * static_cast<double>(ns.size() - 1))];
  };
  return {at(0.50), at(0.99), ns.back()};
}

// Execution's sink as the component has it: every report and position published on the bus.
// Fill reports caused by a stream frame are timed from the frame's receipt.
struct PublishingSink : execution::ReportSink {
  explicit PublishingSink(bus::Publisher& p) : pub(p) {}
  bus::Publisher& pub;
  const AlpacaBroker* broker = nullptr;
  bool in_frame = false;  // set by the bench while the stream's frames are handled
  std::vector<double> fill_ns;
  void on_report(const wire::ExecutionReportMsg& r, std::int64_t event_ns) override {
    pub.publish(bus::Topic{bus::topics::kExecutionReport, r.symbol.view()}, r, event_ns);
    if (r.exec_type == wire::ExecType::kFill && broker) {
      fill_ns.push_back(
          static_cast<double>(bus::wall_clock_ns() - broker->stream_stats().last_frame_ns));
    }
  }
  void on_position(const wire::PositionMsg& p, std::int64_t event_ns) override {
    pub.publish(bus::Topic{bus::topics::kPosition, p.symbol.view()}, p, event_ns);
  }
};

wire::NewOrderMsg order(std::uint64_t id) {
  wire::NewOrderMsg m{};
  m.client_order_id = id;
  (void)m.symbol.assign("BENCH");
  (void)m.strategy.assign("bench");
  m.side = id % 2 ? wire::Side::kBuy : wire::Side::kSell;
  m.type = wire::OrderType::kMarket;
  m.tif = wire::TimeInForce::kDay;
  m.quantity = 1;
  return m;
}

int network(const std::string& trading, const std::string& stream, const std::string& ca,
            std::size_t orders, const std::shared_ptr<spdlog::logger>& log) {
  zmq::context_t ctx;
  bus::Publisher pub(ctx, bus::PublisherConfig{"inproc://bench-execution", "", 100000, {}}, 4);
  PublishingSink sink(pub);
  const auto journal_path =
      (std::filesystem::temp_directory_path() / fmt::format("ztrade-bench-{}.journal", getpid()))
          .string();
  std::filesystem::remove(journal_path);
  execution::OrderManager om(
      std::make_unique<execution::Journal>(journal_path, execution::JournalSync::kOff), sink);
  Options o;
  o.trading_url = trading;
  o.stream_url = stream;
  o.ca_file = ca;
  o.check_market_clock = false;
  o.max_requests_per_min = 1'000'000;  // the bench measures the engine, not Alpaca's limit
  AlpacaBroker broker(
      om, o,
      {core::secret_from_env("APCA_API_KEY_ID"), core::secret_from_env("APCA_API_SECRET_KEY")},
      log);
  sink.broker = &broker;
  broker.start();
  auto& io = *broker.io();
  while (!broker.ready() && io.run_one()) {
  }
  std::vector<double> send_ns, submit_ns, handed_ns;
  send_ns.reserve(orders);
  submit_ns.reserve(orders);
  handed_ns.reserve(orders);
  sink.fill_ns.reserve(orders);
  long send_allocations = 0;
  const std::uint64_t base = static_cast<std::uint64_t>(bus::wall_clock_ns() / 1000);
  for (std::size_t i = 0; i < orders; ++i) {
    const std::uint64_t id = base + i;
    const auto before = broker.rest_stats().last_write_ns;
    const long allocations_before = test::allocations();
    const std::int64_t t0 = bus::wall_clock_ns();
    (void)om.submit(order(id), t0);
    submit_ns.push_back(static_cast<double>(bus::wall_clock_ns() - t0));
    broker.on_order(id);
    handed_ns.push_back(static_cast<double>(bus::wall_clock_ns() - t0));
    while (broker.rest_stats().last_write_ns == before && io.run_one()) {
    }
    send_ns.push_back(static_cast<double>(broker.rest_stats().last_write_ns - t0));
    send_allocations += test::allocations() - allocations_before;
    while (om.find(id)->status != execution::OrderStatus::kFilled && io.run_one()) {
    }
  }
  broker.stop();
  std::filesystem::remove(journal_path);
  const auto s = percentiles(send_ns);
  const auto j = percentiles(submit_ns);
  const auto h = percentiles(handed_ns);
  std::printf(
      "  of which: journaled and accepted p50 %.1f us p99 %.1f us; handed to the broker "
      "(request queued) p50 %.1f us p99 %.1f us\n",
      j.p50 / 1e3, j.p99 / 1e3, h.p50 / 1e3, h.p99 / 1e3);
  const auto f = percentiles(sink.fill_ns);
  std::printf(
      "order: NewOrder at execution -> POST written  n=%zu  p50 %.1f us  p99 %.1f us  "
      "max %.1f us\n",
      send_ns.size(), s.p50 / 1e3, s.p99 / 1e3, s.max / 1e3);
  std::printf("  heap allocations per order on that path: %.2f\n",
              static_cast<double>(send_allocations) / static_cast<double>(orders));
  std::printf(
      "fill:  trade_updates frame -> report published n=%zu  p50 %.1f us  p99 %.1f us  "
      "max %.1f us  (fills learnt from REST instead: %llu)\n",
      sink.fill_ns.size(), f.p50 / 1e3, f.p99 / 1e3, f.max / 1e3,
      static_cast<unsigned long long>(broker.counters().fills_from_resync));
  return 0;
}

int throughput(std::size_t orders, const std::shared_ptr<spdlog::logger>& log) {
  zmq::context_t ctx;
  bus::Publisher pub(ctx, bus::PublisherConfig{"inproc://bench-throughput", "", 1000, {}}, 4);
  PublishingSink sink(pub);
  execution::OrderManager om(nullptr, sink);
  Options o;
  o.trading_url = "https://127.0.0.1:9";  // never contacted
  o.stream_url = "wss://127.0.0.1:9/stream";
  AlpacaBroker broker(om, o, {"key", "secret"}, log);
  venues::websocket::Client unused(*broker.io(), {}, broker, log);
  // Three events per order, as Alpaca sends them: new, partial_fill, fill.
  std::vector<simdjson::padded_string> frames;
  for (std::uint64_t id = 1; id <= orders; ++id) {
    (void)om.submit(order(id), 0);
    for (const auto& [event, status, cum, qty] :
         {std::tuple{"new", "new", "0", ""},
          std::tuple{"partial_fill", "partially_filled", "0.5", "0.5"},
          std::tuple{"fill", "filled", "1", "0.5"}}) {
      std::string f = fmt::format(
          R"({{"stream":"trade_updates","data":{{"event":"{}","execution_id":"7c1d0a54-3f0e-4f7e-9a55-0d6d2c1b8e11","timestamp":"2024-03-05T15:31:02.118804Z",{}"order":{{"id":"904837e3-3b76-47ec-b432-{:012d}","client_order_id":"ztrade-{}","created_at":"2024-03-05T10:31:01.902113-05:00","updated_at":"2024-03-05T10:31:02.121544-05:00","submitted_at":"2024-03-05T10:31:01.899210-05:00","filled_at":null,"expired_at":null,"cancel_requested_at":null,"canceled_at":null,"failed_at":null,"replaced_at":null,"replaced_by":null,"replaces":null,"asset_id":"b0b6dd9d-8b9b-48a9-ba46-b9d54906e415","symbol":"BENCH","asset_class":"us_equity","notional":null,"qty":"1","filled_qty":"{}","filled_avg_price":"172.51","order_class":"","order_type":"market","type":"market","side":"{}","time_in_force":"day","limit_price":null,"stop_price":null,"status":"{}","extended_hours":false,"legs":null,"trail_percent":null,"trail_price":null,"hwm":null}}}}}})",
          event,
          *qty ? fmt::format(R"("price":"172.51","qty":"{}","position_qty":"0",)", qty)
               : std::string(),
          id, id, cum, id % 2 ? "buy" : "sell", status);
      frames.emplace_back(f);
    }
  }
  const auto t0 = std::chrono::steady_clock::now();
  for (const auto& f : frames)
    static_cast<venues::websocket::Handler&>(broker).on_frame(unused, f, 0);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto& c = om.counters();
  std::printf(
      "throughput: %zu trade_updates events in %.3f s = %.0f events/s on one core "
      "(fills %llu, partial fills %llu)\n",
      frames.size(), s, static_cast<double>(frames.size()) / s,
      static_cast<unsigned long long>(c.fills), static_cast<unsigned long long>(c.partial_fills));
  return c.fills == orders ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  auto log =
      std::make_shared<spdlog::logger>("bench", std::make_shared<spdlog::sinks::null_sink_mt>());
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s TRADING_URL STREAM_URL CA_FILE [ORDERS] [EVENT_ORDERS]\n",
                 argv[0]);
    return 2;
  }
  const std::size_t orders = argc > 4 ? static_cast<std::size_t>(std::atoll(argv[4])) : 1000;
  const std::size_t event_orders =
      argc > 5 ? static_cast<std::size_t>(std::atoll(argv[5])) : 100000;
  if (const int rc = network(argv[1], argv[2], argv[3], orders, log)) return rc;
  return throughput(event_orders, log);
}
