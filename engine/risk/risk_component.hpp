#pragma once
// The risk component: consumes market data (prices), signals and execution reports/positions;
// turns each signal into at most one order through RiskEngine and publishes ord.new.<SYM> or
// risk.reject.<SYM>. Its control socket (REP) takes "HALT <token>", "REDUCE <token>",
// "RESUME <token>" and "STATE" - the kill switch - and answers "OK <STATE>" or "DENIED".
#include <atomic>
#include <memory>
#include <string>
#include <unordered_map>

#include <zmq.hpp>

#include "bus/publisher.hpp"
#include "bus/subscriber.hpp"
#include "ops/component.hpp"
#include "ops/config.hpp"
#include "ops/endpoints.hpp"
#include "ops/metrics.hpp"
#include "risk/risk_engine.hpp"

namespace ztrade::risk {

struct RiskStats {
  std::atomic<std::uint64_t> signals{0}, orders{0}, rejects{0}, control_denied{0},
      execution_restarts{0};
};

class RiskComponent {
 public:
  // control_token: the kill-switch secret (from the environment); empty disables HALT/RESUME.
  RiskComponent(zmq::context_t& context, const ops::EngineConfig& config,
                const ops::Endpoints& endpoints, std::string control_token);
  int run(const std::atomic<bool>& stop);
  const RiskStats& stats() const noexcept { return stats_; }
  const RiskEngine& engine() const noexcept { return engine_; }

 private:
  void on_message(const bus::Message& m);
  void on_signal(const bus::Message& m);
  void on_report(const wire::ExecutionReportMsg& r);
  void on_control();

  const ops::EngineConfig& config_;
  std::shared_ptr<spdlog::logger> log_;
  bus::Publisher pub_;
  bus::Subscriber sub_;
  zmq::socket_t control_;
  std::string token_;
  RiskEngine engine_;
  ops::Heartbeat heartbeat_{"risk"};
  ops::Upstreams upstreams_{{"market-data", "signal-bridge", "execution"}};
  std::uint64_t next_order_id_;
  // What risk sent and has not seen finish. Orders go out on PUB/SUB, which drops messages
  // while execution is down (a restart): an order without an acknowledgement is re-sent with
  // the same client_order_id, which execution's journal makes idempotent.
  struct SentOrder {
    wire::NewOrderMsg order;
    std::int64_t event_ns = 0;
    double filled = 0;  // cumulative, as last reported by execution
    bool acknowledged = false;
    std::int64_t last_sent_wall_ns = 0;
    int attempts = 1;
  };
  void resend_unacknowledged();
  void on_execution_heartbeat(const wire::HeartbeatMsg& hb);
  std::int64_t execution_uptime_ns_ = 0;  // from its last heartbeat
  std::unordered_map<std::uint64_t, SentOrder> sent_;
  RiskStats stats_;
  ops::LatencyHistogram signal_latency_;  // signal-bridge send -> received here
  ops::OpsEndpoint ops_;
  ops::LossReporter losses_;
  void maybe_publish_metrics();
};

}  // namespace ztrade::risk
