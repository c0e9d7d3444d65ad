#pragma once
// Reconnect delays: exponential from about 250 ms up to 30 s, with "full jitter" (a uniform
// draw between half the step and the step), so many clients - or many connections of one
// engine - that dropped together do not reconnect in lockstep and trip a venue's connection
// limit (Kraken bans an IP for 10 minutes past ~150 attempts in 10 minutes). A connection
// that stayed up long enough resets the sequence.
#include <chrono>
#include <cstdint>
#include <random>

namespace ztrade::venues::websocket {

class Backoff {
 public:
  using Duration = std::chrono::milliseconds;
  Backoff(Duration initial = Duration(250), Duration max = Duration(30'000),
          std::uint64_t seed = std::random_device{}())
      : initial_(initial), max_(max), rng_(seed) {}

  // The delay before the next attempt; each call doubles the step, up to max.
  Duration next() noexcept {
    const auto step = step_;
    step_ = std::min<Duration>(step_ * 2, max_);
    attempts_++;
    std::uniform_int_distribution<std::int64_t> jitter(step.count() / 2, step.count());
    return Duration(jitter(rng_));
  }
  // After a connection that proved healthy (subscribed and stable): start again from the
  // initial step.
  void reset() noexcept {
    step_ = initial_;
    attempts_ = 0;
  }
  std::uint32_t attempts() const noexcept { return attempts_; }

 private:
  Duration initial_, max_;
  Duration step_ = initial_;
  std::uint32_t attempts_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace ztrade::venues::websocket
