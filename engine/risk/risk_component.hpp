#pragma once
// The risk component: consumes market data (prices), signals and execution reports/positions;
// turns each signal into at most one order through RiskEngine and publishes ord.new.<SYM> or
// risk.reject.<SYM>. Its control socket (REP) takes "HALT <token>", "REDUCE <token>",
// "RESUME <token>" and "STATE" - the kill switch - and answers "OK <STATE>" or "DENIED".
#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "bus/publisher.hpp"
#include "bus/subscriber.hpp"
#include "ops/component.hpp"
#include "ops/control_channel.hpp"
#include "ops/log_limit.hpp"
#include "ops/metrics.hpp"
#include "ops/steps.hpp"
#include "ops/wiring.hpp"
#include "risk/order_tracker.hpp"
#include "risk/risk_config.hpp"
#include "risk/risk_desk.hpp"
#include "risk/risk_engine.hpp"

namespace ztrade::risk {

struct RiskStats {
  std::atomic<std::uint64_t> signals{0}, orders{0}, rejects{0}, control_denied{0},
      signal_wait_timeouts{0}, control_malformed{0}, state_write_errors{0};
  // Orders execution or its broker refused, by wire::ExecReject.
  std::array<std::atomic<std::uint64_t>, std::size(wire::kExecRejectNames)> exec_rejects{};
};

class RiskComponent final : public ops::Steps {
 public:
  // control_token: the kill-switch secret (from the environment); empty disables HALT/RESUME.
  RiskComponent(zmq::context_t& context, const ops::Wiring& wiring, const RiskConfig& config,
                std::string control_token);
  int run(const std::atomic<bool>& stop);
  const RiskStats& stats() const noexcept { return stats_; }
  const RiskEngine& engine() const noexcept { return engine_; }

  // ops::Steps: run()'s parts, for a host that drives several components on one thread.
  void start() override;
  void drain() override;
  void tick() override;  // heartbeat, metrics, waiting signals, the control socket, re-sends
  void finish() override;
  void wake_items(std::vector<zmq::pollitem_t>& items) override;

 private:
  void on_message(const bus::Message& m);
  void on_signal(const bus::Message& m);
  void decide(const wire::SignalMsg& s, const wire::Header& h);
  void on_report(const wire::ExecutionReportMsg& r, std::int64_t event_ns);
  void on_market(std::string_view symbol, double price, std::int64_t ts_ns);
  void on_control();
  static std::string state_reply(TradingState s);
  void set_trading_state(TradingState s, std::string_view why);
  void persist_trading_state(std::string_view why);
  void store_trading_state(TradingState s, std::string_view why);
  void on_positions_known();
  bool ready_now() const noexcept;  // upstreams heard and execution's positions known

  std::shared_ptr<spdlog::logger> log_;
  bus::Publisher pub_;
  bus::Subscriber sub_;
  ops::ControlChannel control_;
  std::string token_;
  std::string state_path_;                               // <run_dir>/risk.state
  TradingState restored_state_ = TradingState::kActive;  // what applies once positions are known
  bool positions_known_ = false;
  ops::LogLimiter denied_log_, reject_log_;
  RiskEngine engine_;
  ops::Heartbeat heartbeat_{"risk"};
  ops::Upstreams upstreams_{{"market-data", "signal-bridge", "execution"}};
  std::uint64_t next_order_id_;
  // What risk sent and has not seen finish: re-sends, restart detection, reconciliation.
  OrderTracker orders_;
  RiskDesk desk_{engine_, orders_};  // signal -> order or reject; reports -> fills booked
  // A signal is decided in event time (see RiskEngine): it waits until risk has seen the
  // market up to its time T, and until every order decided before T is either finished or
  // known to have had its chance to fill up to T - execution publishes a mark (exec.mark.)
  // after each bar it has processed while orders are open, and reports fills before that
  // mark. A signal waits at most kMaxSignalWait of wall time (counted), so a stalled
  // execution or a silent market cannot hold trading forever.
  struct WaitingSignal {
    wire::SignalMsg signal;
    wire::Header header;
    std::int64_t arrived_wall_ns = 0;
    // Not 0: a lockstep barrier (signal-bridge's decided barrier of this batch), queued behind
    // the signals that came before it and passed on once they are decided.
    std::uint64_t barrier = 0;
  };
  static constexpr std::int64_t kMaxSignalWaitNs = 2'000'000'000;
  bool ready(const WaitingSignal& w) const;
  void release_signals(std::int64_t now_wall_ns);
  std::vector<WaitingSignal> waiting_;
  std::size_t waiting_head_ = 0;
  std::int64_t market_clock_ns_ = INT64_MIN;  // newest market event time seen
  bool market_done_ = false;                  // market-data's source has ended
  std::uint64_t exec_marks_ = 0;              // execution marks seen
  std::int64_t exec_mark_ns_ = INT64_MIN;     // the newest one's market time
  void resend_unacknowledged();
  void on_execution_heartbeat(const wire::HeartbeatMsg& hb);
  bool upstream_drained_ = false;  // signal-bridge has drained: every signal has arrived
  bool drained_ = false;           // ... and every one is decided, none waiting (kDrained sent)
  // Passes kDrained on once signal-bridge has drained and no signal waits for its time any
  // more: an order decided after the flag would reach execution after it had settled.
  void maybe_drained();
  bool execution_reduce_only_ = false;  // execution's last heartbeat flag (HeartbeatFlag)
  RiskStats stats_;
  ops::LatencyHistogram signal_latency_;  // signal-bridge send -> received here
  ops::OpsEndpoint ops_;
  ops::LossReporter losses_;
  void maybe_publish_metrics();
};

}  // namespace ztrade::risk
