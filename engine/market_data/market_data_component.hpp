#pragma once
// The market-data component: owns its PUB socket and event loop, reads a replay file or runs
// the synthetic feed, aggregates trades into bars and publishes md.bar.* / md.trade.*. It
// waits for every downstream component to report ready before sending data (see
// ops/component.hpp), and after the source ends it heartbeats state "done" until stopped.
#include <atomic>
#include <cstdint>
#include <memory>

#include <zmq.hpp>

#include "bus/publisher.hpp"
#include "bus/subscriber.hpp"
#include "ops/component.hpp"
#include "ops/config.hpp"
#include "ops/endpoints.hpp"
#include "ops/metrics.hpp"

namespace ztrade::market_data {

struct MarketDataStats {
  std::atomic<std::uint64_t> bars{0}, trades{0};
};

class MarketDataComponent {
 public:
  MarketDataComponent(zmq::context_t& context, const ops::EngineConfig& config,
                      const ops::Endpoints& endpoints);
  // Runs until `stop`; returns the process exit code (0, or 1 if the source failed).
  int run(const std::atomic<bool>& stop);
  const MarketDataStats& stats() const noexcept { return stats_; }

 private:
  bool wait_for_downstream(const std::atomic<bool>& stop);
  int stream(const std::atomic<bool>& stop);

  const ops::EngineConfig& config_;
  std::shared_ptr<spdlog::logger> log_;
  bus::Publisher pub_;
  bus::Subscriber heartbeats_;
  zmq::socket_t control_;  // REP: "GO" opens the start gate (market_data.start_gate)
  ops::Heartbeat heartbeat_{"market-data"};
  MarketDataStats stats_;
  ops::OpsEndpoint ops_;
  ops::LossReporter losses_;
  int phase_ = 0;  // 0 waiting, 1 streaming, 2 done
  void maybe_publish_metrics();
};

}  // namespace ztrade::market_data
