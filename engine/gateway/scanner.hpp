#pragma once
// The market scanner: over every symbol's closed bars and streaming features, the lists a
// trader scans - top gainers and losers over a window, most active by volume, unusual volume
// (the last bar's volume against its rolling mean), breakouts above the N-bar high or below
// the N-bar low, RSI overbought / oversold, and MACD crossing its signal line on the last bar.
// Thresholds come from [gateway.scanner]. Fed on the gateway's thread; results on demand.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "bus/messages.hpp"
#include "core/string_hash.hpp"
#include "gateway/gateway_config.hpp"

namespace ztrade::gateway {

class Scanner {
 public:
  explicit Scanner(const ScannerConfig& config);

  void on_bar(const wire::BarMsg& bar);  // closed bars only
  void on_features(const wire::FeaturesMsg& features);

  // Every list, as JSON; recomputed from the state on each call.
  [[nodiscard]] std::string results_json() const;
  // Bumped by every input: the stream pushes results only when this moved.
  [[nodiscard]] std::uint64_t version() const noexcept { return version_; }

 private:
  struct Point {
    double high, low, close, volume;
  };
  struct SymbolScan {
    std::deque<Point> bars;  // newest last, at most history_ + 1
    std::int64_t bar_ns = 0;
    double rsi = 0;
    bool rsi_ready = false;
    double macd_diff = 0, prev_macd_diff = 0;  // macd_line - macd_signal, last two bars
    int macd_seen = 0;
    double macd_line = 0, macd_signal = 0;
  };
  ScannerConfig config_;
  std::size_t history_;  // bars kept per symbol
  StringMap<SymbolScan> symbols_;
  std::uint64_t version_ = 0;
};

}  // namespace ztrade::gateway
