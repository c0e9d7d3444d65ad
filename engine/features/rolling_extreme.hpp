#pragma once
// Highest or lowest of the last n values in amortised O(1): a monotonic deque kept in a ring
// allocated once. The extremes are exact input values, so the result equals any other correct
// method (TA-Lib's own scan included) bit for bit.
#include <cstdint>
#include <vector>

namespace ztrade::detail {

// Better(a, b) is true when a should replace b as the extreme (a >= b for a maximum).
template <class Better>
class RollingExtreme {
 public:
  explicit RollingExtreme(int n) : slots_(static_cast<std::size_t>(n)), n_(n) {}

  void push(double x) noexcept {
    // Drop the front if it falls out of the window [seq_-n+1, seq_].
    if (size_ > 0 && at(0).seq <= seq_ - n_) pop_front();
    while (size_ > 0 && Better{}(x, at(size_ - 1).value)) --size_;
    slot(size_) = {seq_, x};
    ++size_;
    ++seq_;
  }
  // Extreme of the last n values (or of all values while fewer than n were pushed).
  double best() const noexcept { return at(0).value; }
  // Extreme the window would have after push(x), without pushing.
  double best_after(double x) const noexcept {
    std::size_t first = 0;
    if (size_ > 0 && at(0).seq <= seq_ - n_) first = 1;
    if (first >= size_) return x;
    const double kept = at(first).value;
    return Better{}(x, kept) ? x : kept;
  }
  void clear() noexcept {
    head_ = size_ = 0;
    seq_ = 0;
  }

 private:
  struct Entry {
    std::int64_t seq;
    double value;
  };
  // Wrap by comparison, not %, which would cost an integer division per access.
  std::size_t index(std::size_t i) const noexcept {
    const std::size_t j = head_ + i;
    return j >= slots_.size() ? j - slots_.size() : j;
  }
  Entry& slot(std::size_t i) noexcept { return slots_[index(i)]; }
  const Entry& at(std::size_t i) const noexcept { return slots_[index(i)]; }
  void pop_front() noexcept {
    head_ = index(1);
    --size_;
  }

  std::vector<Entry> slots_;
  std::int64_t n_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
  std::int64_t seq_ = 0;
};

struct GreaterOrEqual {
  bool operator()(double a, double b) const noexcept { return a >= b; }
};
struct LessOrEqual {
  bool operator()(double a, double b) const noexcept { return a <= b; }
};

using RollingMax = RollingExtreme<GreaterOrEqual>;
using RollingMin = RollingExtreme<LessOrEqual>;

}  // namespace ztrade::detail
