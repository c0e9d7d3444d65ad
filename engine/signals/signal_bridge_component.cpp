#include "signals/signal_bridge_component.hpp"
#include "bus/topic.hpp"

#include <algorithm>
#include <chrono>

namespace ztrade::signals {

using namespace std::chrono_literals;

SignalBridgeComponent::SignalBridgeComponent(zmq::context_t& context, const ops::Wiring& wiring,
                                             const SignalBridgeConfig& config,
                                             const StrategyConfig& strategies)
    : config_(config),
      log_(ops::make_logger("signal-bridge", wiring.log_level)),
      pub_(context, wiring.publisher(wiring.endpoints.signals, wiring.endpoints.external.signals),
           config.publisher_id),
      market_(context, wiring.subscriber(
                           {wiring.endpoints.market_data},
                           {bus::topics::kBar, bus::topics::kHeartbeat, bus::topics::kBarrier})),
      ingress_(bus::Subscriber::pull(context, wiring.endpoints.signal_ingress, wiring.receive_hwm,
                                     wiring.endpoints.external.signal_ingress, wiring.curve)),
      external_(strategies, bus::wall_clock_ns()),
      strategy_timeout_s_(strategies.timeout_s),
      macd_rsi_({config.rsi_buy_below, config.rsi_sell_above}),
      ops_(config.ops_port) {
  const auto& s = config.strategies;
  run_macd_rsi_ = std::find(s.begin(), s.end(), "macd_rsi") != s.end();
  if (!config.strategy_keys.empty()) ingress_.capture_peer_keys();
}

FeatureComputer& SignalBridgeComponent::computer_for(std::string_view symbol) {
  auto it = computers_.find(symbol);
  if (it == computers_.end()) {
    const auto& c = config_;
    it = computers_
             .emplace(std::string(symbol),
                      FeatureComputer(FeatureConfig{c.rsi_period, c.macd_fast, c.macd_slow,
                                                    c.macd_signal, c.sma_period}))
             .first;
  }
  return it->second;
}

void SignalBridgeComponent::on_bar(const bus::Message& m) {
  wire::BarMsg bar{};
  if (!wire::body_as(m.frame, bar)) return;
  if (bar.flags != 0) {
    // A correction or a bar still forming: features advance once per closed bar only.
    ++stats_.non_final_bars;
    return;
  }
  ++stats_.bars;
  bar_latency_.record_ns(bus::wall_clock_ns() - m.frame.header.send_ns);
  FeatureComputer& fc = computer_for(bar.symbol.view());
  wire::FeaturesMsg f{};
  const Bar b{bar.open, bar.high, bar.low, bar.close, bar.volume, bar.start_ns};
  if (!fc.try_update(b, std::span<double, kFeatureCount>(f.values, kFeatureCount))) {
    ++stats_.invalid_bars;
    log_->warn("dropped invalid bar symbol={} start_ns={}", bar.symbol.view(), bar.start_ns);
    return;
  }
  auto last = last_bar_.find(bar.symbol.view());
  if (last == last_bar_.end()) last = last_bar_.emplace(bar.symbol.view(), LastBar{}).first;
  last->second = {bar.start_ns, bar.interval_ns};
  f.symbol = bar.symbol;
  f.bar_ns = bar.start_ns;
  f.ready = fc.ready() ? 1 : 0;
  f.count = static_cast<std::uint8_t>(kFeatureCount);
  pub_.publish(bus::Topic{bus::topics::kFeatures, bar.symbol.view()}, f, bar.start_ns);
  ++stats_.features;
  if (!run_macd_rsi_) return;
  FeatureRow row;
  std::copy(std::begin(f.values), std::end(f.values), row.begin());
  if (auto d = macd_rsi_.on_features(bar.symbol.view(), row, fc.ready())) {
    wire::SignalMsg s{};
    s.symbol = bar.symbol;
    s.strategy.assign_truncated(MacdRsiStrategy::kName);  // 8 bytes
    s.signal_ns = bus::wall_clock_ns();
    s.strength = d->strength;
    s.direction = d->direction;
    s.has_features = 1;
    s.feature_count = static_cast<std::uint8_t>(kFeatureCount);
    std::copy(row.begin(), row.end(), s.features);
    pub_.publish(bus::Topic{bus::topics::kSignal, MacdRsiStrategy::kName, ".", bar.symbol.view()},
                 s, bar.start_ns);
    ++stats_.signals;
  }
}

void SignalBridgeComponent::on_external(const bus::Message& m) {
  const auto type = m.frame.header.type;
  if (type == wire::MsgType::kBarrier || type == wire::MsgType::kHeartbeat) {
    on_strategy_frame(m);
  } else {
    on_external_signal(m);
  }
}

bool SignalBridgeComponent::authorized(std::string_view strategy, const bus::Message& m) const {
  const auto& keys = config_.strategy_keys;
  if (keys.empty()) return true;
  const auto bound = keys.find(std::string(strategy));
  return bound != keys.end() && bound->second == m.peer_key;
}

void SignalBridgeComponent::on_strategy_frame(const bus::Message& m) {
  const std::int64_t now = bus::wall_clock_ns();
  bool known = false;
  std::string_view who;
  if (m.frame.header.type == wire::MsgType::kBarrier) {
    wire::BarrierMsg b{};
    if (wire::body_as(m.frame, b) && b.kind == wire::BarrierKind::kDecided &&
        authorized(b.component.view(), m)) {
      who = b.component.view();
      known = external_.on_decided(who, b.number, now);
    }
  } else {
    wire::HeartbeatMsg hb{};
    if (wire::body_as(m.frame, hb) &&
        hb.state <= static_cast<std::uint8_t>(wire::ComponentState::kFailed) &&
        authorized(hb.component.view(), m)) {
      who = hb.component.view();
      const auto before = external_.all_ready();
      const auto state = static_cast<wire::ComponentState>(hb.state);
      known = external_.on_heartbeat(who, state, now);
      if (known && state == wire::ComponentState::kFailed) {
        reject_log_.warn(*log_, "strategy {} reports it failed (strategy.on_error)",
                         ops::Printable{who});
      }
      if (known && !before && external_.all_ready()) {
        log_->info("every declared strategy is ready");
        ops::heartbeat_tick(heartbeat_, pub_, ready_now(), true);
      }
    }
  }
  if (!known) {
    // Not a declared strategy (or not its key): it takes no part in the session's lockstep.
    ++strategy_frames_ignored_;
    return;
  }
  forward_decided();
}

void SignalBridgeComponent::on_market_barrier(const bus::Message& m) {
  wire::BarrierMsg b{};
  if (!wire::body_as(m.frame, b) || b.kind != wire::BarrierKind::kData) return;
  // Every bar of the batch has been turned into features (and built-in signals) above: the
  // strategies reading features may decide it now.
  data_barrier_ = b.number;
  data_barrier_ns_ = b.market_ns;
  wire::BarrierMsg out = b;
  out.component.assign_truncated("signal-bridge");
  pub_.publish(bus::Topic{bus::topics::kBarrier, "signal-bridge"}, out, b.market_ns);
  forward_decided();
}

void SignalBridgeComponent::forward_decided() {
  const std::uint64_t through = external_.decided_through(data_barrier_);
  if (through <= decided_barrier_) return;
  decided_barrier_ = through;
  // After every signal the strategies pushed before their barriers (one ingress, in order).
  wire::BarrierMsg out{};
  out.component.assign_truncated("signal-bridge");
  out.number = through;
  out.market_ns = through == data_barrier_ ? data_barrier_ns_ : 0;
  out.kind = wire::BarrierKind::kDecided;
  pub_.publish(bus::Topic{bus::topics::kBarrier, "signal-bridge"}, out, out.market_ns);
}

void SignalBridgeComponent::on_external_signal(const bus::Message& m) {
  wire::SignalMsg s{};
  if (!wire::body_as(m.frame, s)) {
    ++stats_.external_rejected[static_cast<std::size_t>(SignalProblem::kNotASignal)];
    reject_log_.warn(*log_, "ingress: dropped a {} frame (only signals are accepted)",
                     wire::type_name(m.frame.header.type));
    return;
  }
  const auto last_bar = last_bar_.find(s.symbol.view());
  const bool known = last_bar != last_bar_.end();
  SignalProblem p = validate(s, known, bus::wall_clock_ns(), config_.max_signal_age_ms);
  const auto& keys = config_.strategy_keys;
  if (p == SignalProblem::kNone && !keys.empty()) {
    // Only the client holding the key bound to this strategy id may speak for it.
    const auto bound = keys.find(std::string(s.strategy.view()));
    if (bound == keys.end() || bound->second != m.peer_key) {
      p = SignalProblem::kUnauthorizedStrategy;
    }
  }
  if (p != SignalProblem::kNone) {
    ++stats_.external_rejected[static_cast<std::size_t>(p)];
    reject_log_.warn(*log_, "ingress: rejected signal strategy={} symbol={} reason={}",
                     ops::Printable{s.strategy.view()}, ops::Printable{s.symbol.view()},
                     problem_name(p));
    return;
  }
  // The client's time is not trusted: an external signal is about the market as the bridge
  // last saw it - the latest closed bar of its symbol, or the next one (decision_time) - so
  // risk decides it in event time against that bar, however the client stamped it.
  pub_.publish(bus::Topic{bus::topics::kSignal, s.strategy.view(), ".", s.symbol.view()}, s,
               decision_time(last_bar->second, m.frame.header.event_ns));
  ++stats_.signals;
  ++stats_.external_accepted;
}

void SignalBridgeComponent::maybe_publish_metrics() {
  if (!ops_.due()) return;
  losses_.check(*log_, market_);
  losses_ingress_.check(*log_, ingress_);
  std::string m;
  const std::string c = "component=\"signal-bridge\"";
  ops::render_bus(m, "signal-bridge", pub_, market_);
  ops::render_drops(m, c + ",socket=\"ingress\"", ingress_);
  ops::metric(m, "ztrade_sequence_streams_evicted_total", c + ",socket=\"ingress\"",
              static_cast<double>(ingress_.sequences().counters().evicted));
  ops::metric(m, "ztrade_features_published_total", c, static_cast<double>(stats_.features.load()));
  ops::metric(m, "ztrade_signals_published_total", c, static_cast<double>(stats_.signals.load()));
  ops::metric(m, "ztrade_invalid_bars_total", c, static_cast<double>(stats_.invalid_bars.load()));
  ops::metric(m, "ztrade_non_final_bars_total", c,
              static_cast<double>(stats_.non_final_bars.load()));
  ops::metric(m, "ztrade_external_signals_accepted_total", c,
              static_cast<double>(stats_.external_accepted.load()));
  for (std::size_t i = 1; i < kSignalProblemCount; ++i) {
    ops::metric(m, "ztrade_external_signals_rejected_total",
                c + ",reason=\"" + std::string(problem_name(static_cast<SignalProblem>(i))) + "\"",
                static_cast<double>(stats_.external_rejected[i].load()));
  }
  bar_latency_.render(m, "ztrade_hop_latency_seconds", c + ",hop=\"market-data->signal-bridge\"");
  ops::metric(m, "ztrade_strategy_frames_ignored_total", c,
              static_cast<double>(strategy_frames_ignored_));
  ops::metric(m, "ztrade_lockstep_decided_batch", c, static_cast<double>(decided_barrier_));
  // The declared external strategies: state (0 starting, 1 ready, 2 done, 3 failed; -1 gone
  // silent) and the last batch each decided.
  std::string strategies;
  const std::int64_t now = bus::wall_clock_ns();
  for (const auto& e : external_.entries()) {
    const std::string label = c + ",strategy=\"" + e.name + "\"";
    const int state = e.gone ? -1 : static_cast<int>(e.state);
    ops::metric(m, "ztrade_strategy_state", label, state);
    ops::metric(m, "ztrade_strategy_decided_batch", label, static_cast<double>(e.decided));
    fmt::format_to(
        std::back_inserter(strategies),
        R"({}{{"name":"{}","state":"{}","decided_batch":{},"silent_s":{}}})",
        strategies.empty() ? "" : ",", e.name,
        e.gone ? std::string_view("gone") : wire::enum_name(wire::kComponentStateNames, e.state),
        e.decided,
        e.heard ? fmt::format("{:.1f}", static_cast<double>(now - e.last_heard_ns) / 1e9)
                : std::string("null"));
  }
  ops_.snapshot().publish(
      std::move(m),
      fmt::format(R"({{"component":"signal-bridge","ready":{},"symbols":{},"bars":{},)"
                  R"("features":{},"signals":{},"strategies":[{}]}})",
                  ready_now(), computers_.size(), stats_.bars.load(), stats_.features.load(),
                  stats_.signals.load(), strategies),
      ready_now());
}

void SignalBridgeComponent::start() {
  log_->info("features for {} strategies; ingress open", config_.strategies.size());
}

void SignalBridgeComponent::drain() {
  bus::Message m;
  while (market_.receive(m, 0ms)) {
    if (m.frame.header.type == wire::MsgType::kBar) {
      on_bar(m);
    } else if (m.frame.header.type == wire::MsgType::kBarrier) {
      on_market_barrier(m);
    } else if (m.frame.header.type == wire::MsgType::kHeartbeat) {
      if (upstreams_.on_heartbeat(m.frame))
        ops::heartbeat_tick(heartbeat_, pub_, ready_now(), true);
      // Market data has ended and every bar before it has been turned into signals (one
      // socket, in order): say so downstream, at once.
      if (ops::drained_upstream(m.frame, "market-data", true)) {
        heartbeat_.set_flags(static_cast<std::uint8_t>(wire::HeartbeatFlag::kDrained));
        ops::heartbeat_tick(heartbeat_, pub_, ready_now(), true);
      }
    }
  }
}

void SignalBridgeComponent::tick() {
  ops::heartbeat_tick(heartbeat_, pub_, ready_now());
  if (external_.check_timeouts(bus::wall_clock_ns()) > 0) {
    for (const auto& e : external_.entries()) {
      if (e.gone) {
        log_->warn(
            "strategy {} not heard for {} s (strategy.timeout_s): left out of the "
            "lockstep and the start until it is heard again",
            e.name, strategy_timeout_s_);
      }
    }
    ops::heartbeat_tick(heartbeat_, pub_, ready_now(), true);
    forward_decided();
  }
  maybe_publish_metrics();
  bus::Message m;
  while (ingress_.receive(m, 0ms)) on_external(m);
}

void SignalBridgeComponent::wake_items(std::vector<zmq::pollitem_t>& items) {
  items.push_back({ingress_.socket().handle(), 0, ZMQ_POLLIN, 0});
}

int SignalBridgeComponent::run(const std::atomic<bool>& stop) {
  return ops::run_steps(*this, market_.socket(), stop);
}

void SignalBridgeComponent::finish() {
  const auto& seq = market_.sequences().counters();
  log_->info("stopped: bars={} features={} signals={} gaps={} missing={} dropped_frames={}",
             stats_.bars.load(), stats_.features.load(), stats_.signals.load(), seq.gaps,
             seq.missing, market_.counters().dropped());
}

}  // namespace ztrade::signals
