#include "market_data/market_data_component.hpp"

#include <array>
#include <chrono>

#include <thread>
#include "bus/socket_options.hpp"

#include "market_data/bar_aggregator.hpp"
#include "market_data/replay_source.hpp"
#include "market_data/synthetic_source.hpp"

namespace ztrade::market_data {

using namespace std::chrono_literals;

namespace {
std::string topic(const char* prefix, std::string_view symbol) {
  return std::string(prefix) + std::string(symbol);
}
}  // namespace

MarketDataComponent::MarketDataComponent(zmq::context_t& context, const ops::EngineConfig& config,
                                         const ops::Endpoints& endpoints)
    : config_(config),
      log_(ops::make_logger("market-data", config.engine.log_level)),
      pub_(context,
           ops::publisher_config(config, endpoints.market_data, endpoints.external.market_data),
           config.market_data.publisher_id),
      heartbeats_(context,
                  ops::subscriber_config(
                      config, {endpoints.signals, endpoints.risk, endpoints.execution}, {"hb."})),
      control_(context, zmq::socket_type::rep),
      ops_(config.market_data.ops_port) {
  control_.set(zmq::sockopt::linger, 0);
  bus::apply_curve(control_, ops::curve_keys(config), true);
  control_.bind(endpoints.market_data_control);
  if (!endpoints.external.market_data_control.empty()) {
    control_.bind(endpoints.external.market_data_control);
  }
}

void MarketDataComponent::maybe_publish_metrics() {
  if (!ops_.due()) return;
  losses_.check(*log_, heartbeats_);
  std::string m;
  const std::string c = "component=\"market-data\"";
  ops::render_bus(m, "market-data", pub_, heartbeats_);
  ops::metric(m, "ztrade_bars_published_total", c, static_cast<double>(stats_.bars.load()));
  ops::metric(m, "ztrade_trades_published_total", c, static_cast<double>(stats_.trades.load()));
  ops::metric(m, "ztrade_component_state", c, phase_);
  ops_.snapshot().publish(
      std::move(m),
      fmt::format(R"({{"component":"market-data","phase":"{}","venue":"{}",)"
                  R"("bars":{},"trades":{}}})",
                  phase_ == 0   ? "waiting"
                  : phase_ == 1 ? "streaming"
                                : "done",
                  config_.market_data.venue, stats_.bars.load(), stats_.trades.load()),
      true);
}

bool MarketDataComponent::wait_for_downstream(const std::atomic<bool>& stop) {
  ops::Upstreams downstream({"signal-bridge", "risk", "execution"});
  bool gate_open = !config_.market_data.start_gate;
  bus::Message m;
  auto last_log = std::chrono::steady_clock::now();
  while (!stop) {
    heartbeat_.maybe_send(pub_, ops::ComponentState::kReady, 100ms);
    maybe_publish_metrics();
    while (heartbeats_.receive(m, 0ms)) {
      wire::HeartbeatMsg hb{};
      if (wire::body_as(m.frame, hb)) downstream.heard(hb);
    }
    std::array<char, 16> req{};
    if (auto got =
            control_.recv(zmq::mutable_buffer(req.data(), req.size()), zmq::recv_flags::dontwait)) {
      const std::string_view verb(req.data(), std::min(got->size, req.size()));
      const bool go = verb == "GO";
      gate_open = gate_open || go;
      const std::string_view reply = go ? "OK" : "ERROR expected GO";
      control_.send(zmq::buffer(reply.data(), reply.size()), zmq::send_flags::none);
    }
    if (downstream.all_ready() && gate_open) return true;
    if (std::chrono::steady_clock::now() - last_log > 5s) {
      log_->info("waiting for {}", downstream.all_ready()
                                       ? "GO on the control socket"
                                       : "signal-bridge, risk and execution to report ready");
      last_log = std::chrono::steady_clock::now();
    }
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

int MarketDataComponent::stream(const std::atomic<bool>& stop) {
  const auto& md = config_.market_data;
  const auto interval_ns = static_cast<std::int64_t>(md.bar_interval_s * 1e9);
  BarAggregator aggregator(interval_ns);
  auto publish_bar = [&](const wire::BarMsg& bar) {
    pub_.publish(topic("md.bar.", bar.symbol.view()), bar, bar.start_ns);
    ++stats_.bars;
  };
  auto publish_event = [&](const MarketEvent& e) {
    if (e.kind == MarketEvent::Kind::kBar) {
      publish_bar(e.bar);
      return;
    }
    wire::TradeMsg t = e.trade;
    t.receive_ns = bus::wall_clock_ns();
    pub_.publish(topic("md.trade.", t.symbol.view()), t, t.exchange_ns);
    ++stats_.trades;
    wire::BarMsg closed{};
    if (aggregator.on_trade(t.symbol.view(), t.price, t.size, t.exchange_ns, closed)) {
      publish_bar(closed);
    }
  };

  if (md.venue == "replay") {
    std::unique_ptr<ReplaySource> source;
    try {
      source = std::make_unique<ReplaySource>(md.replay.file,
                                              md.replay.format == "trades"
                                                  ? ReplaySource::Format::kTrades
                                                  : ReplaySource::Format::kBars,
                                              md.replay.symbol, interval_ns);
    } catch (const std::exception& e) {
      log_->error("replay: {}", e.what());
      return 1;
    }
    log_->info("replaying {} events from {} at {}", source->size(), md.replay.file,
               md.replay.speed == 0 ? std::string("full speed")
                                    : fmt::format("{}x recorded pace", md.replay.speed));
    MarketEvent e;
    std::int64_t first_ts = 0;
    const auto wall_start = std::chrono::steady_clock::now();
    while (!stop && source->next(e)) {
      if (md.replay.speed > 0) {
        if (source->position() == 1) first_ts = e.ts_ns;
        const auto due =
            wall_start + std::chrono::nanoseconds(static_cast<std::int64_t>(
                             static_cast<double>(e.ts_ns - first_ts) / md.replay.speed));
        std::this_thread::sleep_until(due);
      }
      publish_event(e);
      heartbeat_.maybe_send(pub_, ops::ComponentState::kReady, 1000ms);
      maybe_publish_metrics();
    }
  } else {
    SyntheticSource source(md.synthetic.symbols, md.synthetic.seed, md.synthetic.start_price,
                           md.synthetic.volatility);
    const auto period =
        std::chrono::nanoseconds(static_cast<std::int64_t>(1e9 / md.synthetic.rate_per_s));
    const auto start = std::chrono::steady_clock::now();
    const auto end =
        start + std::chrono::nanoseconds(static_cast<std::int64_t>(md.synthetic.duration_s * 1e9));
    log_->info("synthetic feed: {} symbols at {}/s for {} s", md.synthetic.symbols.size(),
               md.synthetic.rate_per_s, md.synthetic.duration_s);
    MarketEvent e;
    for (std::uint64_t i = 0; !stop; ++i) {
      const auto due = start + period * static_cast<std::int64_t>(i);
      if (md.synthetic.duration_s > 0 && due >= end) break;
      std::this_thread::sleep_until(due);
      source.next(bus::wall_clock_ns(), e);
      publish_event(e);
      heartbeat_.maybe_send(pub_, ops::ComponentState::kReady, 1000ms);
      maybe_publish_metrics();
    }
  }
  aggregator.flush(publish_bar);
  log_->info("source finished: bars={} trades={} late_trades={}", stats_.bars.load(),
             stats_.trades.load(), aggregator.late_trades());
  return 0;
}

int MarketDataComponent::run(const std::atomic<bool>& stop) {
  log_->info("publishing on {}", config_.market_data.venue);
  if (!wait_for_downstream(stop)) return 0;
  log_->info("downstream ready; streaming");
  phase_ = 1;
  const int rc = stream(stop);
  phase_ = 2;
  while (!stop) {
    heartbeat_.maybe_send(pub_, ops::ComponentState::kDone, 100ms);
    maybe_publish_metrics();
    std::this_thread::sleep_for(20ms);
  }
  return rc;
}

}  // namespace ztrade::market_data
