#include "execution/execution_component.hpp"
#include "brokers/brokers.hpp"
#include "bus/topic.hpp"

#include <unistd.h>

#include <chrono>
#include <functional>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

namespace ztrade::execution {

using namespace std::chrono_literals;

namespace {
// The config reader has checked the name against kJournalSyncNames.
JournalSync journal_sync_of(std::string_view name) {
  for (const auto& [n, mode] : kJournalSyncNames) {
    if (n == name) return mode;
  }
  return JournalSync::kOff;
}
}  // namespace

ExecutionComponent::ExecutionComponent(zmq::context_t& context, const ops::Wiring& wiring,
                                       const ExecutionConfig& config)
    : log_(ops::make_logger("execution", wiring.log_level)),
      pub_(context,
           wiring.publisher(wiring.endpoints.execution, wiring.endpoints.external.execution),
           config.publisher_id),
      sub_(context, wiring.subscriber({wiring.endpoints.risk, wiring.endpoints.market_data},
                                      {bus::topics::kOrders, bus::topics::kBar, bus::topics::kTrade,
                                       bus::topics::kHeartbeat, bus::topics::kBarrier})),
      journal_path_(wiring.in_run_dir(config.journal)),
      orders_(std::make_unique<Journal>(journal_path_, journal_sync_of(config.journal_sync)),
              *this),
      broker_(brokers::make_broker(config.broker, orders_, config, log_)),
      ops_(config.ops_port) {
  if (!broker_) {
    throw std::runtime_error("execution.broker = \"" + config.broker +
                             "\" names no broker adapter (brokers/adapters.hpp)");
  }
  restored_ = orders_.recover(journal_path_);
  if (restored_.records == 0) {
    log_->info("journal {}: new session", journal_path_);
  } else {
    // Say it loudly: trading continues from the state of an earlier session.
    log_->warn(
        "RESUMING from journal {}: restored {} records ({} torn bytes dropped), {} open orders, "
        "{} position(s)",
        journal_path_, restored_.records, restored_.torn_bytes, orders_.open_orders().size(),
        orders_.portfolio().positions().size());
  }
}

void ExecutionComponent::on_report(const wire::ExecutionReportMsg& r, std::int64_t event_ns) {
  pub_.publish(bus::Topic{bus::topics::kExecutionReport, r.symbol.view()}, r, event_ns);
}

void ExecutionComponent::on_position(const wire::PositionMsg& p, std::int64_t event_ns) {
  pub_.publish(bus::Topic{bus::topics::kPosition, p.symbol.view()}, p, event_ns);
}

void ExecutionComponent::publish_mark(std::string_view symbol, std::int64_t event_ns) {
  pub_.publish(bus::Topic{bus::topics::kExecutionMark, symbol}, orders_.portfolio().message(symbol),
               event_ns);
}

void ExecutionComponent::publish_snapshot() {
  for (const auto& [symbol, _] : orders_.portfolio().positions()) {
    pub_.publish(bus::Topic{bus::topics::kExecutionSnapshot, symbol},
                 orders_.portfolio().message(symbol), market_ns_);
  }
  wire::PositionMsg end{};  // empty symbol: the list is complete
  pub_.publish(bus::topics::kExecutionSnapshot, end, market_ns_);
}

ExecutionComponent::BarFeed& ExecutionComponent::bar_feed(std::string_view symbol) {
  auto it = bar_feeds_.find(symbol);
  if (it == bar_feeds_.end()) it = bar_feeds_.emplace(symbol, BarFeed{}).first;
  return it->second;
}

std::int64_t ExecutionComponent::decided_at(std::string_view symbol, std::int64_t event_ns) const {
  // Signals carry the start of the bar they were made on (the engine's event time), but the
  // decision needed the bar's close. Where trades arrive between bars, an order fills only at
  // what came after its bar ended - never at a trade inside the bar it was decided on. A
  // bars-only feed needs nothing: the next price event is the next bar's open.
  const auto it = bar_feeds_.find(symbol);
  if (it == bar_feeds_.end() || !it->second.trades || it->second.interval_ns <= 0) {
    return event_ns;
  }
  return event_ns + it->second.interval_ns - 1;
}

void ExecutionComponent::on_message(const bus::Message& m) {
  switch (m.frame.header.type) {
    case wire::MsgType::kNewOrder: {
      wire::NewOrderMsg o{};
      if (!wire::body_as(m.frame, o)) break;
      order_latency_.record_ns(bus::wall_clock_ns() - m.frame.header.send_ns);
      // The order's time: its decision, or what execution had seen when it arrived, whichever
      // is later (order_time) - the simulator fills it at the first price event after that.
      const SubmitResult r = orders_.submit(
          o, execution::order_time(decided_at(o.symbol.view(), m.frame.header.event_ns), seen_ns_));
      if (r == SubmitResult::kAccepted) {
        const auto overruns = broker_->degraded_fills();
        broker_->on_order(o.client_order_id);
        if (broker_->degraded_fills() != overruns) {
          log_->warn(
              "order {}: its next price event was beyond the simulator's history; filled "
              "at the oldest kept event (history_overruns={})",
              o.client_order_id, broker_->degraded_fills());
        }
      }
      if (r == SubmitResult::kDuplicate) {
        log_->warn("duplicate client_order_id={} ignored (already journaled)", o.client_order_id);
      } else if (r == SubmitResult::kJournalError) {
        log_->error("journal write failed: order {} refused", o.client_order_id);
      }
      break;
    }
    case wire::MsgType::kCancelOrder: {
      wire::CancelOrderMsg c{};
      if (wire::body_as(m.frame, c)) broker_->on_cancel(c.client_order_id, market_ns_);
      break;
    }
    case wire::MsgType::kBar: {
      wire::BarMsg b{};
      if (!wire::body_as(m.frame, b)) break;
      // Orders decided on an earlier bar execute at this bar's open; positions then mark to
      // its close.
      market_ns_ = b.start_ns;
      seen_ns_ = std::max(seen_ns_, b.start_ns);
      if (b.flags == 0 && b.interval_ns > 0) bar_feed(b.symbol.view()).interval_ns = b.interval_ns;
      broker_->on_price(b.symbol.view(), b.open, b.start_ns, b.close, b.volume);
      // While orders are open, tell risk this bar has been processed: every fill up to its
      // time is reported before this mark (risk decides in event time; see RiskComponent).
      if (!orders_.open_orders().empty()) publish_mark(b.symbol.view(), b.start_ns);
      break;
    }
    case wire::MsgType::kTrade: {
      wire::TradeMsg t{};
      if (!wire::body_as(m.frame, t)) break;
      market_ns_ = t.exchange_ns;
      seen_ns_ = std::max(seen_ns_, t.exchange_ns);
      bar_feed(t.symbol.view()).trades = true;
      broker_->on_price(t.symbol.view(), t.price, t.exchange_ns, 0, t.size);
      break;
    }
    case wire::MsgType::kBarrier: {
      wire::BarrierMsg b{};
      if (!wire::body_as(m.frame, b) || b.kind != wire::BarrierKind::kDecided ||
          b.component.view() != "risk") {
        break;
      }
      // Every order of the batch has reached the broker (risk's socket, in order): market-data
      // may publish the next batch.
      b.component.assign_truncated("execution");
      pub_.publish(bus::Topic{bus::topics::kBarrier, "execution"}, b, b.market_ns);
      break;
    }
    case wire::MsgType::kHeartbeat: {
      if (upstreams_.on_heartbeat(m.frame)) {
        if (ops::heartbeat_tick(heartbeat_, pub_, ready(), true)) publish_snapshot();
      }
      if (ops::drained_upstream(m.frame, "risk")) risk_drained_ = true;
      wire::HeartbeatMsg hb{};
      if (!wire::body_as(m.frame, hb)) break;
      if (hb.component.view() == "market-data" &&
          hb.state == static_cast<std::uint8_t>(ops::ComponentState::kDone) && !final_marks_) {
        // The source has ended: publish every position marked to its final price.
        final_marks_ = true;
        market_done_ = true;
        for (const auto& [symbol, _] : orders_.portfolio().positions()) {
          publish_mark(symbol, market_ns_);
        }
        for (const auto& [id, o] : orders_.open_orders()) {
          if (!orders_.portfolio().find(o->symbol.view()))
            publish_mark(o->symbol.view(), market_ns_);
        }
      }
      break;
    }
    default:
      break;
  }
}

void ExecutionComponent::maybe_publish_metrics(bool now) {
  if (!ops_.due() && !now) return;
  losses_.check(*log_, sub_);
  std::string m;
  const std::string c = "component=\"execution\"";
  ops::render_bus(m, "execution", pub_, sub_);
  const auto& k = orders_.counters();
  ops::metric(m, "ztrade_orders_total", c + ",result=\"accepted\"",
              static_cast<double>(k.accepted));
  ops::metric(m, "ztrade_orders_total", c + ",result=\"rejected\"",
              static_cast<double>(k.rejected));
  ops::metric(m, "ztrade_orders_total", c + ",result=\"duplicate\"",
              static_cast<double>(k.duplicates));
  ops::metric(m, "ztrade_fills_total", c + ",kind=\"fill\"", static_cast<double>(k.fills));
  ops::metric(m, "ztrade_fills_total", c + ",kind=\"partial\"",
              static_cast<double>(k.partial_fills));
  ops::metric(m, "ztrade_journal_errors_total", c, static_cast<double>(k.journal_errors));
  ops::metric(m, "ztrade_journal_syncs_total", c, static_cast<double>(orders_.journal_syncs()));
  ops::metric(m, "ztrade_sim_history_overruns_total", c,
              static_cast<double>(broker_->degraded_fills()));
  ops::metric(m, "ztrade_open_orders", c, static_cast<double>(orders_.open_orders().size()));
  std::string positions;
  for (const auto& [symbol, p] : orders_.portfolio().positions()) {
    const std::string l = c + ",symbol=\"" + symbol + "\"";
    ops::metric(m, "ztrade_position_quantity", l, p.quantity);
    ops::metric(m, "ztrade_position_realized_pnl", l, p.realized);
    ops::metric(m, "ztrade_position_unrealized_pnl", l, p.unrealized());
    positions += fmt::format(
        R"({}"{}":{{"quantity":{},"avg_price":{},"realized":{},"unrealized":{}}})",
        positions.empty() ? "" : ",", symbol, p.quantity, p.avg_price, p.realized, p.unrealized());
  }
  order_latency_.render(m, "ztrade_hop_latency_seconds", c + ",hop=\"risk->execution\"");
  ops::metric(m, "ztrade_late_fills_total", c, static_cast<double>(k.late_fills));
  broker_->render_metrics(m);
  const std::string broker_status = broker_->status_json();
  ops_.snapshot().publish(
      std::move(m),
      fmt::format(R"({{"component":"execution","ready":{},"open_orders":{},"fills":{},)"
                  R"("restored_records":{},"settled":{},"positions":{{{}}}{}}})",
                  ready(), orders_.open_orders().size(), k.fills + k.partial_fills,
                  restored_.records, settled_, positions,
                  broker_status.empty() ? std::string() : ",\"broker\":" + broker_status),
      ready());
}

void ExecutionComponent::tick() {
  orders_.end_batch();  // what the broker booked between bus messages (its own I/O)
  // The broker's reduce-only state goes to risk at once when it changes (a heartbeat now, not
  // at the next second): orders decided meanwhile would add exposure the broker's state forbids.
  const bool reduce_only = broker_->reduce_only();
  const bool reduce_changed = reduce_only != was_reduce_only_;
  was_reduce_only_ = reduce_only;
  heartbeat_.set_flags(reduce_only ? static_cast<std::uint8_t>(wire::HeartbeatFlag::kReduceOnly)
                                   : 0);
  // Settling starts once risk has drained: the last bar's order (if any) has arrived.
  if (market_done_ && risk_drained_ && !settled_ && broker_->settle(bus::wall_clock_ns())) {
    // Every order is final at the broker (or the wait is over): done - the launcher's cue
    // that the session's results are complete.
    settled_ = true;
    for (const auto& [symbol, _] : orders_.portfolio().positions())
      publish_mark(symbol, market_ns_);
    // /status with the settled state (the broker's final positions) before anyone hears
    // "done" and reads it: a snapshot due only a second later could be read stale.
    maybe_publish_metrics(true);
    heartbeat_.maybe_send(pub_, ops::ComponentState::kDone, 1000ms, true);
  }
  const bool ready_now = ready();
  if (settled_) {
    heartbeat_.maybe_send(pub_, ops::ComponentState::kDone, 1000ms);
  } else if (ops::heartbeat_tick(heartbeat_, pub_, ready_now,
                                 ready_now != was_ready_ || reduce_changed)) {
    publish_snapshot();
  }
  was_ready_ = ready_now;
  maybe_publish_metrics();
}

void ExecutionComponent::run_with_io(boost::asio::io_context& io, const std::atomic<bool>& stop) {
  // The SUB socket's file descriptor signals (edge-style) that ZeroMQ has work; what arrived
  // before a wait began does not signal again, so every wake-up drains until ZMQ_EVENTS says
  // nothing is left, and only then waits.
  boost::asio::posix::stream_descriptor bus_fd(io, ::dup(sub_.socket().get(zmq::sockopt::fd)));
  boost::asio::steady_timer timer(io);
  bus::Message m;
  std::function<void()> wait_bus = [&] {
    while (sub_.socket().get(zmq::sockopt::events) & ZMQ_POLLIN) {
      while (sub_.receive(m, 0ms)) on_message(m);
    }
    orders_.end_batch();
    bus_fd.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                      [&](boost::system::error_code ec) {
                        if (!ec) wait_bus();
                      });
  };
  std::function<void()> every_100ms = [&] {
    if (stop) {
      io.stop();
      return;
    }
    tick();
    timer.expires_after(100ms);
    timer.async_wait([&](boost::system::error_code ec) {
      if (!ec) every_100ms();
    });
  };
  wait_bus();
  every_100ms();
  io.run();
}

void ExecutionComponent::start() {
  for (const auto& [symbol, _] : orders_.portfolio().positions()) {
    on_position(orders_.portfolio().message(symbol), bus::wall_clock_ns());
  }
  broker_->start();  // throws (a clear start-up error) when the broker cannot be used
}

void ExecutionComponent::drain() {
  bus::Message m;
  while (sub_.receive(m, 0ms)) on_message(m);
  orders_.end_batch();
}

void ExecutionComponent::finish() {
  broker_->stop();
  orders_.flush();
  const auto& c = orders_.counters();
  log_->info(
      "stopped: accepted={} rejected={} fills={} partial_fills={} duplicates={} "
      "history_overruns={} realized={:.2f} unrealized={:.2f}",
      c.accepted, c.rejected, c.fills, c.partial_fills, c.duplicates, broker_->degraded_fills(),
      orders_.portfolio().realized(), orders_.portfolio().unrealized());
}

int ExecutionComponent::run(const std::atomic<bool>& stop) {
  auto* io = broker_->io();
  if (io == nullptr) return ops::run_steps(*this, sub_.socket(), stop);
  start();
  run_with_io(*io, stop);
  finish();
  return 0;
}

}  // namespace ztrade::execution
