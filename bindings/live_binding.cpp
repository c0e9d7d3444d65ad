// ztrade._core.LiveRunner: a Python strategy against a running engine, with the bus in C++.
// Frames are received and decoded by the engine's own subscriber (no Python object per frame
// that no hook asks for), the hooks are called through the same adapter as in a backtest
// (py_strategy.hpp: the same objects, the same keys), and signals are encoded and pushed to the
// signal bridge's ingress here. It subscribes only to what the strategy's hooks use.
//
// Lockstep (market_data.lockstep with strategy.names): the runner answers each batch's data
// barrier - market-data's for bars, signal-bridge's for features - with its decided barrier,
// pushed after the batch's signals on the same socket, so the replay waits for its decisions.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <zmq.hpp>

#include "bindings.hpp"
#include "bus/codec.hpp"
#include "bus/publisher.hpp"
#include "bus/socket_options.hpp"
#include "bus/subscriber.hpp"
#include "bus/topic.hpp"
#include "features/feature_computer.hpp"
#include "ops/config.hpp"
#include "ops/host_wiring.hpp"
#include "py_strategy.hpp"
#include "signals/signal_validator.hpp"

namespace py = pybind11;

namespace ztrade::py_bindings {
namespace {

using namespace std::chrono_literals;

ops::EngineConfig load_engine_config(const std::string& path,
                                     const std::map<std::string, std::string>& overrides) {
  ops::Environment env = ops::process_environment();
  for (const auto& [k, v] : overrides) env[k] = v;
  const ops::ConfigResult r =
      path.empty() ? ops::parse_config("", env) : ops::load_config(path, env);
  if (!r.ok()) {
    std::string msg =
        "invalid configuration " + (path.empty() ? std::string("(defaults)") : path) + ":";
    for (const auto& e : r.errors) msg += "\n  " + e;
    throw py::value_error(msg);
  }
  return r.config;
}

// One decoded bus event the runner handles, copied out of the subscriber's buffer.
struct Event {
  wire::MsgType type{};
  std::int64_t event_ns = 0, send_ns = 0;
  wire::BarMsg bar{};
  wire::FeaturesMsg features{};
  wire::ExecutionReportMsg report{};
  wire::BarrierMsg barrier{};
  wire::HeartbeatMsg heartbeat{};
};

class LiveRunner {
 public:
  LiveRunner(py::object strategy, const std::string& config_path,
             const std::map<std::string, std::string>& overrides)
      : config_(load_engine_config(config_path, overrides)),
        strategy_(strategy, {}, true),
        name_(py::str(strategy.attr("name")).cast<std::string>()) {
    const ops::Wiring wiring = ops::wiring_for(config_);
    const ops::Endpoints& e = wiring.endpoints;
    const auto& x = e.external;
    // Only what the hooks use (and the barriers and heartbeats the session needs).
    std::vector<std::string> topics{std::string(bus::topics::kHeartbeat),
                                    std::string(bus::topics::kBarrier)};
    if (strategy_.has_bar()) topics.emplace_back(bus::topics::kBar);
    if (strategy_.has_features()) topics.emplace_back(bus::topics::kFeatures);
    if (strategy_.has_fill()) topics.emplace_back(bus::topics::kExecutionReport);
    bus::SubscriberConfig sc;
    sc.endpoints = {ops::reachable(e.market_data, x.market_data),
                    ops::reachable(e.signals, x.signals), ops::reachable(e.execution, x.execution)};
    sc.topics = topics;
    sc.receive_hwm = wiring.receive_hwm;
    sc.curve = wiring.curve;
    sub_.emplace(context_, sc);
    push_ = zmq::socket_t(context_, zmq::socket_type::push);
    push_.set(zmq::sockopt::linger, 1000);
    push_.set(zmq::sockopt::sndhwm, 100000);
    bus::apply_curve(push_, wiring.curve, false);
    push_.connect(ops::reachable(e.signal_ingress, x.signal_ingress));
    control_endpoint_ = ops::reachable(e.market_data_control, x.market_data_control);
    curve_ = wiring.curve;
    // In the lockstep only when declared: signal-bridge waits for the declared ones alone.
    lockstep_ = ops::lockstep(config_) &&
                std::find(config_.strategy.names.begin(), config_.strategy.names.end(), name_) !=
                    config_.strategy.names.end();
    max_lag_bars_ = config_.strategy.max_lag_bars;
    events_.reserve(1024);
  }

