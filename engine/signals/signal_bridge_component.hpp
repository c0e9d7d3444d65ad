#pragma once
// The signal-bridge component: a FeatureComputer per symbol over md.bar.*, publishing
// feat.<SYM>; the built-in strategies, publishing sig.<strategy>.<SYM>; and the ingress (a PULL
// socket) where external strategies push signals, which are validated and then republished
// under this component's own sequence numbers.
#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <unordered_map>

#include <zmq.hpp>

#include "bus/publisher.hpp"
#include "bus/subscriber.hpp"
#include "core/string_hash.hpp"
#include "features/feature_computer.hpp"
#include "ops/component.hpp"
#include "ops/log_limit.hpp"
#include "ops/metrics.hpp"
#include "ops/steps.hpp"
#include "ops/wiring.hpp"
#include "signals/external_strategies.hpp"
#include "signals/macd_rsi_strategy.hpp"
#include "signals/signal_bridge_config.hpp"
#include "signals/signal_validator.hpp"
#include "signals/strategy_config.hpp"

namespace ztrade::signals {

struct SignalBridgeStats {
  std::atomic<std::uint64_t> bars{0}, features{0}, signals{0}, external_accepted{0},
      invalid_bars{0}, non_final_bars{0};
  std::array<std::atomic<std::uint64_t>, kSignalProblemCount> external_rejected{};
};

class SignalBridgeComponent final : public ops::Steps {
 public:
  SignalBridgeComponent(zmq::context_t& context, const ops::Wiring& wiring,
                        const SignalBridgeConfig& config,
                        const StrategyConfig& strategies = StrategyConfig{});
  int run(const std::atomic<bool>& stop);
  const SignalBridgeStats& stats() const noexcept { return stats_; }

  // ops::Steps: run()'s parts, for a host that drives several components on one thread.
  void start() override;
  void drain() override;
  void tick() override;  // heartbeat, metrics, and the ingress of external strategies
  void finish() override;
  void wake_items(std::vector<zmq::pollitem_t>& items) override;

 private:
  void on_bar(const bus::Message& m);
  void on_external(const bus::Message& m);
  void on_external_signal(const bus::Message& m);
  // A strategy's heartbeat or decided barrier on the ingress.
  void on_strategy_frame(const bus::Message& m);
  // market-data's barrier: the batch's features are out; pass it on, then its decisions.
  void on_market_barrier(const bus::Message& m);
  // Publishes the decided barrier once every declared strategy has decided the batch.
  void forward_decided();
  // Whether a strategy frame's sender may speak for `strategy` (signal_bridge.strategy_keys).
  bool authorized(std::string_view strategy, const bus::Message& m) const;
  bool ready_now() const { return upstreams_.all_heard() && external_.all_ready(); }
  FeatureComputer& computer_for(std::string_view symbol);

  const SignalBridgeConfig& config_;
  std::shared_ptr<spdlog::logger> log_;
  bus::Publisher pub_;
  bus::Subscriber market_;
  bus::Subscriber ingress_;
  ops::Heartbeat heartbeat_{"signal-bridge"};
  ops::Upstreams upstreams_{{"market-data"}};
  // Looked up by string_view for every bar: no allocation once the symbol is known.
  StringMap<FeatureComputer> computers_;
  StringMap<LastBar> last_bar_;  // the latest closed bar per symbol
  ops::LogLimiter reject_log_;   // ingress refusals: counted exactly, logged 1/s
  ExternalStrategies external_;
  double strategy_timeout_s_;
  std::uint64_t data_barrier_ = 0;             // the latest batch whose features are published
  std::int64_t data_barrier_ns_ = 0;           // its market time
  std::uint64_t decided_barrier_ = 0;          // the latest batch passed on as decided
  std::uint64_t strategy_frames_ignored_ = 0;  // barriers/heartbeats of undeclared strategies
  MacdRsiStrategy macd_rsi_;
  bool run_macd_rsi_ = false;
  SignalBridgeStats stats_;
  ops::LatencyHistogram bar_latency_;  // market-data send -> received here
  ops::OpsEndpoint ops_;
  ops::LossReporter losses_;
  ops::LossReporter losses_ingress_;
  void maybe_publish_metrics();
};

}  // namespace ztrade::signals
