#pragma once
// A seeded random walk of trades for any symbols, for offline runs and benchmarks: the same
// seed gives the same stream. Prices move by a normal log-return per trade, on a 1e-4 tick.
// With a spread (spread_bps > 0) every trade is followed by a quote around its price, so the
// stream alternates trade, quote, trade, quote ...
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "market_data/market_event.hpp"

namespace ztrade::market_data {

class SyntheticSource {
 public:
  SyntheticSource(std::vector<std::string> symbols, std::uint64_t seed, double start_price,
                  double volatility, double spread_bps = 0);
  // The next event (a trade, round-robin over symbols, or the quote after it), stamped ts_ns.
  void next(std::int64_t ts_ns, MarketEvent& out) noexcept;

 private:
  std::vector<wire::Symbol> symbols_;
  std::vector<double> prices_;
  std::mt19937_64 rng_;
  std::normal_distribution<double> step_;
  std::uniform_int_distribution<int> size_{1, 500};
  double half_spread_;  // fraction of the price on each side of it
  bool quote_due_ = false;
  std::size_t last_symbol_ = 0;
  std::size_t next_symbol_ = 0;
  std::uint64_t trade_id_ = 0;
};

}  // namespace ztrade::market_data
