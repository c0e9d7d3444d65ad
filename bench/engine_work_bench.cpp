// The engine's own work per message, in process and without sockets (a measurement, not a
// test): decode a bar frame, update the symbol's FeatureComputer, run the macd_rsi strategy,
// let the simulated broker fill at this bar what was ordered before it (order state, position,
// execution reports), and - when the strategy signals - size and risk-check the order, encode
// it, and hand it to execution's order manager. Each message is timed on its own, so the
// output is a latency distribution (p50/p99/p99.9/max), from which the clock's own cost
// (measured the same way around nothing) is subtracted.
// Run: build/release/bench/ztrade_bench_engine_work [messages]
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "brokers/sim/sim_broker.hpp"
#include "bus/codec.hpp"
#include "execution/order_manager.hpp"
#include "features/feature_computer.hpp"
#include "risk/risk_engine.hpp"
#include "series.hpp"
#include "signals/macd_rsi_strategy.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// Execution's reports and positions would be published; here they are only counted.
struct CountingReports : ztrade::execution::ReportSink {
  std::size_t reports = 0;
  void on_report(const ztrade::wire::ExecutionReportMsg&, std::int64_t) override { ++reports; }
  void on_position(const ztrade::wire::PositionMsg&, std::int64_t) override {}
};

struct Percentiles {
  double p50, p99, p999, max;
};

Percentiles percentiles(std::vector<double>& ns) {
  std::sort(ns.begin(), ns.end());
  auto at = [&](double q) {
    return ns[static_cast<std::size_t>(q * static_cast<double>(ns.size() - 1))];
  };
  return {at(0.50), at(0.99), at(0.999), ns.back()};
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ztrade;
  const std::size_t n = argc > 1 ? static_cast<std::size_t>(std::atoll(argv[1])) : 1'000'000;
  const auto bars = test::random_walk(n, 7, 100.0, 0.002);

  // Pre-encode the incoming frames, as they would arrive from the bus.
  std::vector<std::array<std::byte, wire::frame_size<wire::BarMsg>()>> frames(n);
  for (std::size_t i = 0; i < n; ++i) {
    wire::BarMsg b{};
    (void)b.symbol.assign("BENCH");
    b.open = bars[i].open;
    b.high = bars[i].high;
    b.low = bars[i].low;
    b.close = bars[i].close;
    b.volume = bars[i].volume;
    b.start_ns = bars[i].ts_ns;
    wire::Header h;
    h.seq = i + 1;
    h.event_ns = b.start_ns;
    if (wire::encode(h, b, frames[i]) == 0) return 1;
  }

  FeatureComputer fc;
  signals::MacdRsiStrategy strategy({50, 50});
  risk::RiskConfig limits;
  limits.max_orders_per_s = 1'000'000;
  risk::RiskEngine risk(limits);
  CountingReports reports;
  execution::OrderManager om(nullptr, reports);
  brokers::sim::SimBroker broker(om, brokers::sim::Options{});
  std::array<std::byte, wire::kMaxFrameSize> out{};
  std::vector<double> all, with_order;
  all.reserve(n);
  std::size_t orders = 0;
  std::size_t sink = 0;  // returned below, so the encodes are not optimised away

  // The timer's own cost, measured around nothing.
  std::vector<double> empty(200'000);
  for (auto& e : empty) {
    const auto t0 = Clock::now();
    const auto t1 = Clock::now();
    e = static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
  }
  const double timer = percentiles(empty).p50;

  for (std::size_t i = 0; i < n; ++i) {
    const auto t0 = Clock::now();
    wire::Frame f;
    wire::BarMsg bar{};
    bool ordered = false;
    if (wire::decode(frames[i], f) == wire::DecodeError::kOk && wire::body_as(f, bar)) {
      broker.on_price(bar.symbol.view(), bar.open, bar.start_ns, bar.close);
      FeatureRow row{};
      const Bar b{bar.open, bar.high, bar.low, bar.close, bar.volume, bar.start_ns};
      if (fc.try_update(b, std::span<double, kFeatureCount>(row))) {
        risk.on_price("BENCH", bar.close, bar.start_ns);
        if (auto d = strategy.on_features("BENCH", row, fc.ready())) {
          if (auto intent = risk.size_signal("BENCH", d->strength, bar.start_ns)) {
            if (risk.check(*intent, bar.start_ns).accepted()) {
              wire::NewOrderMsg o{};
              o.client_order_id = ++orders;
              o.symbol = bar.symbol;
              o.side = intent->side;
              o.type = intent->type;
              o.tif = wire::TimeInForce::kDay;
              o.quantity = intent->quantity;
              wire::Header h;
              h.seq = orders;
              sink += wire::encode(h, o, out);
              if (om.submit(o, bar.start_ns) == execution::SubmitResult::kAccepted) {
                broker.on_order(o.client_order_id);
              }
              risk.on_fill("BENCH",
                           intent->side == wire::Side::kBuy ? intent->quantity : -intent->quantity,
                           bar.close, bar.start_ns);
              ordered = true;
            }
          }
        }
      }
    }
    const auto t1 = Clock::now();
    const double ns =
        static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count()) -
        timer;
    all.push_back(ns);
    if (ordered) with_order.push_back(ns);
  }
  const Percentiles a = percentiles(all);
  std::printf("engine work per message, %zu bars, clock cost %.0f ns subtracted\n", n, timer);
  std::printf("%-44s %8s %8s %8s %8s %10s\n", "path", "p50 ns", "p99 ns", "p99.9 ns", "max ns",
              "messages");
  std::printf("%-44s %8.0f %8.0f %8.0f %8.0f %10zu\n", "every bar (decode+features+strategy+fills)",
              a.p50, a.p99, a.p999, a.max, all.size());
  if (!with_order.empty()) {
    const Percentiles o = percentiles(with_order);
    std::printf("%-44s %8.0f %8.0f %8.0f %8.0f %10zu\n", "bars that became an order (+risk+submit)",
                o.p50, o.p99, o.p999, o.max, with_order.size());
  }
  std::printf("execution reports: %zu (accepted and filled orders)\n", reports.reports);
  return sink == 0 || reports.reports == 0 ? 1 : 0;
}
