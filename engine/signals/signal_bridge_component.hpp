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
#include "signals/macd_rsi_strategy.hpp"
#include "signals/signal_bridge_config.hpp"
#include "signals/signal_validator.hpp"

namespace ztrade::signals {

struct SignalBridgeStats {
  std::atomic<std::uint64_t> bars{0}, features{0}, signals{0}, external_accepted{0},
      invalid_bars{0}, non_final_bars{0};
  std::array<std::atomic<std::uint64_t>, kSignalProblemCount> external_rejected{};
};

class SignalBridgeComponent final : public ops::Steps {
 public:
  SignalBridgeComponent(zmq::context_t& context, const ops::Wiring& wiring,
                        const SignalBridgeConfig& config);
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
  StringMap<std::int64_t> last_bar_ns_;  // start of the latest closed bar per symbol
  ops::LogLimiter reject_log_;           // ingress refusals: counted exactly, logged 1/s
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
