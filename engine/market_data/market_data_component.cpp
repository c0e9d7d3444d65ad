#include "market_data/market_data_component.hpp"

#include <array>
#include <chrono>
#include <thread>

#include "bus/socket_options.hpp"
#include "bus/topic.hpp"
#include "market_data/replay_source.hpp"
#include "market_data/synthetic_source.hpp"

namespace ztrade::market_data {

using namespace std::chrono_literals;

MarketDataComponent::MarketDataComponent(zmq::context_t& context, const ops::Wiring& wiring,
                                         const MarketDataConfig& config)
    : config_(config),
      log_(ops::make_logger("market-data", wiring.log_level)),
      pub_(context,
           wiring.publisher(wiring.endpoints.market_data, wiring.endpoints.external.market_data),
           config.publisher_id),
      heartbeats_(context, wiring.subscriber({wiring.endpoints.signals, wiring.endpoints.risk,
                                              wiring.endpoints.execution},
                                             {bus::topics::kHeartbeat})),
      control_(
          context,
          {wiring.endpoints.market_data_control, wiring.endpoints.external.market_data_control},
          wiring.curve),
      ops_(config.ops_port),
      aggregator_(static_cast<std::int64_t>(config.bar_interval_s * 1e9)) {
  if (!config.record_file.empty()) {
    const std::string path = wiring.in_run_dir(config.record_file);
    recorder_ = std::make_unique<RecordingWriter>(path);  // throws: clean startup error
    log_->info("recording published market data to {}", path);
  }
  // A replay is read whole at start, so a missing or malformed file is a start-up error (the
  // process exits naming the file and line) rather than a failure after everyone is ready.
  const auto& md = config;
  if (md.venue == "replay" && md.replay.format == "recorded") {
    recording_ = std::make_unique<RecordingReader>(md.replay.file);
  } else if (md.venue == "replay") {
    csv_ = std::make_unique<ReplaySource>(
        md.replay.file,
        md.replay.format == "trades" ? ReplaySource::Format::kTrades : ReplaySource::Format::kBars,
        md.replay.symbol, static_cast<std::int64_t>(md.bar_interval_s * 1e9));
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
  ops::metric(m, "ztrade_quotes_published_total", c, static_cast<double>(stats_.quotes.load()));
  // Wall time spent streaming: so far while streaming, the whole stream once done.
  const auto streamed = phase_ == 0   ? std::chrono::steady_clock::duration{}
                        : phase_ == 1 ? std::chrono::steady_clock::now() - stream_start_
                                      : stream_end_ - stream_start_;
  ops::metric(m, "ztrade_stream_seconds", c, std::chrono::duration<double>(streamed).count());
  ops::metric(m, "ztrade_component_state", c, phase_);
  if (live_) live_->render_metrics(m);
  ops_.snapshot().publish(
      std::move(m),
      fmt::format(R"({{"component":"market-data","phase":"{}","venue":"{}",)"
                  R"("bars":{},"trades":{},"quotes":{},"venues":{}}})",
                  phase_ == 0   ? "waiting"
                  : phase_ == 1 ? "streaming"
                                : "done",
                  config_.venue, stats_.bars.load(), stats_.trades.load(), stats_.quotes.load(),
                  live_ ? live_->status_json() : std::string("{}")),
      true);
}

void MarketDataComponent::Sleeper::wait_until(std::chrono::steady_clock::time_point due) {
  std::this_thread::sleep_until(due);
}

void MarketDataComponent::drain() {
  bus::Message m;
  while (heartbeats_.receive(m, 0ms)) {
    wire::HeartbeatMsg hb{};
    if (wire::body_as(m.frame, hb)) downstream_.heard(hb);
  }
}

bool MarketDataComponent::wait_for_downstream(const std::atomic<bool>& stop) {
  auto& downstream = downstream_;
  bool gate_open = !config_.start_gate;
  auto last_log = std::chrono::steady_clock::now();
  while (!stop) {
    heartbeat_.maybe_send(pub_, ops::ComponentState::kReady, 100ms);
    maybe_publish_metrics();
    drain();
    if (const auto request = control_.receive()) {
      const bool go = *request == "GO";
      gate_open = gate_open || go;
      control_.reply(go ? "OK" : "ERROR expected GO");
    }
    if ((downstream.all_ready() || !config_.wait_for_downstream) && gate_open) {
      return true;
    }
    if (std::chrono::steady_clock::now() - last_log > 5s) {
      log_->info("waiting for {}", downstream.all_ready()
                                       ? "GO on the control socket"
                                       : "signal-bridge, risk and execution to report ready");
      last_log = std::chrono::steady_clock::now();
    }
    waiter_->wait_until(std::chrono::steady_clock::now() + 10ms);
  }
  return false;
}

template <class Body>
void MarketDataComponent::publish(std::string_view topic, const Body& body, std::int64_t event_ns) {
  pub_.publish(topic, body, event_ns);
  if (recorder_) recorder_->write(topic, pub_.last_frame());
}

void MarketDataComponent::publish_event(MarketEvent e, bool aggregate) {
  switch (e.kind) {
    case MarketEvent::Kind::kBar:
      return publish_bar(e.bar);
    case MarketEvent::Kind::kQuote:
      e.quote.receive_ns = bus::wall_clock_ns();
      return publish_quote(e.quote);
    case MarketEvent::Kind::kTrade:
      e.trade.receive_ns = bus::wall_clock_ns();
      return publish_trade(e.trade, aggregate);
  }
}

void MarketDataComponent::publish_bar(const wire::BarMsg& b) {
  publish(bus::Topic{bus::topics::kBar, b.symbol.view()}, b, b.start_ns);
  ++stats_.bars;
}

void MarketDataComponent::publish_quote(const wire::QuoteMsg& q) {
  publish(bus::Topic{bus::topics::kQuote, q.symbol.view()}, q, q.exchange_ns);
  ++stats_.quotes;
}

void MarketDataComponent::publish_trade(const wire::TradeMsg& t, bool aggregate) {
  publish(bus::Topic{bus::topics::kTrade, t.symbol.view()}, t, t.exchange_ns);
  ++stats_.trades;
  wire::BarMsg closed{};
  if (aggregate && aggregator_.on_trade(t.symbol.view(), t.price, t.size, t.exchange_ns, closed)) {
    publish_bar(closed);
  }
}

template <class Source>
void MarketDataComponent::replay(Source& source, const std::atomic<bool>& stop, bool aggregate) {
  const double speed = config_.replay.speed;
  MarketEvent e;
  std::int64_t first_ts = 0;
  const auto wall_start = std::chrono::steady_clock::now();
  while (!stop && source.next(e)) {
    if (speed > 0) {
      if (source.position() == 1) first_ts = e.ts_ns;
      const auto due = wall_start + std::chrono::nanoseconds(static_cast<std::int64_t>(
                                        static_cast<double>(e.ts_ns - first_ts) / speed));
      waiter_->wait_until(due);
    } else {
      waiter_->between_events();
    }
    publish_event(e, aggregate);
    heartbeat_.maybe_send(pub_, ops::ComponentState::kReady, 1000ms);
    maybe_publish_metrics();
  }
}

// Live venues stamp receive_ns at the socket read; their events are published as they are.
void MarketDataComponent::LivePublisher::on_trade(const wire::TradeMsg& t,
                                                  bool venue_bars) noexcept {
  component.publish_trade(t, !venue_bars);
}
void MarketDataComponent::LivePublisher::on_quote(const wire::QuoteMsg& q) noexcept {
  component.publish_quote(q);
}
void MarketDataComponent::LivePublisher::on_bar(const wire::BarMsg& b) noexcept {
  component.publish_bar(b);
}

int MarketDataComponent::stream_live(const std::atomic<bool>& stop) {
  LivePublisher publisher(*this);
  try {
    LiveSource live(config_, publisher, log_);
    live_ = &live;
    log_->info("live: {} venue(s)", live.venues());
    live.run(stop, [&] {
      waiter_->between_events();
      heartbeat_.maybe_send(pub_, ops::ComponentState::kReady, 1000ms);
      maybe_publish_metrics();
      if (recorder_) recorder_->flush();
    });
    live_ = nullptr;
  } catch (const std::exception& e) {
    live_ = nullptr;
    log_->error("live: {}", e.what());
    return 1;
  }
  return 0;
}

int MarketDataComponent::stream(const std::atomic<bool>& stop) {
  const auto& md = config_;
  stream_start_ = std::chrono::steady_clock::now();
  if (md.venue == "live") return stream_live(stop);
  if (md.venue == "replay") {
    const std::string pace = md.replay.speed == 0
                                 ? std::string("full speed")
                                 : fmt::format("{}x recorded pace", md.replay.speed);
    try {
      if (recording_) {
        if (recording_->truncated_bytes() > 0) {
          log_->warn("recording {} ends in a cut-short record ({} bytes skipped)", md.replay.file,
                     recording_->truncated_bytes());
        }
        log_->info("replaying {} recorded events from {} at {}", recording_->size(), md.replay.file,
                   pace);
        replay(*recording_, stop, false);
      } else {
        log_->info("replaying {} events from {} at {}", csv_->size(), md.replay.file, pace);
        replay(*csv_, stop, true);
      }
    } catch (const std::exception& e) {
      log_->error("replay: {}", e.what());
      return 1;
    }
  } else {
    SyntheticSource source(md.synthetic.symbols, md.synthetic.seed, md.synthetic.start_price,
                           md.synthetic.volatility, md.synthetic.spread_bps);
    // Due times in double precision: a whole-nanosecond period would drift (1e9 / 300000 is
    // 3333.3 ns, and 3333 ns would send 100 extra messages a second).
    const double period_ns = 1e9 / md.synthetic.rate_per_s;
    const auto start = std::chrono::steady_clock::now();
    const auto end =
        start + std::chrono::nanoseconds(static_cast<std::int64_t>(md.synthetic.duration_s * 1e9));
    log_->info("synthetic feed: {} symbols at {}/s for {} s", md.synthetic.symbols.size(),
               md.synthetic.rate_per_s, md.synthetic.duration_s);
    MarketEvent e;
    for (std::uint64_t i = 0; !stop; ++i) {
      const auto due = start + std::chrono::nanoseconds(
                                   static_cast<std::int64_t>(static_cast<double>(i) * period_ns));
      if (md.synthetic.duration_s > 0 && due >= end) break;
      waiter_->wait_until(due);
      source.next(bus::wall_clock_ns(), e);
      publish_event(e, true);
      heartbeat_.maybe_send(pub_, ops::ComponentState::kReady, 1000ms);
      maybe_publish_metrics();
    }
  }
  aggregator_.flush([&](const wire::BarMsg& bar) { publish_bar(bar); });
  if (recorder_) {
    recorder_->flush();
    log_->info("recorded {} messages to {} ({} write failures)", recorder_->records(),
               recorder_->path(), recorder_->failures());
  }
  log_->info("source finished: bars={} trades={} quotes={} late_trades={}", stats_.bars.load(),
             stats_.trades.load(), stats_.quotes.load(), aggregator_.late_trades());
  return 0;
}

int MarketDataComponent::run(const std::atomic<bool>& stop) {
  log_->info("publishing on {}", config_.venue);
  if (!wait_for_downstream(stop)) return 0;
  log_->info("downstream ready; streaming");
  phase_ = 1;
  const int rc = stream(stop);
  stream_end_ = std::chrono::steady_clock::now();
  // A source that failed (unreadable replay, venue keys missing) ends the process: the
  // launcher or systemd sees the exit code, instead of a component that looks done.
  if (rc != 0) return rc;
  phase_ = 2;
  while (!stop) {
    heartbeat_.maybe_send(pub_, ops::ComponentState::kDone, 100ms);
    maybe_publish_metrics();
    waiter_->wait_until(std::chrono::steady_clock::now() + 20ms);
  }
  return rc;
}

}  // namespace ztrade::market_data
