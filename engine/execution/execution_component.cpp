#include "execution/execution_component.hpp"

#include <chrono>
#include <filesystem>

namespace ztrade::execution {

using namespace std::chrono_literals;

namespace {
std::string journal_path(const ops::EngineConfig& c) {
  const std::filesystem::path j(c.execution.journal);
  return j.is_absolute() ? j.string() : (std::filesystem::path(c.engine.run_dir) / j).string();
}
}  // namespace

ExecutionComponent::ExecutionComponent(zmq::context_t& context, const ops::EngineConfig& config,
                                       const ops::Endpoints& endpoints)
    : config_(config),
      log_(ops::make_logger("execution", config.engine.log_level)),
      pub_(context,
           ops::publisher_config(config, endpoints.execution, endpoints.external.execution),
           config.execution.publisher_id),
      sub_(context, ops::subscriber_config(config, {endpoints.risk, endpoints.market_data},
                                           {"ord.", "md.bar.", "md.trade.", "hb."})),
      journal_path_(journal_path(config)),
      orders_(std::make_unique<Journal>(journal_path_, false), *this),
      broker_(orders_, {config.execution.slippage_bps, config.execution.latency_ms,
                        config.execution.partial_fill_ratio, 1'000'000}) {
  if (config.execution.broker != "sim") {
    throw std::runtime_error("execution.broker = \"" + config.execution.broker +
                             "\" is not available yet; use \"sim\"");
  }
  const ReplayStats stats = orders_.recover(journal_path_);
  log_->info("journal {}: recovered {} records ({} torn bytes dropped), {} open orders",
             journal_path_, stats.records, stats.torn_bytes, orders_.open_orders().size());
}

void ExecutionComponent::on_report(const wire::ExecutionReportMsg& r, std::int64_t event_ns) {
  pub_.publish("exec.report." + std::string(r.symbol.view()), r, event_ns);
}

void ExecutionComponent::on_position(const wire::PositionMsg& p, std::int64_t event_ns) {
  pub_.publish("exec.pos." + std::string(p.symbol.view()), p, event_ns);
}

void ExecutionComponent::on_message(const bus::Message& m) {
  switch (m.frame.header.type) {
    case wire::MsgType::kNewOrder: {
      wire::NewOrderMsg o{};
      if (!wire::body_as(m.frame, o)) break;
      // The order's time is its decision time (the event it was made on), so the simulator
      // fills it against what came after that, however late the order arrives here.
      const SubmitResult r = orders_.submit(o, m.frame.header.event_ns);
      if (r == SubmitResult::kAccepted) {
        const auto overruns = broker_.history_overruns();
        broker_.on_order(o.client_order_id);
        if (broker_.history_overruns() != overruns) {
          log_->warn(
              "order {}: its next price event was beyond the simulator's history; filled "
              "at the oldest kept event (history_overruns={})",
              o.client_order_id, broker_.history_overruns());
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
      if (wire::body_as(m.frame, c)) orders_.cancel(c.client_order_id, market_ns_);
      break;
    }
    case wire::MsgType::kBar: {
      wire::BarMsg b{};
      if (!wire::body_as(m.frame, b)) break;
      // Orders decided on an earlier bar execute at this bar's open; positions then mark to
      // its close.
      market_ns_ = b.start_ns;
      broker_.on_price(b.symbol.view(), b.open, b.start_ns, b.close);
      break;
    }
    case wire::MsgType::kTrade: {
      wire::TradeMsg t{};
      if (!wire::body_as(m.frame, t)) break;
      market_ns_ = t.exchange_ns;
      broker_.on_price(t.symbol.view(), t.price, t.exchange_ns);
      break;
    }
    case wire::MsgType::kHeartbeat: {
      if (upstreams_.on_heartbeat(m.frame)) {
        ops::heartbeat_tick(heartbeat_, pub_, upstreams_, true);
      }
      wire::HeartbeatMsg hb{};
      if (!wire::body_as(m.frame, hb)) break;
      if (hb.component.view() == "market-data" &&
          hb.state == static_cast<std::uint8_t>(ops::ComponentState::kDone) && !final_marks_) {
        // The source has ended: publish every position marked to its final price.
        final_marks_ = true;
        for (const auto& [symbol, _] : orders_.portfolio().positions()) {
          on_position(orders_.portfolio().message(symbol), market_ns_);
        }
      }
      break;
    }
    default:
      break;
  }
}

int ExecutionComponent::run(const std::atomic<bool>& stop) {
  for (const auto& [symbol, _] : orders_.portfolio().positions()) {
    on_position(orders_.portfolio().message(symbol), bus::wall_clock_ns());
  }
  bus::Message m;
  while (!stop) {
    ops::heartbeat_tick(heartbeat_, pub_, upstreams_);
    if (sub_.receive(m, 100ms)) {
      on_message(m);
      while (sub_.receive(m, 0ms)) on_message(m);
    }
  }
  orders_.flush();
  const auto& c = orders_.counters();
  log_->info(
      "stopped: accepted={} rejected={} fills={} partial_fills={} duplicates={} "
      "history_overruns={} realized={:.2f} unrealized={:.2f}",
      c.accepted, c.rejected, c.fills, c.partial_fills, c.duplicates, broker_.history_overruns(),
      orders_.portfolio().realized(), orders_.portfolio().unrealized());
  return 0;
}

}  // namespace ztrade::execution
