#include "risk/risk_component.hpp"
#include "bus/topic.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>

#include "bus/socket_options.hpp"
#include "ops/control_protocol.hpp"
#include "ops/state_file.hpp"

namespace ztrade::risk {

using namespace std::chrono_literals;

RiskComponent::RiskComponent(zmq::context_t& context, const ops::Wiring& wiring,
                             const RiskConfig& config, std::string control_token)
    : log_(ops::make_logger("risk", wiring.log_level)),
      pub_(context, wiring.publisher(wiring.endpoints.risk, wiring.endpoints.external.risk),
           config.publisher_id),
      sub_(context,
           wiring.subscriber(
               {wiring.endpoints.market_data, wiring.endpoints.signals, wiring.endpoints.execution},
               {bus::topics::kBar, bus::topics::kTrade, bus::topics::kQuote, bus::topics::kSignal,
                bus::topics::kExecution, bus::topics::kHeartbeat, bus::topics::kBarrier})),
      control_(context, {wiring.endpoints.risk_control, wiring.endpoints.external.risk_control},
               wiring.curve),
      token_(std::move(control_token)),
      state_path_(wiring.in_run_dir("risk.state")),
      engine_(config),
      // Unique across restarts: start time in ms, times 1000, plus a counter.
      next_order_id_(static_cast<std::uint64_t>(bus::wall_clock_ns() / 1'000'000) * 1000),
      ops_(config.ops_port) {
  if (token_.size() > ops::kMaxControlToken) {
    throw std::runtime_error(
        fmt::format("the control token in ${} is {} bytes; at most {} are accepted",
                    config.control_token_env, token_.size(), ops::kMaxControlToken));
  }
  // The trading state outlives the process: an operator's HALT (or a daily-loss halt) holds
  // across a crash and restart. Until execution has told us its positions we trade nothing
  // new either way (REDUCING): a risk that believed itself flat would size orders wrongly.
  const auto saved = ops::read_state_file(state_path_);
  if (saved) {
    for (TradingState st :
         {TradingState::kActive, TradingState::kReducing, TradingState::kHalted}) {
      if (*saved == state_name(st)) restored_state_ = st;
    }
  }
  engine_.set_state(restored_state_ == TradingState::kHalted ? TradingState::kHalted
                                                             : TradingState::kReducing);
  if (saved) {
    log_->warn("trading state {} restored from {}; REDUCING until execution reports positions",
               state_name(restored_state_), state_path_);
  }
}

std::string RiskComponent::state_reply(TradingState s) {
  // The control path, not the hot one: the reply is built from the state's one name.
  return fmt::format("OK {}", state_name(s));
}

void RiskComponent::set_trading_state(TradingState s, std::string_view why) {
  if (!positions_known_) {
    // Until execution has reported its positions nothing new is traded: a RESUME takes
    // effect then, a HALT at once.
    restored_state_ = s;
    engine_.set_state(s == TradingState::kHalted ? TradingState::kHalted : TradingState::kReducing);
  } else {
    engine_.set_state(s);
  }
  store_trading_state(s, why);
}

void RiskComponent::persist_trading_state(std::string_view why) {
  if (!positions_known_ && engine_.state() == TradingState::kHalted) {
    restored_state_ = TradingState::kHalted;
  }
  store_trading_state(engine_.state(), why);
}

void RiskComponent::store_trading_state(TradingState s, std::string_view why) {
  if (!ops::write_state_file(state_path_, state_name(s))) {
    ++stats_.state_write_errors;
    log_->error("cannot store the trading state in {}: {} (it holds until this process ends)",
                state_path_, std::strerror(errno));
  }
  log_->warn("trading state {} ({}){}", state_name(s), why,
             engine_.state() == s ? "" : ": REDUCING until execution reports positions");
}

void RiskComponent::on_positions_known() {
  positions_known_ = true;
  if (engine_.state() == TradingState::kReducing && restored_state_ != TradingState::kReducing) {
    engine_.set_state(restored_state_);
  }
  log_->info("execution reported its positions: trading state {}", state_name(engine_.state()));
  ops::heartbeat_tick(heartbeat_, pub_, ready_now(), true);
}

bool RiskComponent::ready_now() const noexcept {
  return upstreams_.all_heard() && positions_known_;
}

void RiskComponent::on_signal(const bus::Message& m) {
  wire::SignalMsg s{};
  if (!wire::body_as(m.frame, s)) return;
  ++stats_.signals;
  signal_latency_.record_ns(bus::wall_clock_ns() - m.frame.header.send_ns);
  if (waiting_head_ > 0 && waiting_head_ == waiting_.size()) {
    waiting_.clear();
    waiting_head_ = 0;
  }
  waiting_.push_back({s, m.frame.header, bus::wall_clock_ns()});
}

bool RiskComponent::ready(const WaitingSignal& w) const {
  if (w.barrier != 0) return true;  // its place in the queue is the wait
  const std::int64_t t = w.header.event_ns;
  if (market_clock_ns_ < t && !market_done_) return false;
  return orders_.settled_before(t, exec_marks_, exec_mark_ns_);
}

void RiskComponent::release_signals(std::int64_t now_wall_ns) {
  while (waiting_head_ < waiting_.size()) {
    const WaitingSignal& w = waiting_[waiting_head_];
    if (!ready(w)) {
      if (now_wall_ns - w.arrived_wall_ns < kMaxSignalWaitNs) return;
      ++stats_.signal_wait_timeouts;
      log_->warn(
          "signal {} for {} waited {} ms for the market or execution to reach its time; "
          "deciding it now",
          w.header.seq, w.signal.symbol.view(), (now_wall_ns - w.arrived_wall_ns) / 1'000'000);
    }
    if (w.barrier != 0) {
      // Every signal before the barrier is decided and its order published: pass it on.
      wire::BarrierMsg b{};
      b.component.assign_truncated("risk");
      b.number = w.barrier;
      b.market_ns = w.header.event_ns;
      b.kind = wire::BarrierKind::kDecided;
      pub_.publish(bus::Topic{bus::topics::kBarrier, "risk"}, b, w.header.event_ns);
    } else {
      decide(w.signal, w.header);
    }
    ++waiting_head_;
  }
  waiting_.clear();  // keeps its capacity
  waiting_head_ = 0;
}

void RiskComponent::decide(const wire::SignalMsg& s, const wire::Header& h) {
  const std::int64_t t = h.event_ns;
  const auto out = desk_.decide(s, t, h.seq, next_order_id_ + 1, bus::wall_clock_ns());
  const std::string_view sym = s.symbol.view();
  if (out.resumed_now) {
    log_->warn(
        "a new trading day (risk.day_boundary) began at market time {} ns: the daily "
        "loss halt ends, trading ACTIVE",
        t);
    persist_trading_state("new trading day");
  }
  if (out.halted_now) {
    log_->error("daily loss limit breached (day pnl={:.2f} at market time {} ns): trading HALTED",
                engine_.day_pnl_at(t), t);
    persist_trading_state("daily loss limit");
  }
  if (out.kind == RiskDesk::Outcome::Kind::kReject) {
    const wire::RiskRejectMsg& r = out.reject;
    pub_.publish(bus::Topic{bus::topics::kRiskReject, sym}, r, t);
    ++stats_.rejects;
    reject_log_.warn(*log_, "reject symbol={} strategy={} side={} qty={} reason={}",
                     ops::Printable{sym}, ops::Printable{s.strategy.view()},
                     r.side == wire::Side::kBuy ? "buy" : "sell", r.quantity,
                     reason_name(static_cast<RejectReason>(r.reason)));
    return;
  }
  if (out.kind != RiskDesk::Outcome::Kind::kOrder) return;
  ++next_order_id_;
  pub_.publish(bus::Topic{bus::topics::kNewOrder, sym}, out.order, t);
  ++stats_.orders;
}

void RiskComponent::on_report(const wire::ExecutionReportMsg& r, std::int64_t event_ns) {
  if (r.exec_type == wire::ExecType::kRejected) {
    const auto code = r.reject_code < stats_.exec_rejects.size() ? r.reject_code : 0;
    ++stats_.exec_rejects[code];
  }
  desk_.on_report(r, event_ns, exec_marks_);
}

void RiskComponent::on_execution_heartbeat(const wire::HeartbeatMsg& hb) {
  const bool reduce_only = hb.flags & static_cast<std::uint8_t>(wire::HeartbeatFlag::kReduceOnly);
  const TradingState current = positions_known_ ? engine_.state() : restored_state_;
  if (reduce_only && !execution_reduce_only_ && current == TradingState::kActive) {
    // Once, when execution first says so: an operator's RESUME afterwards stands.
    set_trading_state(TradingState::kReducing,
                      "execution: the broker holds state the journal cannot explain");
  }
  execution_reduce_only_ = reduce_only;
  if (orders_.on_execution_uptime(hb.uptime_ns)) {
    log_->warn("execution restarted: re-sending {} unfinished order(s) to reconcile their state",
               orders_.unfinished());
  }
}

void RiskComponent::resend_unacknowledged() {
  orders_.resend_due(
      bus::wall_clock_ns(),
      [&](const wire::NewOrderMsg& o, std::int64_t event_ns) {
        pub_.publish(bus::Topic{bus::topics::kNewOrder, o.symbol.view()}, o, event_ns);
        log_->warn("order {} unacknowledged: re-sent", o.client_order_id);
      },
      [&](const wire::NewOrderMsg& o) {
        log_->error("order {} still unacknowledged after {} sends: is execution running?",
                    o.client_order_id, OrderTracker::kMaxAttempts);
      });
}

void RiskComponent::on_market(std::string_view symbol, double price, std::int64_t ts_ns) {
  engine_.on_price(symbol, price, ts_ns);
  market_clock_ns_ = std::max(market_clock_ns_, ts_ns);
}

void RiskComponent::on_message(const bus::Message& m) {
  switch (m.frame.header.type) {
    case wire::MsgType::kBar: {
      wire::BarMsg b{};
      if (wire::body_as(m.frame, b)) on_market(b.symbol.view(), b.close, b.start_ns);
      break;
    }
    case wire::MsgType::kTrade: {
      wire::TradeMsg t{};
      if (wire::body_as(m.frame, t)) on_market(t.symbol.view(), t.price, t.exchange_ns);
      break;
    }
    case wire::MsgType::kQuote: {
      wire::QuoteMsg q{};
      if (wire::body_as(m.frame, q) && q.bid_price > 0 && q.ask_price > 0) {
        on_market(q.symbol.view(), (q.bid_price + q.ask_price) / 2, q.exchange_ns);
      }
      break;
    }
    case wire::MsgType::kSignal:
      on_signal(m);
      break;
    case wire::MsgType::kExecutionReport: {
      wire::ExecutionReportMsg r{};
      if (wire::body_as(m.frame, r)) on_report(r, m.frame.header.event_ns);
      break;
    }
    case wire::MsgType::kPosition: {
      wire::PositionMsg p{};
      if (!wire::body_as(m.frame, p)) break;
      if (m.topic.starts_with(bus::topics::kExecutionSnapshot)) {
        // The positions execution holds, sent with each of its heartbeats; an empty symbol
        // ends the list.
        if (p.symbol.view().empty()) {
          if (!positions_known_) on_positions_known();
        } else {
          engine_.on_position_snapshot(p);
        }
        break;
      }
      engine_.on_position(p);
      if (m.topic.starts_with(bus::topics::kExecutionMark)) {
        ++exec_marks_;
        exec_mark_ns_ = std::max(exec_mark_ns_, m.frame.header.event_ns);
      }
      break;
    }
    case wire::MsgType::kBarrier: {
      wire::BarrierMsg b{};
      if (!wire::body_as(m.frame, b) || b.kind != wire::BarrierKind::kDecided ||
          b.component.view() != "signal-bridge") {
        break;
      }
      if (waiting_head_ > 0 && waiting_head_ == waiting_.size()) {
        waiting_.clear();
        waiting_head_ = 0;
      }
      waiting_.push_back({wire::SignalMsg{}, m.frame.header, bus::wall_clock_ns(), b.number});
      break;
    }
    case wire::MsgType::kHeartbeat: {
      wire::HeartbeatMsg hb{};
      if (wire::body_as(m.frame, hb) && hb.component.view() == "execution") {
        on_execution_heartbeat(hb);
      }
      if (hb.component.view() == "market-data" &&
          hb.state >= static_cast<std::uint8_t>(ops::ComponentState::kDone)) {
        market_done_ = true;
      }
      if (upstreams_.on_heartbeat(m.frame) && ready_now()) {
        ops::heartbeat_tick(heartbeat_, pub_, true, true);
      }
      if (ops::drained_upstream(m.frame, "signal-bridge")) {
        upstream_drained_ = true;  // every signal has arrived (one socket, in order)
        maybe_drained();
      }
      break;
    }
    default:
      break;
  }
}

void RiskComponent::on_control() {
  const auto request = control_.receive();
  if (!request) return;
  const ops::ControlRequest r = ops::parse_control(*request);
  // Only the verb is ever logged, by its own name: the request may hold the token, or bytes
  // that would forge log lines.
  const std::string_view verb = ops::verb_name(r.verb);
  if (r.verb == ops::ControlVerb::kUnknown) {
    ++stats_.control_malformed;
    control_.reply("ERROR unknown command (HALT, REDUCE, RESUME, CANCEL_ALL <token>; STATE)");
    return;
  }
  if (r.verb == ops::ControlVerb::kState) {
    control_.reply(state_reply(engine_.state()));
    return;
  }
  if (!ops::token_matches(r.token, token_)) {
    ++stats_.control_denied;
    denied_log_.warn(*log_, "control: denied {} (bad or missing token)", verb);
    control_.reply("DENIED");
    return;
  }
  if (r.verb == ops::ControlVerb::kCancelAll) {
    // Every open order canceled at the broker; trading goes on in its current state.
    wire::CancelOrderMsg all{};
    pub_.publish(bus::topics::kCancelOrder, all, std::max<std::int64_t>(market_clock_ns_, 0));
    log_->warn("control: every open order canceled at the broker (CANCEL_ALL)");
    control_.reply(state_reply(engine_.state()));
    return;
  }
  const TradingState wanted = r.verb == ops::ControlVerb::kHalt     ? TradingState::kHalted
                              : r.verb == ops::ControlVerb::kReduce ? TradingState::kReducing
                                                                    : TradingState::kActive;
  set_trading_state(wanted, "control");
  if (wanted == TradingState::kHalted) {
    // The kill switch also cancels every open order at the broker (execution's broker adapter
    // does it; the cancels come back as execution reports).
    wire::CancelOrderMsg all{};
    pub_.publish(bus::topics::kCancelOrder, all, std::max<std::int64_t>(market_clock_ns_, 0));
    log_->warn("kill switch: every open order canceled at the broker");
  }
  if (engine_.state() != wanted) {
    control_.reply(fmt::format("{} ({} once execution reports positions)",
                               state_reply(engine_.state()), state_name(wanted)));
    return;
  }
  control_.reply(state_reply(engine_.state()));
}

void RiskComponent::maybe_publish_metrics() {
  if (!ops_.due()) return;
  losses_.check(*log_, sub_);
  std::string m;
  const std::string c = "component=\"risk\"";
  ops::render_bus(m, "risk", pub_, sub_);
  ops::metric(m, "ztrade_signals_received_total", c, static_cast<double>(stats_.signals.load()));
  ops::metric(m, "ztrade_orders_sent_total", c, static_cast<double>(stats_.orders.load()));
  for (std::size_t i = 1; i < kRejectReasonCount; ++i) {
    ops::metric(m, "ztrade_risk_rejects_total",
                c + ",reason=\"" + std::string(reason_name(static_cast<RejectReason>(i))) + "\"",
                static_cast<double>(engine_.rejects()[i]));
  }
  for (const auto& [name, code] : wire::kExecRejectNames) {
    // Code 0 also counts reasons this version does not know (a newer execution's).
    ops::metric(m, "ztrade_exec_rejects_total", fmt::format("{},reason=\"{}\"", c, name),
                static_cast<double>(stats_.exec_rejects[static_cast<std::size_t>(code)].load()));
  }
  ops::metric(m, "ztrade_trading_state", c, static_cast<double>(engine_.state()));
  ops::metric(m, "ztrade_control_requests_total", c + ",result=\"denied\"",
              static_cast<double>(stats_.control_denied.load()));
  ops::metric(m, "ztrade_control_requests_total", c + ",result=\"malformed\"",
              static_cast<double>(stats_.control_malformed.load() + control_.counters().malformed));
  ops::metric(m, "ztrade_control_errors_total", c, static_cast<double>(control_.counters().errors));
  ops::metric(m, "ztrade_state_write_errors_total", c,
              static_cast<double>(stats_.state_write_errors.load()));
  ops::metric(m, "ztrade_orders_unfinished", c, static_cast<double>(orders_.unfinished()));
  ops::metric(m, "ztrade_orders_resent_total", c, static_cast<double>(orders_.counters().resent));
  ops::metric(m, "ztrade_orders_abandoned_total", c,
              static_cast<double>(orders_.counters().gave_up));
  ops::metric(m, "ztrade_execution_restarts_total", c,
              static_cast<double>(orders_.counters().execution_restarts));
  ops::metric(m, "ztrade_risk_signals_waiting", c,
              static_cast<double>(waiting_.size() - waiting_head_));
  ops::metric(m, "ztrade_risk_signal_wait_timeouts_total", c,
              static_cast<double>(stats_.signal_wait_timeouts.load()));
  ops::metric(m, "ztrade_risk_price_history_overruns_total", c,
              static_cast<double>(engine_.history_overruns()));
  ops::metric(m, "ztrade_pnl_total", c, engine_.pnl_latest());
  ops::metric(m, "ztrade_gross_exposure", c, engine_.gross_exposure());
  signal_latency_.render(m, "ztrade_hop_latency_seconds", c + ",hop=\"signal-bridge->risk\"");
  ops_.snapshot().publish(
      std::move(m),
      fmt::format(R"({{"component":"risk","ready":{},"trading_state":"{}","orders":{},)"
                  R"("rejects":{},"pnl":{},"gross_exposure":{}}})",
                  ready_now(), state_name(engine_.state()), stats_.orders.load(),
                  stats_.rejects.load(), engine_.pnl_latest(), engine_.gross_exposure()),
      ready_now());
}

void RiskComponent::start() {
  if (token_.empty()) log_->warn("no control token set: HALT/REDUCE/RESUME are disabled");
}

void RiskComponent::maybe_drained() {
  if (drained_ || !upstream_drained_ || waiting_head_ < waiting_.size()) return;
  drained_ = true;
  heartbeat_.set_flags(static_cast<std::uint8_t>(wire::HeartbeatFlag::kDrained));
  ops::heartbeat_tick(heartbeat_, pub_, ready_now(), true);
}

void RiskComponent::drain() {
  bus::Message m;
  while (sub_.receive(m, 0ms)) {
    on_message(m);
    if (waiting_head_ < waiting_.size()) release_signals(bus::wall_clock_ns());
    maybe_drained();
  }
}

void RiskComponent::tick() {
  ops::heartbeat_tick(heartbeat_, pub_, ready_now());
  maybe_publish_metrics();
  if (waiting_head_ < waiting_.size()) release_signals(bus::wall_clock_ns());
  maybe_drained();
  on_control();
  resend_unacknowledged();
}

void RiskComponent::wake_items(std::vector<zmq::pollitem_t>& items) {
  items.push_back({control_.socket().handle(), 0, ZMQ_POLLIN, 0});
}

int RiskComponent::run(const std::atomic<bool>& stop) {
  return ops::run_steps(*this, sub_.socket(), stop);
}

void RiskComponent::finish() {
  std::string by_reason;
  for (std::size_t i = 1; i < kRejectReasonCount; ++i) {
    if (engine_.rejects()[i]) {
      by_reason +=
          fmt::format(" {}={}", reason_name(static_cast<RejectReason>(i)), engine_.rejects()[i]);
    }
  }
  log_->info("stopped: signals={} orders={} rejects={}{} state={}", stats_.signals.load(),
             stats_.orders.load(), stats_.rejects.load(), by_reason, state_name(engine_.state()));
}

}  // namespace ztrade::risk
