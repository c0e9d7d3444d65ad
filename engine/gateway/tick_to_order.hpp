#pragma once
// Tick-to-order latency as the bus shows it: from the moment market-data published a bar to
// the moment risk published the order decided on it (an order's event time is its bar's
// start), from the frames' own send times - one host, one clock. The last samples give the
// percentiles /v1/summary and the dashboard show.
//
// The gateway reads several publishers through one socket, fair-queued and in batches: the
// order made on a bar often comes out before that bar (queued behind trades from
// market-data), or after a newer one. So each symbol keeps its last few bars and its last few
// orders still waiting for their bar.
#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/string_hash.hpp"

namespace ztrade::gateway {

class TickToOrder {
 public:
  static constexpr std::size_t kSamples = 10'000;
  static constexpr std::size_t kKept = 16;  // bars, and orders waiting, per symbol

  void on_bar(std::string_view symbol, std::int64_t bar_start_ns, std::int64_t send_ns) {
    Recent& r = recent(symbol);
    r.bars[r.next_bar++ % kKept] = {bar_start_ns, send_ns};
    for (Stamp& o : r.orders) {
      if (o.send_ns != 0 && o.event_ns == bar_start_ns) {
        record(o.send_ns - send_ns);
        o = {};
      }
    }
  }
  void on_order(std::string_view symbol, std::int64_t event_ns, std::int64_t send_ns) {
    Recent& r = recent(symbol);
    for (const Stamp& b : r.bars) {
      if (b.send_ns != 0 && b.event_ns == event_ns) return record(send_ns - b.send_ns);
    }
    r.orders[r.next_order++ % kKept] = {event_ns, send_ns};  // its bar is still to come
  }
  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  // p50, p90 and p99 of the kept samples, in microseconds; zeros without samples.
  [[nodiscard]] std::array<double, 3> p50_p90_p99_us() const {
    const std::size_t n = std::min<std::uint64_t>(count_, kSamples);
    if (n == 0) return {0, 0, 0};
    std::vector<std::int64_t> v(samples_.begin(),
                                samples_.begin() + static_cast<std::ptrdiff_t>(n));
    std::sort(v.begin(), v.end());
    auto q = [&](double p) {
      return static_cast<double>(
                 v[std::min(n - 1, static_cast<std::size_t>(p * static_cast<double>(n)))]) /
             1000.0;
    };
    return {q(0.50), q(0.90), q(0.99)};
  }

 private:
  struct Stamp {
    std::int64_t event_ns = 0, send_ns = 0;  // send_ns 0: empty
  };
  struct Recent {
    std::array<Stamp, kKept> bars{}, orders{};
    std::size_t next_bar = 0, next_order = 0;
  };
  Recent& recent(std::string_view symbol) {
    auto it = symbols_.find(symbol);
    if (it == symbols_.end()) it = symbols_.emplace(std::string(symbol), Recent{}).first;
    return it->second;
  }
  void record(std::int64_t ns) {
    if (ns < 0) return;
    samples_[count_ % kSamples] = ns;
    ++count_;
  }
  StringMap<Recent> symbols_;
  std::array<std::int64_t, kSamples> samples_{};
  std::uint64_t count_ = 0;
};

}  // namespace ztrade::gateway
