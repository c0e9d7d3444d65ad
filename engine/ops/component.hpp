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
#include <initializer_list>
#include <set>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

#include "bus/publisher.hpp"
#include "bus/subscriber.hpp"
#include "bus/topic.hpp"
#include "bus/zap_authenticator.hpp"
#include "ops/systemd_notify.hpp"

namespace ztrade::ops {

using wire::ComponentState;

class Heartbeat {
 public:
  explicit Heartbeat(std::string component) : component_(std::move(component)) {}

  // Publishes hb.<component> if `interval` has passed since the last one (or `force`). Called
  // from every turn of the component's event loop, it also drives systemd's readiness and
  // watchdog notifications.
  // True when it sent one.
  bool maybe_send(bus::Publisher& pub, ComponentState state, std::chrono::milliseconds interval,
                  bool force = false) {
    service_.tick(state != ComponentState::kStarting);
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - last_ < interval) return false;
    last_ = now;
    wire::HeartbeatMsg hb{};
    hb.component.assign_truncated(component_);  // component names are short constants
    hb.state = static_cast<std::uint8_t>(state);
    hb.flags = flags_;
    hb.uptime_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now - start_).count();
    hb.messages_out = pub.counters().sent;
    pub.publish(bus::Topic{bus::topics::kHeartbeat, component_}, hb, bus::wall_clock_ns());
    return true;
  }

  // HeartbeatFlag bits carried by every heartbeat from now on.
  void set_flags(std::uint8_t flags) noexcept { flags_ = flags; }

 private:
  std::string component_;
  std::uint8_t flags_ = 0;
  ServiceNotifier service_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
};

// Tracks which upstream components have been heard from (and in which state).
class Upstreams {
 public:
  explicit Upstreams(std::set<std::string> expected) : expected_(std::move(expected)) {}
  // Folds in a heartbeat frame; true when it completed the set (the caller is now ready).
  bool on_heartbeat(const wire::Frame& frame) {
    wire::HeartbeatMsg hb{};
    if (!wire::body_as(frame, hb)) return false;
    const bool was = all_heard();
    heard(hb);
    return !was && all_heard();
  }
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

// The periodic heartbeat of a component: "starting" every 100 ms until it is ready (has heard
// its upstreams, and whatever else it needs), then "ready" every second; `now` sends at once
// (the moment it became ready). True when it sent one.
inline bool heartbeat_tick(Heartbeat& hb, bus::Publisher& pub, bool ready, bool now = false) {
  using namespace std::chrono_literals;
  return hb.maybe_send(pub, ready ? ComponentState::kReady : ComponentState::kStarting,
                       ready ? 1000ms : 100ms, now);
}
inline bool heartbeat_tick(Heartbeat& hb, bus::Publisher& pub, const Upstreams& up,
                           bool now = false) {
  return heartbeat_tick(hb, pub, up.all_heard(), now);
}

// True for a heartbeat from `component` saying it has drained: market-data's state done (when
// `by_state`), otherwise its HeartbeatFlag::kDrained (see there for the chain).
inline bool drained_upstream(const wire::Frame& frame, std::string_view component,
                             bool by_state = false) {
  wire::HeartbeatMsg hb{};
  if (!wire::body_as(frame, hb) || hb.component.view() != component) return false;
  return by_state ? hb.state >= static_cast<std::uint8_t>(ComponentState::kDone)
                  : (hb.flags & static_cast<std::uint8_t>(wire::HeartbeatFlag::kDrained)) != 0;
}

// A logger named after the component, at the configured level.
std::shared_ptr<spdlog::logger> make_logger(const std::string& component, const std::string& level);

}  // namespace ztrade::ops