  // Asks market-data for the recent bars it keeps and feeds them through the hooks, in time
  // order, with features computed as signal-bridge computes them; what the hooks return is
  // discarded (it is about the past). Live bars up to the last warm-up bar of a symbol are
  // then skipped. Returns the bars fed.
  std::size_t warm_up(double timeout_s) {
    zmq::socket_t req(context_, zmq::socket_type::req);
    req.set(zmq::sockopt::linger, 0);
    req.set(zmq::sockopt::rcvtimeo, static_cast<int>(timeout_s * 1000));
    req.set(zmq::sockopt::sndtimeo, static_cast<int>(timeout_s * 1000));
    bus::apply_curve(req, curve_, false);
    req.connect(control_endpoint_);
    if (!req.send(zmq::str_buffer("WARMUP"), zmq::send_flags::none)) return 0;
    zmq::message_t reply;
    {
      py::gil_scoped_release released;
      if (!req.recv(reply, zmq::recv_flags::none)) return 0;
    }
    struct Row {
      std::string symbol;
      wire::BarMsg bar;
    };
    std::vector<Row> rows;
    std::string_view text(static_cast<const char*>(reply.data()), reply.size());
    while (!text.empty()) {
      const auto end = text.find('\n');
      const std::string_view line = text.substr(0, end);
      text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
      std::array<std::string_view, 8> f{};
      std::size_t n = 0;
      for (std::string_view rest = line; n < f.size();) {
        const auto comma = rest.find(',');
        f[n++] = rest.substr(0, comma);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
      if (n != 8) continue;  // not a bar line (an error reply)
      Row r{std::string(f[0]), {}};
      auto num = [](std::string_view s, auto& out) {
        return std::from_chars(s.data(), s.data() + s.size(), out).ec == std::errc{};
      };
      if (!num(f[1], r.bar.start_ns) || !num(f[2], r.bar.interval_ns) || !num(f[3], r.bar.open) ||
          !num(f[4], r.bar.high) || !num(f[5], r.bar.low) || !num(f[6], r.bar.close) ||
          !num(f[7], r.bar.volume)) {
        continue;
      }
      rows.push_back(std::move(r));
    }
    std::stable_sort(rows.begin(), rows.end(),
                     [](const Row& a, const Row& b) { return a.bar.start_ns < b.bar.start_ns; });
    std::vector<backtest::Target> discard;
    for (const Row& r : rows) {
      const std::int32_t s = strategy_.symbol_index(r.symbol);
      const Bar bar{r.bar.open, r.bar.high, r.bar.low, r.bar.close, r.bar.volume, r.bar.start_ns};
      if (strategy_.has_bar()) strategy_.call_bar(s, bar, discard);
      if (strategy_.has_features()) {
        FeatureRow row{};
        FeatureComputer& fc = computer(s);
        if (fc.try_update(bar, std::span<double, kFeatureCount>(row))) {
          strategy_.call_features(s, row.data(), fc.ready(), r.bar.start_ns, discard);
        }
      }
      warmed_[static_cast<std::size_t>(s)] = r.bar.start_ns;
      discard.clear();
      strategy_.metadata().clear();
    }
    warmup_bars_ += rows.size();
    return rows.size();
  }

  // Runs until the session ends (market-data done, the last batch handled, then quiet), or
  // `should_stop()` is true (checked every 100 ms). A hook's exception propagates with its
  // note (hook, symbol, bar time). `warn(text)` is told of lag and skipped bars.
  py::dict run(const py::object& should_stop, const py::object& warn) {
    auto last_beat = std::chrono::steady_clock::now() - 10s;
    auto last_stop_check = std::chrono::steady_clock::now();
    auto quiet_since = std::chrono::steady_clock::now();
    auto last_warn = std::chrono::steady_clock::now() - 10s;
    bool ready_sent = false;
    while (true) {
      const auto now = std::chrono::steady_clock::now();
      const bool ready = heard_market_ && (!strategy_.has_features() || heard_bridge_) &&
                         (!strategy_.has_fill() || heard_execution_);
      if (now - last_beat > (ready ? 1000ms : 100ms) || (ready && !ready_sent)) {
        beat(ready ? wire::ComponentState::kReady : wire::ComponentState::kStarting);
        ready_sent = ready_sent || ready;
        last_beat = now;
      }
      if (now - last_stop_check > 100ms) {
        last_stop_check = now;
        if (!should_stop.is_none() && should_stop().cast<bool>()) break;
      }
      // Everything waiting now, in one batch (then stale bars can be skipped).
      events_.clear();
      {
        py::gil_scoped_release released;
        bus::Message m;
        if (sub_->receive(m, events_.empty() ? 50ms : 0ms)) {
          keep(m);
          while (events_.size() < 4096 && sub_->receive(m, 0ms)) keep(m);
        }
      }
      // Quiet: no bar, features or fill for a second (heartbeats and barriers go on).
      const bool data = std::any_of(events_.begin(), events_.end(), [](const Event& e) {
        return e.type != wire::MsgType::kHeartbeat && e.type != wire::MsgType::kBarrier;
      });
      if (data) quiet_since = std::chrono::steady_clock::now();
      if (!data && market_done_ && (!strategy_.has_features() || bridge_drained_) &&
          std::chrono::steady_clock::now() - quiet_since > 1s) {
        for (const Event& e : events_) handle(e);
        break;  // the session has ended and nothing more is coming
      }
      mark_stale_bars();
      for (const Event& e : events_) handle(e);
      if (lag_warnings_pending_ > 0 && !warn.is_none() &&
          std::chrono::steady_clock::now() - last_warn > 5s) {
        warn(fmt::format(
            "{} is {:.1f} ms behind the market (lag of the latest bar); {} stale "
            "bars skipped so far (strategy.max_lag_bars = {})",
            name_, static_cast<double>(last_lag_ns_) / 1e6, skipped_bars_, max_lag_bars_));
        lag_warnings_pending_ = 0;
        last_warn = std::chrono::steady_clock::now();
      }
    }
    return stats();
  }

  // Tells signal-bridge this strategy has ended: "done", or "failed" (a hook raised).
  void report(const std::string& state) {
    beat(state == "failed" ? wire::ComponentState::kFailed : wire::ComponentState::kDone);
  }

  py::dict stats() const {
    py::dict d;
    d["bars"] = bars_;
    d["features"] = features_;
    d["fills"] = fills_;
    d["signals"] = signals_;
    d["warmup_bars"] = warmup_bars_;
    d["skipped_bars"] = skipped_bars_;
    d["barriers"] = decided_sent_;
    d["max_lag_ms"] = static_cast<double>(max_lag_ns_) / 1e6;
    d["last_lag_ms"] = static_cast<double>(last_lag_ns_) / 1e6;
    d["callback_us_mean"] = calls_ > 0 ? callback_ns_ / static_cast<double>(calls_) / 1e3 : 0.0;
    d["lockstep"] = lockstep_;
    py::dict rejected;
    for (const auto& [reason, n] : rejected_) rejected[py::str(reason)] = n;
    d["rejected"] = rejected;
    d["dropped_frames"] = sub_->counters().dropped();
    return d;
  }

 private:
  void keep(const bus::Message& m) {
    Event& e = events_.emplace_back();
    e.type = m.frame.header.type;
    e.event_ns = m.frame.header.event_ns;
    e.send_ns = m.frame.header.send_ns;
    bool ok = false;
    switch (e.type) {
      case wire::MsgType::kBar:
        ok = wire::body_as(m.frame, e.bar) && e.bar.flags == 0;
        break;
      case wire::MsgType::kFeatures:
        ok = wire::body_as(m.frame, e.features);
        break;
      case wire::MsgType::kExecutionReport:
        ok = wire::body_as(m.frame, e.report) &&
             (e.report.exec_type == wire::ExecType::kFill ||
              e.report.exec_type == wire::ExecType::kPartialFill);
        break;
      case wire::MsgType::kBarrier:
        ok = wire::body_as(m.frame, e.barrier);
        break;
      case wire::MsgType::kHeartbeat:
        ok = wire::body_as(m.frame, e.heartbeat);
        break;
      default:
        break;
    }
    if (!ok) events_.pop_back();
  }

  // strategy.max_lag_bars: of the bars (and features) of a symbol waiting in this batch, all
  // but the newest max_lag_bars are skipped - never in lockstep, where no bar waits.
  void mark_stale_bars() {
    if (max_lag_bars_ <= 0 || lockstep_) return;
    newer_.clear();  // keeps its capacity: nothing allocated once warm
    for (auto it = events_.rbegin(); it != events_.rend(); ++it) {
      if (it->type != wire::MsgType::kBar && it->type != wire::MsgType::kFeatures) continue;
      const auto sym =
          it->type == wire::MsgType::kBar ? it->bar.symbol.view() : it->features.symbol.view();
      auto seen =
          std::find_if(newer_.begin(), newer_.end(), [&](const auto& p) { return p.first == sym; });
      if (seen == newer_.end()) seen = newer_.insert(newer_.end(), {sym, 0});
      if (++seen->second > max_lag_bars_) {
        it->type = wire::MsgType{};  // skipped
        ++skipped_bars_;
        ++lag_warnings_pending_;
      }
    }
  }

  void handle(const Event& e) {
    switch (e.type) {
      case wire::MsgType::kBar: {
        const std::int32_t s = strategy_.symbol_index(e.bar.symbol.view());
        if (e.bar.start_ns <= warmed(s)) return;  // fed in the warm-up already
        ++bars_;
        note_lag(e.send_ns);
        const Bar bar{e.bar.open, e.bar.high, e.bar.low, e.bar.close, e.bar.volume, e.bar.start_ns};
        timed([&] { strategy_.call_bar(s, bar, targets_); });
        send(e.bar.start_ns);
        return;
      }
      case wire::MsgType::kFeatures: {
        const std::int32_t s = strategy_.symbol_index(e.features.symbol.view());
        if (e.features.bar_ns <= warmed(s)) return;
        ++features_;
        note_lag(e.send_ns);
        timed([&] {
          strategy_.call_features(s, e.features.values, e.features.ready != 0, e.features.bar_ns,
                                  targets_);
        });
        send(e.features.bar_ns);
        return;
      }
      case wire::MsgType::kExecutionReport: {
        ++fills_;
        const std::int32_t s = strategy_.symbol_index(e.report.symbol.view());
        const backtest::Strategy::FillEvent f{s,
                                              e.report.side == wire::Side::kBuy,
                                              e.report.last_qty,
                                              e.report.last_price,
                                              e.report.client_order_id,
                                              e.event_ns};
        timed([&] { strategy_.on_fill(f, targets_); });
        send(e.event_ns);
        return;
      }
      case wire::MsgType::kBarrier:
        on_barrier(e.barrier);
        return;
      case wire::MsgType::kHeartbeat: {
        const auto who = e.heartbeat.component.view();
        if (who == "market-data") {
          heard_market_ = true;
          market_done_ =
              e.heartbeat.state >= static_cast<std::uint8_t>(wire::ComponentState::kDone);
        } else if (who == "signal-bridge") {
          heard_bridge_ = true;
          bridge_drained_ =
              (e.heartbeat.flags & static_cast<std::uint8_t>(wire::HeartbeatFlag::kDrained)) != 0;
        } else if (who == "execution") {
          heard_execution_ = true;
        }
        return;
      }
      default:
        return;
    }
  }

  // A data barrier: once every source this strategy reads has passed the batch, it has seen
  // the whole batch and decided it (its signals are already pushed): say so.
  void on_barrier(const wire::BarrierMsg& b) {
    if (b.kind != wire::BarrierKind::kData) return;
    if (b.component.view() == "market-data") data_market_ = std::max(data_market_, b.number);
    if (b.component.view() == "signal-bridge") data_bridge_ = std::max(data_bridge_, b.number);
    if (!lockstep_) return;
    std::uint64_t through = data_market_;
    if (strategy_.has_features()) through = std::min(through, data_bridge_);
    if (through <= decided_sent_) return;
    decided_sent_ = through;
    wire::BarrierMsg out{};
    out.component.assign_truncated(name_);
    out.number = through;
    out.market_ns = b.market_ns;
    out.kind = wire::BarrierKind::kDecided;
    push(bus::topics::kBarrier, out, b.market_ns);
  }

  template <class F>
  void timed(F&& f) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    callback_ns_ += static_cast<double>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
            .count());
    ++calls_;
  }

