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
#include "core/string_hash.hpp"
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
  // `lockstep`: replay in step with declared external strategies (ops::lockstep).
  MarketDataComponent(zmq::context_t& context, const ops::Wiring& wiring,
                      const MarketDataConfig& config, bool lockstep = false);
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
  // A downstream heartbeat or barrier.
  void on_downstream(const bus::Message& m);
  // Answers what waits on the control socket: GO (the start gate), WARMUP (recent bars).
  void serve_control();
  // Lockstep: the bars published since the last barrier end a batch; its kData barrier goes
  // out and the replay waits for execution's kDecided barrier of it.
  void close_batch(const std::atomic<bool>& stop);
  // The recent closed bars of every symbol, oldest first, as CSV lines (WARMUP's reply).
  std::string warmup_text() const;
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
  bool gate_open_ = false;
  // Lockstep (see close_batch).
  bool lockstep_ = false;
  bool batch_open_ = false;         // bars published since the last barrier
  std::int64_t batch_ns_ = 0;       // their start
  std::uint64_t batch_number_ = 0;  // barriers sent
  std::uint64_t decided_ = 0;       // execution's latest kDecided barrier
  std::uint64_t lockstep_timeouts_ = 0;
  double lockstep_wait_s_ = 0;  // wall time spent waiting for barriers
  // Recent closed bars per symbol (market_data.warmup_bars): a ring each, allocated once.
  struct BarRing {
    std::vector<wire::BarMsg> bars;
    std::size_t next = 0;
  };
  StringMap<BarRing> recent_;
  std::uint32_t control_countdown_ = 0;  // events until the control socket is looked at
  void maybe_publish_metrics();
};

}  // namespace ztrade::market_data
