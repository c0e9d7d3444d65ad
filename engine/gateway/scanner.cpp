#include "gateway/scanner.hpp"

#include <algorithm>
#include <functional>
#include <vector>

#include <fmt/format.h>

#include "features/feature_computer.hpp"
#include "gateway/json.hpp"

namespace ztrade::gateway {

namespace {

constexpr std::size_t feature_index(std::string_view name) {
  for (std::size_t i = 0; i < kFeatureNames.size(); ++i) {
    if (kFeatureNames[i] == name) return i;
  }
  return kFeatureNames.size();
}
constexpr std::size_t kRsi = feature_index("rsi");
constexpr std::size_t kMacdLine = feature_index("macd_line");
constexpr std::size_t kMacdSignal = feature_index("macd_signal");
static_assert(kRsi < kFeatureCount && kMacdLine < kFeatureCount && kMacdSignal < kFeatureCount);

struct Row {
  std::string_view symbol;
  double key;         // what the list is sorted by
  std::string extra;  // the row's other fields, JSON members
};

// The top `n` rows by key (descending, or ascending), as a JSON array.
std::string list(std::vector<Row> rows, std::size_t n, bool descending) {
  const auto by_key = [descending](const Row& a, const Row& b) {
    return descending ? a.key > b.key : a.key < b.key;
  };
  std::sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    return by_key(a, b) || (!by_key(b, a) && a.symbol < b.symbol);
  });
  if (rows.size() > n) rows.resize(n);
  std::string out = "[";
  for (const Row& r : rows) {
    if (out.size() > 1) out += ',';
    out += fmt::format(R"({{"symbol":{},{}}})", json_string(r.symbol), r.extra);
  }
  return out + "]";
}

// The rows that rose (or fell).
std::vector<Row> only(const std::vector<Row>& rows, bool rising) {
  std::vector<Row> out;
  for (const Row& r : rows) {
    if (rising ? r.key > 0 : r.key < 0) out.push_back(r);
  }
  return out;
}

}  // namespace

Scanner::Scanner(const ScannerConfig& config)
    : config_(config),
      history_(static_cast<std::size_t>(
          std::max({config.window_bars, config.volume_mean_bars, config.breakout_bars}))) {}

void Scanner::on_bar(const wire::BarMsg& b) {
  auto it = symbols_.find(b.symbol.view());
  if (it == symbols_.end()) it = symbols_.emplace(std::string(b.symbol.view()), SymbolScan{}).first;
  SymbolScan& s = it->second;
  s.bars.push_back({b.high, b.low, b.close, b.volume});
  if (s.bars.size() > history_ + 1) s.bars.pop_front();
  s.bar_ns = b.start_ns;
  ++version_;
}

void Scanner::on_features(const wire::FeaturesMsg& f) {
  auto it = symbols_.find(f.symbol.view());
  if (it == symbols_.end()) it = symbols_.emplace(std::string(f.symbol.view()), SymbolScan{}).first;
  SymbolScan& s = it->second;
  if (f.count <= std::max({kRsi, kMacdLine, kMacdSignal}) || !f.ready) return;
  s.rsi = f.values[kRsi];
  s.rsi_ready = std::isfinite(s.rsi);
  s.macd_line = f.values[kMacdLine];
  s.macd_signal = f.values[kMacdSignal];
  if (std::isfinite(s.macd_line) && std::isfinite(s.macd_signal)) {
    s.prev_macd_diff = s.macd_diff;
    s.macd_diff = s.macd_line - s.macd_signal;
    ++s.macd_seen;
  }
  ++version_;
}

std::string Scanner::results_json() const {
  std::vector<Row> change, active, unusual, breakouts, breakdowns, overbought, oversold, bullish,
      bearish;
  const auto window = static_cast<std::size_t>(config_.window_bars);
  const auto mean_n = static_cast<std::size_t>(config_.volume_mean_bars);
  const auto breakout_n = static_cast<std::size_t>(config_.breakout_bars);
  std::int64_t latest = 0;
  for (const auto& [symbol, s] : symbols_) {
    latest = std::max(latest, s.bar_ns);
    const std::size_t n = s.bars.size();
    if (n == 0) continue;
    const Point& last = s.bars.back();
    if (n > window && s.bars[n - 1 - window].close > 0) {
      const double pct = 100.0 * (last.close / s.bars[n - 1 - window].close - 1.0);
      change.push_back({symbol, pct,
                        fmt::format(R"("change_pct":{},"close":{})", json_number(pct),
                                    json_number(last.close))});
    }
    double volume = 0;
    for (std::size_t i = n > window ? n - window : 0; i < n; ++i) volume += s.bars[i].volume;
    active.push_back({symbol, volume, fmt::format(R"("volume":{})", json_number(volume))});
    if (n > mean_n) {
      double mean = 0;
      for (std::size_t i = n - 1 - mean_n; i < n - 1; ++i) mean += s.bars[i].volume;
      mean /= static_cast<double>(mean_n);
      if (mean > 0 && last.volume >= config_.unusual_volume_ratio * mean) {
        const double ratio = last.volume / mean;
        unusual.push_back({symbol, ratio,
                           fmt::format(R"("ratio":{},"volume":{},"mean":{})", json_number(ratio),
                                       json_number(last.volume), json_number(mean))});
      }
    }
    if (n > breakout_n) {
      double high = -INFINITY, low = INFINITY;
      for (std::size_t i = n - 1 - breakout_n; i < n - 1; ++i) {
        high = std::max(high, s.bars[i].high);
        low = std::min(low, s.bars[i].low);
      }
      if (last.close > high) {
        breakouts.push_back(
            {symbol, last.close / high,
             fmt::format(R"("close":{},"level":{})", json_number(last.close), json_number(high))});
      } else if (last.close < low) {
        breakdowns.push_back(
            {symbol, last.close / low,
             fmt::format(R"("close":{},"level":{})", json_number(last.close), json_number(low))});
      }
    }
    if (s.rsi_ready) {
      const std::string rsi = fmt::format(R"("rsi":{})", json_number(s.rsi));
      if (s.rsi >= config_.rsi_overbought) overbought.push_back({symbol, s.rsi, rsi});
      if (s.rsi <= config_.rsi_oversold) oversold.push_back({symbol, s.rsi, rsi});
    }
    if (s.macd_seen >= 2) {
      const std::string macd = fmt::format(R"("macd":{},"signal":{})", json_number(s.macd_line),
                                           json_number(s.macd_signal));
      if (s.prev_macd_diff <= 0 && s.macd_diff > 0) bullish.push_back({symbol, s.macd_diff, macd});
      if (s.prev_macd_diff >= 0 && s.macd_diff < 0) bearish.push_back({symbol, s.macd_diff, macd});
    }
  }
  const auto top = static_cast<std::size_t>(config_.top);
  return fmt::format(
      R"({{"bar_ns":{},"symbols":{},"window_bars":{},"gainers":{},"losers":{},"most_active":{},)"
      R"("unusual_volume":{},"breakouts":{},"breakdowns":{},"overbought":{},"oversold":{},)"
      R"("macd_bullish":{},"macd_bearish":{}}})",
      latest, symbols_.size(), config_.window_bars, list(only(change, true), top, true),
      list(only(change, false), top, false), list(active, top, true), list(unusual, top, true),
      list(breakouts, top, true), list(breakdowns, top, false), list(overbought, top, true),
      list(oversold, top, false), list(bullish, top, true), list(bearish, top, false));
}

}  // namespace ztrade::gateway
