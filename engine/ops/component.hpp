#pragma once
// What every engine component shares: its name, a stop flag, heartbeats that double as the
// readiness handshake, and a logger.
//
// Readiness: a component is ready once it has heard a heartbeat from each upstream component
// (so its subscriptions are live) - then it heartbeats state 1. market-data starts publishing
// data only when every downstream component reports ready, so nothing is lost to ZeroMQ's
// slow-joiner window, without sleeps.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <set>
#include <string>

#include <spdlog/spdlog.h>

#include "bus/publisher.hpp"

namespace ztrade::ops {

enum class ComponentState : std::uint8_t { kStarting = 0, kReady = 1, kDone = 2 };

class Heartbeat {
 public:
  explicit Heartbeat(std::string component) : component_(std::move(component)) {}

  // Publishes hb.<component> if `interval` has passed since the last one (or `force`).
  void maybe_send(bus::Publisher& pub, ComponentState state, std::chrono::milliseconds interval,
                  bool force = false) {
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - last_ < interval) return;
    last_ = now;
    wire::HeartbeatMsg hb{};
    hb.component.assign(component_);
    hb.state = static_cast<std::uint8_t>(state);
    hb.uptime_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now - start_).count();
    hb.messages_out = pub.counters().sent;
    pub.publish("hb." + component_, hb, bus::wall_clock_ns());
  }

 private:
  std::string component_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
};

// Tracks which upstream components have been heard from (and in which state).
class Upstreams {
 public:
  explicit Upstreams(std::set<std::string> expected) : expected_(std::move(expected)) {}
  void heard(const wire::HeartbeatMsg& hb) {
    const std::string name(hb.component.view());
    if (expected_.count(name)) {
      heard_.insert(name);
      if (hb.state >= static_cast<std::uint8_t>(ComponentState::kReady)) ready_.insert(name);
    }
  }
  bool all_heard() const { return heard_.size() == expected_.size(); }
  bool all_ready() const { return ready_.size() == expected_.size(); }

 private:
  std::set<std::string> expected_, heard_, ready_;
};

// A logger named after the component, at the configured level.
std::shared_ptr<spdlog::logger> make_logger(const std::string& component, const std::string& level);

}  // namespace ztrade::ops