  void note_lag(std::int64_t send_ns) {
    last_lag_ns_ = std::max<std::int64_t>(0, bus::wall_clock_ns() - send_ns);
    max_lag_ns_ = std::max(max_lag_ns_, last_lag_ns_);
  }

  // The signals the last hook returned, about the market at `event_ns` (the bridge may use it
  // only to move the decision later: signal_validator.hpp, decision_time).
  void send(std::int64_t event_ns) {
    auto& meta = strategy_.metadata();
    for (std::size_t i = 0; i < targets_.size(); ++i) {
      const backtest::Target& t = targets_[i];
      wire::SignalMsg s{};
      const std::string& symbol = strategy_.symbol_name(t.symbol);
      s.strategy.assign_truncated(name_);
      s.signal_ns = bus::wall_clock_ns();
      s.strength = t.strength;
      s.direction = static_cast<std::int8_t>((t.strength > 0) - (t.strength < 0));
      if (i < meta.size()) s.metadata.assign_truncated(meta[i]);
      if (!s.symbol.assign(symbol)) {
        ++rejected_["unknown_symbol"];
        continue;
      }
      push(bus::Topic{bus::topics::kSignal, name_, ".", symbol}, s, event_ns);
      ++signals_;
    }
    targets_.clear();
    meta.clear();
  }

