#pragma once
// The market-data component: owns its PUB socket and event loop, reads a replay file (CSV or a
// recording) or runs the synthetic feed, aggregates trades into bars and publishes md.bar.*,
// md.trade.* and md.quote.*, optionally recording all of it (market_data.record_file). It
// waits for every downstream component to report ready before sending data (see
// ops/component.hpp), and after the source ends it heartbeats state "done" until stopped.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include <zmq.hpp>

#include "bus/publisher.hpp"
#include "bus/subscriber.hpp"
#include "market_data/bar_aggregator.hpp"
#include "market_data/live_source.hpp"
#include "market_data/market_data_config.hpp"
#include "market_data/market_event.hpp"
#include "market_data/recording.hpp"
#include "market_data/replay_source.hpp"
#include "ops/component.hpp"
#include "ops/control_channel.hpp"
#include "ops/metrics.hpp"
#include "ops/steps.hpp"
#include "ops/wiring.hpp"

namespace ztrade::market_data {

struct MarketDataStats {
  std::atomic<std::uint64_t> bars{0}, trades{0}, quotes{0};
};

class MarketDataComponent {
 public:
  MarketDataComponent(zmq::context_t& context, const ops::Wiring& wiring,
                      const MarketDataConfig& config);
  // Runs until `stop`; returns the process exit code (0, or 1 if the source failed).
  int run(const std::atomic<bool>& stop);
  const MarketDataStats& stats() const noexcept { return stats_; }
  // Who waits between events (default: a sleep). The inline host lends those waits to the
  // components that share its thread.
  void set_waiter(ops::Waiter& waiter) noexcept { waiter_ = &waiter; }
  // Folds in the downstream heartbeats waiting on the bus (readiness before streaming).
  void drain();

 private:
  bool wait_for_downstream(const std::atomic<bool>& stop);
  int stream(const std::atomic<bool>& stop);
  // Replays any source with next(MarketEvent&) and position(), paced by replay.speed.
  // `aggregate`: trades also make bars (not for recordings, which hold their bars).
  template <class Source>
  void replay(Source& source, const std::atomic<bool>& stop, bool aggregate);
  // An event of a replay or the synthetic feed: stamped with our receive time, published.
  void publish_event(MarketEvent e, bool aggregate);
  // Publish (and record) one message; a trade also feeds the bar aggregator when aggregating.
  void publish_trade(const wire::TradeMsg& t, bool aggregate);
  void publish_quote(const wire::QuoteMsg& q);
  void publish_bar(const wire::BarMsg& b);
  // Live venues hand their events over here.
  struct LivePublisher : LiveSink {
    explicit LivePublisher(MarketDataComponent& c) : component(c) {}
    MarketDataComponent& component;
    void on_trade(const wire::TradeMsg& t, bool venue_bars) noexcept override;
    void on_quote(const wire::QuoteMsg& q) noexcept override;
    void on_bar(const wire::BarMsg& b) noexcept override;
  };
  int stream_live(const std::atomic<bool>& stop);
  template <class Body>
  void publish(std::string_view topic, const Body& body, std::int64_t event_ns);

  const MarketDataConfig& config_;
  std::shared_ptr<spdlog::logger> log_;
  bus::Publisher pub_;
  bus::Subscriber heartbeats_;
  ops::ControlChannel control_;  // "GO" opens the start gate (market_data.start_gate)
  ops::Heartbeat heartbeat_{"market-data"};
  MarketDataStats stats_;
  ops::OpsEndpoint ops_;
  ops::LossReporter losses_;
  struct Sleeper final : ops::Waiter {
    void wait_until(std::chrono::steady_clock::time_point due) override;
  } sleeper_;
  ops::Waiter* waiter_ = &sleeper_;
  ops::Upstreams downstream_{{"signal-bridge", "risk", "execution"}};
  int phase_ = 0;  // 0 waiting, 1 streaming, 2 done
  std::chrono::steady_clock::time_point stream_start_{}, stream_end_{};
  BarAggregator aggregator_;
  std::unique_ptr<RecordingWriter> recorder_;
  // The replay, read at start (one of the two, or neither for other venues).
  std::unique_ptr<ReplaySource> csv_;
  std::unique_ptr<RecordingReader> recording_;
  LiveSource* live_ = nullptr;  // while streaming live venues (metrics)
  void maybe_publish_metrics();
};

}  // namespace ztrade::market_data
