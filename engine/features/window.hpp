#pragma once
// The last n values of a series, in a ring allocated once at construction. SMA, rolling
// standard deviation and Bollinger Bands keep TA-Lib's running totals on top of it: add the
// new value, use the total, then subtract the value that leaves the window next.
#include <vector>

namespace ztrade::detail {

class Window {
 public:
  explicit Window(int n) : values_(static_cast<std::size_t>(n), 0.0), n_(n) {}

  void push(double x) noexcept {
    values_[pos_] = x;
    pos_ = (pos_ + 1 == static_cast<std::size_t>(n_)) ? 0 : pos_ + 1;
    if (count_ < n_) ++count_;
  }
  // True once n values have been pushed.
  bool full() const noexcept { return count_ == n_; }
  // Values pushed so far, saturating at n.
  int count() const noexcept { return count_; }
  // The oldest value still in the window, i.e. the one the next push() evicts. Only meaningful
  // when full().
  double oldest() const noexcept { return values_[pos_]; }
  // Calls f(v) for the `count` most recently pushed values, oldest first (count <= count()).
  template <class F>
  void for_each_recent(int count, F&& f) const noexcept {
    std::size_t i = (pos_ + static_cast<std::size_t>(n_ - count)) % static_cast<std::size_t>(n_);
    for (int k = 0; k < count; ++k) {
      f(values_[i]);
      i = (i + 1 == static_cast<std::size_t>(n_)) ? 0 : i + 1;
    }
  }
  void clear() noexcept {
    pos_ = 0;
    count_ = 0;
  }

 private:
  std::vector<double> values_;
  std::size_t pos_ = 0;
  int n_;
  int count_ = 0;
};

}  // namespace ztrade::detail
