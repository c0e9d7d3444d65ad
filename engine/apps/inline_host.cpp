#include "apps/inline_host.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "apps/host.hpp"
#include "bus/local_route.hpp"
#include "execution/execution_component.hpp"
#include "market_data/market_data_component.hpp"
#include "risk/risk_component.hpp"
#include "signals/signal_bridge_component.hpp"

namespace ztrade::apps {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// The other three components, served while market-data waits between events.
class InlineHost final : public ops::Waiter {
 public:
  struct Part {
    const char* name;
    ops::Steps* steps;
  };
  InlineHost(std::array<Part, 3> parts, boost::asio::io_context* broker_io,
             std::chrono::microseconds busy_wait, const bus::LocalRoute& route)
      : parts_(parts), io_(broker_io), busy_wait_(busy_wait), route_(route) {
    for (const Part& p : parts_) p.steps->wake_items(items_);
  }

  // The first failure of any component (its name and what it threw); empty while none.
  const std::string& failure() const noexcept { return failure_; }

  // Runs `fn` of component `name`; a throw stops every component (apps::g_stop).
  template <class Fn>
  void guarded(const char* name, Fn&& fn) {
    if (!failure_.empty()) return;
    try {
      fn();
    } catch (const std::exception& e) {
      failure_ = std::string(name) + ": " + e.what();
      g_stop.store(true);
    } catch (...) {
      failure_ = std::string(name) + ": an exception that is not a std::exception";
      g_stop.store(true);
    }
  }

  // A failure inside a cascade the route ran (from a publish, which cannot throw) is kept by
  // the route: raised here, so it stops the process like any other component failure.
  void check_cascade() {
    guarded("inline cascade", [&] { route_.rethrow_failure(); });
  }

  void wait_until(Clock::time_point due) override {
    for (;;) {
      turn();
      const auto now = Clock::now();
      if (now >= due || g_stop || !failure_.empty()) return;
      if (due - now <= busy_wait_) return spin_until(due);
      // A broker with connections is polled at least every millisecond.
      auto wait = std::min<Clock::duration>(due - now, io_ ? 1ms : 100ms);
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wait);
      try {
        if (zmq::poll(items_, ms) > 0 || ms == wait) continue;
      } catch (const zmq::error_t&) {
        return;  // interrupted by a signal: the caller checks the stop flag
      }
      std::this_thread::sleep_until(std::min(due, Clock::now() + (wait - ms)));
    }
  }

  void between_events() override {
    if (Clock::now() - last_turn_ < 1ms) return;
    try {
      (void)zmq::poll(items_, 0ms);
    } catch (const zmq::error_t&) {
    }
    turn();
  }

  // engine.busy_wait_us: the core stays on this thread and its caches warm; input on the
  // control or ingress sockets is still served at once.
  void spin_until(Clock::time_point due) {
    while (Clock::now() < due && !g_stop) {
      int ready = 0;
      try {
        ready = zmq::poll(items_, 0ms);
      } catch (const zmq::error_t&) {
        return;
      }
      if (ready > 0 || Clock::now() - last_turn_ >= 1ms) turn();
    }
  }

  // One turn of every component's housekeeping, and the broker's ready I/O.
  void turn() {
    last_turn_ = Clock::now();
    check_cascade();
    for (const Part& p : parts_) guarded(p.name, [&] { p.steps->tick(); });
    poll_broker();
  }

  // The broker's ready I/O (an order's request goes out right after the cascade that made
  // it). Never from inside the broker's own handlers: an io_context is not polled re-entrantly.
  void poll_broker() {
    if (io_ == nullptr || in_io_) return;
    in_io_ = true;
    guarded("execution", [&] { io_->poll(); });
    in_io_ = false;
  }

 private:
  std::array<Part, 3> parts_;
  boost::asio::io_context* io_;
  Clock::duration busy_wait_;
  bool in_io_ = false;
  const bus::LocalRoute& route_;
  std::vector<zmq::pollitem_t> items_;
  Clock::time_point last_turn_{};
  std::string failure_;
};

}  // namespace

int run_inline(const ops::EngineConfig& config) {
  try {
    bus::LocalRoute route;
    auto wiring = ops::wiring_for(config);
    wiring.local = &route;
    zmq::context_t context;
    const auto authenticator = ops::start_authenticator(context, config);
    execution::ExecutionComponent execution(context, wiring, config.execution);
    risk::RiskComponent risk(context, wiring, config.risk,
                             core::secret_from_env(config.risk.control_token_env));
    signals::SignalBridgeComponent bridge(context, wiring, config.signal_bridge, config.strategy);
    market_data::MarketDataComponent market(context, wiring, config.market_data);
    InlineHost host(
        {InlineHost::Part{"execution", &execution}, {"risk", &risk}, {"signal-bridge", &bridge}},
        execution.broker_io(), std::chrono::microseconds(config.engine.busy_wait_us), route);
    // A bar reaches execution first (orders decided earlier fill at its open and it marks
    // them), then risk (its price), then signal-bridge (features, then signals): the order of
    // the backtester, so risk decides a signal having seen every fill up to its bar.
    route.set_pump([&] {
      do {
        while (route.pending()) {
          host.guarded("execution", [&] { execution.drain(); });
          host.guarded("risk", [&] { risk.drain(); });
          host.guarded("signal-bridge", [&] { bridge.drain(); });
          host.guarded("market-data", [&] { market.drain(); });
          if (!host.failure().empty()) return;
        }
        host.poll_broker();  // what the broker answers at once is part of the cascade
      } while (route.pending());
    });
    market.set_waiter(host);
    host.guarded("execution", [&] { execution.start(); });
    host.guarded("risk", [&] { risk.start(); });
    host.guarded("signal-bridge", [&] { bridge.start(); });
    int rc = 0;
    if (host.failure().empty()) host.guarded("market-data", [&] { rc = market.run(g_stop); });
    host.check_cascade();  // the last cascade's failure, if it failed
    if (rc != 0) g_stop.store(true);
    execution.finish();
    risk.finish();
    bridge.finish();
    if (!host.failure().empty()) {
      std::fprintf(stderr, "ztrade-engine: %s; stopped every component\n", host.failure().c_str());
      return 1;
    }
    if (rc != 0) {
      std::fprintf(stderr, "ztrade-engine: market-data failed (exit %d); stopped every component\n",
                   rc);
    }
    return rc;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ztrade-engine: %s\n", e.what());
    return 1;
  }
}

}  // namespace ztrade::apps
