#pragma once
// TA-Lib starts every smoothed average (EMA, Wilder's ATR) from the simple mean of its first n
// inputs, summed left to right and divided by n. This holds that start-up phase.
namespace ztrade::detail {

class MeanSeed {
 public:
  // Adds x while seeding; returns true, with `mean` set, when the n-th input arrives.
  bool add(double x, int n, double& mean) noexcept {
    sum_ += x;
    if (++count_ < n) return false;
    mean = sum_ / n;
    return true;
  }
  int count() const noexcept { return count_; }

 private:
  int count_ = 0;
  double sum_ = 0.0;
};

}  // namespace ztrade::detail