  void beat(wire::ComponentState state) {
    wire::HeartbeatMsg hb{};
    hb.component.assign_truncated(name_);
    hb.state = static_cast<std::uint8_t>(state);
    hb.messages_out = seq_;
    push(bus::Topic{bus::topics::kHeartbeat, name_}, hb, bus::wall_clock_ns());
  }

  template <class Body>
  void push(std::string_view topic, const Body& body, std::int64_t event_ns) {
    wire::Header h;
    h.seq = ++seq_;
    h.event_ns = event_ns;
    h.send_ns = bus::wall_clock_ns();
    std::array<std::byte, wire::kMaxFrameSize> frame{};
    const std::size_t n = wire::encode(h, body, frame);
    // Blocking while the ingress queue is full: a signal is never dropped here.
    (void)push_.send(zmq::buffer(topic.data(), topic.size()), zmq::send_flags::sndmore);
    (void)push_.send(zmq::buffer(frame.data(), n), zmq::send_flags::none);
  }

  std::int64_t warmed(std::int32_t s) const {
    const auto i = static_cast<std::size_t>(s);
    return i < warmed_.size() ? warmed_[i] : INT64_MIN;
  }

  FeatureComputer& computer(std::int32_t s) {
    const auto i = static_cast<std::size_t>(s);
    const auto& c = config_.signal_bridge;
    while (computers_.size() <= i) {
      computers_.emplace_back(
          FeatureConfig{c.rsi_period, c.macd_fast, c.macd_slow, c.macd_signal, c.sma_period});
    }
    if (warmed_.size() <= i) warmed_.resize(i + 1, INT64_MIN);
    return computers_[i];
  }

