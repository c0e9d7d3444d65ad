#pragma once
// A seeded random walk of trades for any symbols, for offline runs and benchmarks: the same
// seed gives the same stream. Prices move by a normal log-return per trade, on a 1e-4 tick.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "market_data/market_event.hpp"

namespace ztrade::market_data {

class SyntheticSource {
 public:
  SyntheticSource(std::vector<std::string> symbols, std::uint64_t seed, double start_price,
                  double volatility);
  // The next trade, round-robin over symbols, stamped with ts_ns.
  void next(std::int64_t ts_ns, MarketEvent& out) noexcept;

 private:
  std::vector<wire::Symbol> symbols_;
  std::vector<double> prices_;
  std::mt19937_64 rng_;
  std::normal_distribution<double> step_;
  std::uniform_int_distribution<int> size_{1, 500};
  std::size_t next_symbol_ = 0;
  std::uint64_t trade_id_ = 0;
};

}  // namespace ztrade::market_data
