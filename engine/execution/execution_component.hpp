#pragma once
// The execution component: consumes orders (ord.*) and market data (for the simulated
// broker), journals every order event before publishing it, and publishes exec.report.<SYM>
// and exec.pos.<SYM>. At start it recovers orders and positions from its journal and
// republishes the positions.
#include <atomic>
#include <memory>

#include <boost/asio/io_context.hpp>

#include <zmq.hpp>

#include "bus/publisher.hpp"
#include "bus/subscriber.hpp"
#include "core/string_hash.hpp"
#include "execution/broker.hpp"
#include "execution/execution_config.hpp"
#include "execution/order_manager.hpp"
#include "ops/component.hpp"
#include "ops/metrics.hpp"
#include "ops/steps.hpp"
#include "ops/wiring.hpp"

namespace ztrade::execution {

class ExecutionComponent final : public ops::Steps, private ReportSink {
 public:
  ExecutionComponent(zmq::context_t& context, const ops::Wiring& wiring,
                     const ExecutionConfig& config);
  // Not movable: the order manager reports to this object by reference.
  ExecutionComponent(ExecutionComponent&&) = delete;
  ExecutionComponent& operator=(ExecutionComponent&&) = delete;
  int run(const std::atomic<bool>& stop);
  const OrderManager& orders() const noexcept { return orders_; }

  // ops::Steps: run()'s parts, for a host that drives several components on one thread.
  void start() override;
  void drain() override;
  // One turn of housekeeping (every ~100 ms and after messages): heartbeat, metrics, settling.
  void tick() override;
  void finish() override;
  // The broker's connections, when it has any (the inline host polls them).
  boost::asio::io_context* broker_io() noexcept { return broker_->io(); }

 private:
  void on_report(const wire::ExecutionReportMsg& report, std::int64_t event_ns) override;
  void on_position(const wire::PositionMsg& position, std::int64_t event_ns) override;
  void publish_mark(std::string_view symbol, std::int64_t event_ns);
  // Every position, then an empty-symbol end marker (bus::topics::kExecutionSnapshot).
  void publish_snapshot();
  void on_message(const bus::Message& m);
  // When an order made at event time `event_ns` was decided: the end of its bar, where trades
  // fall inside bars.
  std::int64_t decided_at(std::string_view symbol, std::int64_t event_ns) const;
  struct BarFeed {
    std::int64_t interval_ns = 0;  // the symbol's bar length, from its bars
    bool trades = false;           // trades arrive between its bars
  };
  BarFeed& bar_feed(std::string_view symbol);  // allocates once per symbol
  bool ready() const noexcept { return upstreams_.all_heard() && broker_->ready(); }
  // The loop for a broker with I/O: the bus and the broker's connections on one io_context.
  void run_with_io(boost::asio::io_context& io, const std::atomic<bool>& stop);

  std::shared_ptr<spdlog::logger> log_;
  bus::Publisher pub_;
  bus::Subscriber sub_;
  std::string journal_path_;
  ReplayStats restored_;  // what the journal held at start (records == 0: a new session)
  OrderManager orders_;
  std::unique_ptr<Broker> broker_;  // execution.broker's adapter (brokers/brokers.hpp)
  ops::Heartbeat heartbeat_{"execution"};
  ops::Upstreams upstreams_{{"market-data", "risk"}};
  StringMap<BarFeed> bar_feeds_;
  std::int64_t market_ns_ = 0;  // time of the latest market event (the simulator's clock)
  std::int64_t seen_ns_ = 0;    // the latest market time seen (an order's earliest: order_time)
  bool final_marks_ = false;    // final positions published after market data ended
  bool market_done_ = false;    // market-data's source has ended
  bool risk_drained_ = false;   // ... and risk has decided every signal (HeartbeatFlag::kDrained)
  bool settled_ = false;        // ... and the broker has settled its open orders
  bool was_ready_ = false;
  bool was_reduce_only_ = false;         // the broker's reduce_only() at the last tick
  ops::LatencyHistogram order_latency_;  // risk send -> received here
  ops::OpsEndpoint ops_;
  ops::LossReporter losses_;
  void maybe_publish_metrics(bool now = false);  // now: whether due or not
};

}  // namespace ztrade::execution
