#pragma once
// A component's work cut into turns, so that one host can drive several components on one
// thread (the inline deployment, apps/engine/inline_host) while each component's own run()
// is the same steps in its own loop: one code path in every deployment.
#include <atomic>
#include <chrono>
#include <vector>

#include <zmq.hpp>

namespace ztrade::ops {

class Steps {
 public:
  virtual ~Steps() = default;
  // Before the first turn; throws for a clear start-up error.
  virtual void start() = 0;
  // Handles every bus message waiting for this component.
  virtual void drain() = 0;
  // Housekeeping: heartbeat, metrics, timers, and the component's own sockets off the bus (a
  // control or ingress socket). Cheap when nothing is due; never blocks.
  virtual void tick() = 0;
  // After the last turn: flushes and logs what ran.
  virtual void finish() = 0;
  // Sockets off the bus whose input should wake the host (tick() reads them).
  virtual void wake_items(std::vector<zmq::pollitem_t>& /*items*/) {}
};

// A component's own loop: its steps, woken by its bus socket and its wake_items, with a turn
// of housekeeping at least every 100 ms. Returns the exit code (0).
inline int run_steps(Steps& steps, zmq::socket_t& bus, const std::atomic<bool>& stop) {
  using namespace std::chrono_literals;
  steps.start();
  std::vector<zmq::pollitem_t> items{{bus.handle(), 0, ZMQ_POLLIN, 0}};
  steps.wake_items(items);
  while (!stop) {
    steps.tick();
    try {
      zmq::poll(items, 100ms);
    } catch (const zmq::error_t&) {
      break;  // interrupted by a signal: the stop flag says what next
    }
    steps.drain();
  }
  steps.finish();
  return 0;
}

// How the market-data component waits between events. Alone, it sleeps; in the inline
// deployment the host lends the wait to the other components on the thread.
class Waiter {
 public:
  virtual ~Waiter() = default;
  virtual void wait_until(std::chrono::steady_clock::time_point due) = 0;
  // A chance for the others between events at full speed; cheap when nothing is due.
  virtual void between_events() {}
};

}  // namespace ztrade::ops
