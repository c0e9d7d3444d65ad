#include "market_data/bar_aggregator.hpp"

#include <algorithm>
#include <stdexcept>

namespace ztrade::market_data {

BarAggregator::BarAggregator(std::int64_t interval_ns) : interval_(interval_ns) {
  if (interval_ns <= 0) throw std::invalid_argument("bar interval must be > 0");
}

bool BarAggregator::on_trade(std::string_view symbol, double price, double size, std::int64_t ts_ns,
                             wire::BarMsg& closed) {
  auto it = bars_.find(symbol);
  if (it == bars_.end()) it = bars_.emplace(std::string(symbol), State{}).first;
  State& s = it->second;
  std::int64_t start = ts_ns - ts_ns % interval_;
  if (ts_ns % interval_ < 0) start -= interval_;  // floor for times before the epoch
  bool emitted = false;
  if (s.open) {
    if (start < s.bar.start_ns) {
      ++late_;
      return false;
    }
    if (start > s.bar.start_ns) {
      closed = s.bar;
      emitted = true;
      s.open = false;
    }
  }
  if (!s.open) {
    s.bar = wire::BarMsg{};
    s.bar.symbol.assign_truncated(symbol);  // a trade's symbol: fits by construction
    s.bar.open = s.bar.high = s.bar.low = price;
    s.bar.start_ns = start;
    s.bar.interval_ns = interval_;
    s.open = true;
  }
  s.bar.high = std::max(s.bar.high, price);
  s.bar.low = std::min(s.bar.low, price);
  s.bar.close = price;
  s.bar.volume += size;
  ++s.bar.trade_count;
  return emitted;
}

}  // namespace ztrade::market_data