  ops::EngineConfig config_;
  PyStrategy strategy_;
  std::string name_;
  zmq::context_t context_;
  std::optional<bus::Subscriber> sub_;
  zmq::socket_t push_;
  std::string control_endpoint_;
  bus::CurveKeys curve_;
  bool lockstep_ = false;
  int max_lag_bars_ = 0;
  std::vector<Event> events_;
  std::vector<backtest::Target> targets_;
  std::vector<FeatureComputer> computers_;
  std::vector<std::int64_t> warmed_;  // per symbol: the last warm-up bar's start
  std::map<std::string, std::uint64_t> rejected_;
  std::vector<std::pair<std::string_view, int>> newer_;  // mark_stale_bars: bars per symbol
  std::uint64_t seq_ = 0, bars_ = 0, features_ = 0, fills_ = 0, signals_ = 0, skipped_bars_ = 0,
                lag_warnings_pending_ = 0, warmup_bars_ = 0, calls_ = 0;
  std::uint64_t data_market_ = 0, data_bridge_ = 0, decided_sent_ = 0;
  std::int64_t last_lag_ns_ = 0, max_lag_ns_ = 0;
  double callback_ns_ = 0;
  bool heard_market_ = false, heard_bridge_ = false, heard_execution_ = false;
  bool market_done_ = false, bridge_drained_ = false;
};

}  // namespace

void bind_live(py::module_& m) {
  py::class_<LiveRunner>(m, "LiveRunner",
                         "A Strategy against a running engine, the bus handled in C++ "
                         "(ztrade.strategy.run_live wraps it).")
      .def(py::init<py::object, const std::string&, const std::map<std::string, std::string>&>(),
           py::arg("strategy"), py::arg("config_path") = std::string(),
           py::arg("overrides") = std::map<std::string, std::string>{})
      .def("warm_up", &LiveRunner::warm_up, py::arg("timeout_s") = 2.0,
           "Feeds the recent bars market-data keeps through the hooks (their signals "
           "discarded); returns how many.")
      .def("run", &LiveRunner::run, py::arg("should_stop") = py::none(),
           py::arg("warn") = py::none(),
           "Handles bus messages until the session ends or should_stop() is true; returns "
           "counters. A hook's exception propagates, noted with the hook, symbol and bar time.")
      .def("report", &LiveRunner::report, py::arg("state"),
           "Tells signal-bridge this strategy has ended: 'done' or 'failed'.")
      .def("stats", &LiveRunner::stats);
}

}  // namespace ztrade::py_bindings
