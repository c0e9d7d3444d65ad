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
                                         const MarketDataConfig& config, bool lockstep)
    : config_(config),
      log_(ops::make_logger("market-data", wiring.log_level)),
      pub_(context,
           wiring.publisher(wiring.endpoints.market_data, wiring.endpoints.external.market_data),
           config.publisher_id),
      heartbeats_(context, wiring.subscriber({wiring.endpoints.signals, wiring.endpoints.risk,
                                              wiring.endpoints.execution},
                                             {bus::topics::kHeartbeat, bus::topics::kBarrier})),
      control_(
          context,
          {wiring.endpoints.market_data_control, wiring.endpoints.external.market_data_control},
          wiring.curve),
      ops_(config.ops_port),
      aggregator_(static_cast<std::int64_t>(config.bar_interval_s * 1e9)),
      lockstep_(lockstep) {
  gate_open_ = !config.start_gate;
  if (lockstep_) log_->info("lockstep: each batch of bars waits for the last one's orders");
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
  ops::metric(m, "ztrade_lockstep_batches_total", c, static_cast<double>(batch_number_));
  ops::metric(m, "ztrade_lockstep_timeouts_total", c, static_cast<double>(lockstep_timeouts_));
  ops::metric(m, "ztrade_lockstep_wait_seconds_total", c, lockstep_wait_s_);
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

void MarketDataComponent::on_downstream(const bus::Message& m) {
  if (m.frame.header.type == wire::MsgType::kBarrier) {
    wire::BarrierMsg b{};
    if (wire::body_as(m.frame, b) && b.kind == wire::BarrierKind::kDecided &&
        b.component.view() == "execution") {
      decided_ = std::max(decided_, b.number);
    }
    return;
  }
  wire::HeartbeatMsg hb{};
  if (wire::body_as(m.frame, hb)) downstream_.heard(hb);
}

void MarketDataComponent::drain() {
  bus::Message m;
  while (heartbeats_.receive(m, 0ms)) on_downstream(m);
}

std::string MarketDataComponent::warmup_text() const {
  std::string out;
  for (const auto& [symbol, ring] : recent_) {
    const std::size_t n = ring.bars.size();
    for (std::size_t k = 0; k < n; ++k) {
      // Oldest first: a full ring's oldest is at `next`.
      const wire::BarMsg& b = ring.bars[n == ring.bars.capacity() ? (ring.next + k) % n : k];
      fmt::format_to(std::back_inserter(out), "{},{},{},{},{},{},{},{}\n", symbol, b.start_ns,
                     b.interval_ns, b.open, b.high, b.low, b.close, b.volume);
    }
  }
  return out;
}

void MarketDataComponent::serve_control() {
  while (const auto request = control_.receive()) {
    if (*request == "GO") {
      gate_open_ = true;
      control_.reply("OK");
    } else if (*request == "WARMUP") {
      control_.reply(warmup_text());
    } else {
      control_.reply("ERROR expected GO or WARMUP");
    }
  }
}

bool MarketDataComponent::wait_for_downstream(const std::atomic<bool>& stop) {
  auto& downstream = downstream_;
  auto last_log = std::chrono::steady_clock::now();
  while (!stop) {
    heartbeat_.maybe_send(pub_, ops::ComponentState::kReady, 100ms);
    maybe_publish_metrics();
    drain();
    serve_control();
    if ((downstream.all_ready() || !config_.wait_for_downstream) && gate_open_) {
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

void MarketDataComponent::close_batch(const std::atomic<bool>& stop) {
  if (!batch_open_) return;
  batch_open_ = false;
  wire::BarrierMsg b{};
  b.component.assign_truncated("market-data");
  b.number = ++batch_number_;
  b.market_ns = batch_ns_;
  b.kind = wire::BarrierKind::kData;
  pub_.publish(bus::Topic{bus::topics::kBarrier, "market-data"}, b, batch_ns_);
  const auto start = std::chrono::steady_clock::now();
  const auto deadline =
      start + std::chrono::nanoseconds(static_cast<std::int64_t>(config_.lockstep_timeout_s * 1e9));
  bus::Message m;
  while (decided_ < b.number && !stop) {
    if (heartbeats_.receive(m, 2ms)) on_downstream(m);
    heartbeat_.maybe_send(pub_, ops::ComponentState::kReady, 1000ms);
    maybe_publish_metrics();
    serve_control();
    if (std::chrono::steady_clock::now() > deadline) {
      ++lockstep_timeouts_;
      log_->warn("lockstep: batch {} (market time {} ns) waited {} s for its orders; going on",
                 b.number, batch_ns_, config_.lockstep_timeout_s);
      break;
    }
  }
  lockstep_wait_s_ +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
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
  if (b.flags != 0) return;  // a correction or a forming bar: not a decision point
  batch_open_ = true;
  batch_ns_ = b.start_ns;
  const auto keep = static_cast<std::size_t>(config_.warmup_bars);
  if (keep == 0) return;
  auto it = recent_.find(b.symbol.view());
  if (it == recent_.end()) {
    it = recent_.emplace(std::string(b.symbol.view()), BarRing{}).first;
    it->second.bars.reserve(keep);  // once per symbol
  }
  BarRing& ring = it->second;
  if (ring.bars.size() < keep) {
    ring.bars.push_back(b);
  } else {
    ring.bars[ring.next] = b;
    ring.next = (ring.next + 1) % keep;
  }
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
    // Lockstep: a batch is the bars of one time; anything else (a later bar, a trade) first
    // waits for the batch's orders.
    if (lockstep_ && batch_open_ &&
        !(e.kind == MarketEvent::Kind::kBar && e.bar.start_ns == batch_ns_)) {
      close_batch(stop);
    }
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
    if (++control_countdown_ >= 256) {  // a strategy's WARMUP need not wait for the end
      control_countdown_ = 0;
      serve_control();
    }
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
      serve_control();
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
      if (++control_countdown_ >= 256) {
        control_countdown_ = 0;
        serve_control();
      }
    }
  }
  if (lockstep_) close_batch(stop);
  aggregator_.flush([&](const wire::BarMsg& bar) { publish_bar(bar); });
  if (lockstep_) close_batch(stop);
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
    serve_control();
    drain();
    waiter_->wait_until(std::chrono::steady_clock::now() + 20ms);
  }
  return rc;
}

}  // namespace ztrade::market_data
