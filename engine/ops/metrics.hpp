#pragma once
// Metrics without locks on the hot path: components count into plain fields from their own
// thread and, about once a second, render a Prometheus-text snapshot that the ops HTTP
// thread serves (MetricsSnapshot is the only shared, mutex-protected state).
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "bus/publisher.hpp"
#include "bus/subscriber.hpp"

namespace ztrade::ops {

// Latency histogram with fixed log-spaced buckets (1 us .. ~16 s): no allocation per sample.
class LatencyHistogram {
 public:
  static constexpr std::array<double, 16> kBoundsUs{
      1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 100000, 1000000, 16000000};
  void record_ns(std::int64_t ns) noexcept {
    const double us = static_cast<double>(ns < 0 ? 0 : ns) / 1000.0;
    std::size_t i = 0;
    while (i < kBoundsUs.size() && us > kBoundsUs[i]) ++i;
    ++counts_[i];
    sum_us_ += us;
    ++total_;
  }
  // Appends `name` as a Prometheus histogram (seconds) with the given labels.
  void render(std::string& out, std::string_view name, std::string_view labels) const;

 private:
  std::array<std::uint64_t, kBoundsUs.size() + 1> counts_{};
  double sum_us_ = 0;
  std::uint64_t total_ = 0;
};

// Appends one sample line: name{labels} value.
void metric(std::string& out, std::string_view name, std::string_view labels, double value);
// ztrade_dropped_total{<labels>,reason=...}: what a subscriber (or PULL) socket dropped.
void render_drops(std::string& out, const std::string& labels, const bus::Subscriber& sub);
// Appends the counters every bus user has (messages, bytes, gaps, drops by reason).
void render_bus(std::string& out, std::string_view component, const bus::Publisher& pub,
                const bus::Subscriber& sub);

struct MetricsSnapshot {
  std::mutex mutex;
  std::string prometheus;  // text exposition format
  std::string status_json;
  bool ready = false;
  std::chrono::steady_clock::time_point updated{};

  void publish(std::string prometheus_text, std::string status, bool is_ready) {
    std::lock_guard lock(mutex);
    prometheus = std::move(prometheus_text);
    status_json = std::move(status);
    ready = is_ready;
    updated = std::chrono::steady_clock::now();
  }
};

// Logs what a subscriber dropped or missed since the last call (called once a second), so a
// loss shows in the log as well as in the counters, without a line per message.
class LossReporter {
 public:
  template <class Logger>
  void check(Logger& log, const bus::Subscriber& sub) {
    const std::uint64_t dropped = sub.counters().dropped();
    const std::uint64_t missing = sub.sequences().counters().missing;
    if (dropped > dropped_) {
      log.warn(
          "dropped {} invalid frame(s) in the last second ({} in all; see ztrade_dropped_total)",
          dropped - dropped_, dropped);
    }
    if (missing > missing_) {
      log.warn("sequence gaps: {} message(s) missed in the last second ({} in all)",
               missing - missing_, missing);
    }
    dropped_ = dropped;
    missing_ = missing;
  }

 private:
  std::uint64_t dropped_ = 0;
  std::uint64_t missing_ = 0;
};

// A component's ops endpoint and the snapshot it serves: the component calls due() each loop
// turn and, when it returns true (once a second), renders and publishes its metrics.
class OpsEndpoint {
 public:
  // port 0: no HTTP server (the snapshot is still kept, e.g. for tests).
  explicit OpsEndpoint(int port);
  ~OpsEndpoint();
  bool due() noexcept {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::seconds(1)) return false;
    last_ = now;
    return true;
  }
  MetricsSnapshot& snapshot() noexcept { return snapshot_; }
  int port() const noexcept;

 private:
  MetricsSnapshot snapshot_;
  std::unique_ptr<class OpsServer> server_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace ztrade::ops
