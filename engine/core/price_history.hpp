#pragma once
// The recent market prices of one symbol in event time, so that risk can ask "what was the
// price at time T?" and decide a signal made at T on the market as it was at T - not on
// whatever later data happened to reach risk first - and the simulated broker can fill an
// order against the prices that followed its time. A ring of at most `capacity` points, the
// oldest dropped first, kept in fixed blocks of kBlock points: `reserve` points' worth of
// blocks is allocated up front, and a block more each time the ring grows past them, until it
// reaches its capacity - never a copy of what is kept (no latency spike as it grows), and no
// allocation at all once full.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

namespace ztrade {

class PriceHistory {
 public:
  struct Point {
    std::int64_t ts_ns = 0;
    double price = 0;
    double volume = std::numeric_limits<double>::quiet_NaN();  // traded there; NaN: unknown
  };

  static constexpr std::size_t kBlock = 4096;  // points per block (96 KiB)

  PriceHistory() : PriceHistory(8192) {}
  explicit PriceHistory(std::size_t capacity) : PriceHistory(capacity, capacity) {}
  PriceHistory(std::size_t capacity, std::size_t reserve)
      : capacity_(std::max<std::size_t>(capacity, 2)) {
    blocks_.reserve((capacity_ + kBlock - 1) / kBlock);  // block pointers only
    while (blocks_.size() * kBlock < std::min(reserve, capacity_)) add_block();
  }

  // Times are kept non-decreasing: an event older than the newest one recorded (venues may
  // send slightly out-of-order timestamps) is recorded at the newest time.
  // Throws only if a new block cannot be had.
  void record(std::int64_t ts_ns, double price,
              double volume = std::numeric_limits<double>::quiet_NaN()) {
    if (size_ > 0) ts_ns = std::max(ts_ns, at_index(size_ - 1).ts_ns);
    if (size_ < capacity_) {  // still growing: head_ is 0, so point i is at slot i
      if (size_ == blocks_.size() * kBlock) add_block();
      slot(size_) = {ts_ns, price, volume};
      ++size_;
    } else {
      slot(head_) = {ts_ns, price, volume};
      head_ = head_ + 1 == capacity_ ? 0 : head_ + 1;
      full_ = true;
    }
  }

  // The last price at or before ts_ns. Nothing when no price that early was ever seen; when
  // the ring has already dropped it, the oldest kept price (and `overrun` is set).
  std::optional<Point> at(std::int64_t ts_ns, bool* overrun = nullptr) const noexcept {
    if (size_ == 0) return std::nullopt;
    if (ts_ns < at_index(0).ts_ns) {
      if (!full_) return std::nullopt;
      if (overrun) *overrun = true;
      return at_index(0);
    }
    // Binary search for the last index with ts <= ts_ns.
    std::size_t lo = 0, hi = size_;  // invariant: at_index(lo).ts <= ts_ns < at_index(hi).ts
    while (hi - lo > 1) {
      const std::size_t mid = lo + (hi - lo) / 2;
      if (at_index(mid).ts_ns <= ts_ns) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return at_index(lo);
  }

  std::optional<Point> latest() const noexcept {
    if (size_ == 0) return std::nullopt;
    return at_index(size_ - 1);
  }

  // The index of the first point later than ts_ns (size() if none): what follows an order.
  // Orders ask about recent times, so the search gallops back from the newest point (1, 2, 4,
  // ... back) and then halves the bracket: a few reads near the end of the ring, not a binary
  // search's cache misses across all of it.
  std::size_t first_after(std::int64_t ts_ns) const noexcept {
    std::size_t hi = size_;  // every index >= hi is later than ts_ns
    std::size_t lo = 0;
    for (std::size_t step = 1; hi > 0; step *= 2) {
      const std::size_t probe = hi > step ? hi - step : 0;
      if (at_index(probe).ts_ns <= ts_ns) {
        lo = probe + 1;
        break;
      }
      hi = probe;
    }
    while (lo < hi) {
      const std::size_t mid = lo + (hi - lo) / 2;
      if (at_index(mid).ts_ns <= ts_ns) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  std::size_t size() const noexcept { return size_; }
  // Has dropped points (the oldest kept is not the first ever recorded).
  bool full() const noexcept { return full_; }
  // The i-th kept point, oldest first (i < size()).
  const Point& at_index(std::size_t i) const noexcept {
    std::size_t j = head_ + i;
    if (j >= capacity_) j -= capacity_;
    return blocks_[j / kBlock][j % kBlock];
  }

 private:
  Point& slot(std::size_t j) noexcept { return blocks_[j / kBlock][j % kBlock]; }
  void add_block() {
    const std::size_t first = blocks_.size() * kBlock;
    blocks_.push_back(std::make_unique<Point[]>(std::min(kBlock, capacity_ - first)));
  }

  std::size_t capacity_;
  std::vector<std::unique_ptr<Point[]>> blocks_;
  std::size_t head_ = 0;  // oldest
  std::size_t size_ = 0;
  bool full_ = false;  // has dropped prices
};

}  // namespace ztrade
