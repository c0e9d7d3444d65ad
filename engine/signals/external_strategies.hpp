#pragma once
// The external strategies a session declares (strategy.names), as signal-bridge hears them on
// its ingress: each one's state (its heartbeats) and the last batch it has decided (its
// lockstep barriers). Pure logic, no sockets. A strategy that ends (done, failed) or falls
// silent for strategy.timeout_s leaves the lockstep, so the replay goes on without it.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bus/messages.hpp"
#include "signals/strategy_config.hpp"

namespace ztrade::signals {

class ExternalStrategies {
 public:
  struct Entry {
    std::string name;
    wire::ComponentState state = wire::ComponentState::kStarting;
    bool heard = false;
    bool gone = false;  // silent past the timeout: out of the lockstep until heard again
    std::uint64_t decided = 0;
    std::int64_t last_heard_ns = 0;
  };

  ExternalStrategies(const StrategyConfig& config, std::int64_t now_ns)
      : timeout_ns_(static_cast<std::int64_t>(config.timeout_s * 1e9)), start_ns_(now_ns) {
    for (const auto& n : config.names) entries_.push_back({n});
  }

  // A heartbeat or a decided barrier from `name`; false when it is not a declared strategy.
  bool on_heartbeat(std::string_view name, wire::ComponentState state, std::int64_t now_ns) {
    Entry* e = find(name);
    if (!e) return false;
    e->state = state;
    touch(*e, now_ns);
    return true;
  }
  bool on_decided(std::string_view name, std::uint64_t number, std::int64_t now_ns) {
    Entry* e = find(name);
    if (!e) return false;
    e->decided = std::max(e->decided, number);
    touch(*e, now_ns);
    return true;
  }

  // Marks strategies silent past the timeout (never heard: counted from the start) as gone;
  // returns how many went now.
  int check_timeouts(std::int64_t now_ns) {
    int went = 0;
    for (Entry& e : entries_) {
      const std::int64_t since = e.heard ? e.last_heard_ns : start_ns_;
      if (!e.gone && live(e) && now_ns - since > timeout_ns_) {
        e.gone = true;
        ++went;
      }
    }
    return went;
  }

  // Every declared strategy has said it is ready (or ended, or is gone).
  bool all_ready() const noexcept {
    for (const Entry& e : entries_) {
      if (e.state == wire::ComponentState::kStarting && !e.gone) return false;
    }
    return true;
  }

  // The batch every strategy still in the lockstep has decided, at most `available` (the last
  // batch the bridge has published).
  std::uint64_t decided_through(std::uint64_t available) const noexcept {
    std::uint64_t through = available;
    for (const Entry& e : entries_) {
      if (live(e) && !e.gone) through = std::min(through, e.decided);
    }
    return through;
  }

  const std::vector<Entry>& entries() const noexcept { return entries_; }
  bool empty() const noexcept { return entries_.empty(); }

 private:
  static bool live(const Entry& e) noexcept {
    return e.state == wire::ComponentState::kStarting || e.state == wire::ComponentState::kReady;
  }
  Entry* find(std::string_view name) {
    for (Entry& e : entries_) {
      if (e.name == name) return &e;
    }
    return nullptr;
  }
  static void touch(Entry& e, std::int64_t now_ns) {
    e.heard = true;
    e.gone = false;
    e.last_heard_ns = now_ns;
  }

  std::vector<Entry> entries_;
  std::int64_t timeout_ns_;
  std::int64_t start_ns_;
};

}  // namespace ztrade::signals
