#pragma once
// Generated bar series for the edge-case tests: seeded random walks at any price level,
// with flat stretches and gaps on demand.
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "core/bar.hpp"

namespace ztrade::test {

inline std::vector<Bar> random_walk(std::size_t n, std::uint64_t seed, double start = 100.0,
                                    double vol = 0.01) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> step(0.0, vol);
  std::uniform_real_distribution<double> wick(0.0, vol);
  std::uniform_int_distribution<int> volume(0, 100000);
  std::vector<Bar> bars;
  bars.reserve(n);
  double close = start;
  for (std::size_t i = 0; i < n; ++i) {
    const double open = close;
    close = open * std::exp(step(rng));
    const double high = std::max(open, close) * (1.0 + wick(rng));
    const double low = std::min(open, close) * (1.0 - wick(rng));
    bars.push_back({open, high, low, close, static_cast<double>(volume(rng)),
                    static_cast<std::int64_t>(i) * 60'000'000'000});
  }
  return bars;
}

// Bitwise-equal doubles, with NaN equal to NaN.
inline bool same(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || a == b;
}

}  // namespace ztrade::test
