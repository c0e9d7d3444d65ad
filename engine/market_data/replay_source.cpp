#include "market_data/replay_source.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>

#include "core/epoch_time.hpp"

namespace ztrade::market_data {
namespace {

std::vector<std::string_view> split(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const auto comma = line.find(',', start);
    out.push_back(line.substr(start, comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

double number(std::string_view s, const std::string& where, std::string_view column) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ')) s.remove_suffix(1);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  double v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc{} || r.ptr != s.data() + s.size() || !std::isfinite(v)) {
    throw std::runtime_error(
        fmt::format("{}: {} is not a finite number: \"{}\"", where, column, s));
  }
  return v;
}

// An integer column (timestamps in ns, trade ids) read as an integer: through a double it
// would round to 256 ns (2^53 < 1.7e18).
template <class Int>
Int integer(std::string_view s, const std::string& where, std::string_view column) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ')) s.remove_suffix(1);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  Int v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc{} || r.ptr != s.data() + s.size()) {
    throw std::runtime_error(fmt::format("{}: {} is not a whole number: \"{}\"", where, column, s));
  }
  return v;
}

}  // namespace

ReplaySource::ReplaySource(const std::string& path, Format format,
                           const std::string& default_symbol, std::int64_t bar_interval_ns) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(fmt::format("cannot open replay file {}", path));
  std::string line;
  if (!std::getline(in, line)) throw std::runtime_error(fmt::format("{}: empty file", path));
  // Spreadsheets save UTF-8 CSV with a byte-order mark; it is not part of the first column.
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
  std::map<std::string, std::size_t, std::less<>> col;
  {
    const auto names = split(line);
    for (std::size_t i = 0; i < names.size(); ++i) {
      std::string n(names[i]);
      while (!n.empty() && (n.back() == '\r' || n.back() == ' ')) n.pop_back();
      col[n] = i;
    }
  }
  const bool has_ns = col.count("ts_ns") > 0;
  if (!has_ns && !col.count("ts")) {
    throw std::runtime_error(fmt::format("{}: needs a ts (seconds) or ts_ns column", path));
  }
  const std::vector<std::string> needed =
      format == Format::kBars ? std::vector<std::string>{"open", "high", "low", "close", "volume"}
                              : std::vector<std::string>{"price", "size"};
  for (const auto& c : needed) {
    if (!col.count(c)) throw std::runtime_error(fmt::format("{}: missing column {}", path, c));
  }
  const bool has_symbol = col.count("symbol") > 0;
  std::size_t line_no = 1;
  std::int64_t prev_ts = INT64_MIN;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line == "\r") continue;
    const auto f = split(line);
    const std::string where = fmt::format("{}:{}", path, line_no);
    auto field = [&](const std::string& name) -> std::string_view {
      const std::size_t i = col.at(name);
      if (i >= f.size()) throw std::runtime_error(fmt::format("{}: missing field {}", where, name));
      return f[i];
    };
    // Never a bar outside 1970-2262: a time that is not one is refused, naming the row.
    const std::string_view ts_text = field(has_ns ? "ts_ns" : "ts");
    const auto parsed = has_ns ? epoch_ns_of_ts_ns(ts_text) : epoch_ns_of_ts(ts_text);
    if (!parsed) {
      throw std::runtime_error(fmt::format(
          "{}: {} \"{}\" is not a time between 1970 and 2262 ({})", where, has_ns ? "ts_ns" : "ts",
          ts_text,
          has_ns ? "whole nanoseconds since the epoch"
                 : "seconds, milliseconds, microseconds or nanoseconds since the epoch"));
    }
    const std::int64_t ts = *parsed;
    if (ts < prev_ts) {
      throw std::runtime_error(fmt::format("{}: timestamps go backwards", where));
    }
    prev_ts = ts;
    const std::string symbol = has_symbol ? std::string(field("symbol")) : default_symbol;
    MarketEvent e;
    e.ts_ns = ts;
    wire::Symbol sym;
    if (symbol.empty() || !sym.assign(symbol)) {
      throw std::runtime_error(
          fmt::format("{}: symbol \"{}\" must be 1-16 characters", where, symbol));
    }
    if (format == Format::kBars) {
      e.kind = MarketEvent::Kind::kBar;
      e.bar.symbol = sym;
      e.bar.open = number(field("open"), where, "open");
      e.bar.high = number(field("high"), where, "high");
      e.bar.low = number(field("low"), where, "low");
      e.bar.close = number(field("close"), where, "close");
      e.bar.volume = number(field("volume"), where, "volume");
      if (e.bar.volume < 0) throw std::runtime_error(fmt::format("{}: negative volume", where));
      e.bar.start_ns = ts;
      e.bar.interval_ns = bar_interval_ns;
    } else {
      e.kind = MarketEvent::Kind::kTrade;
      e.trade.symbol = sym;
      e.trade.price = number(field("price"), where, "price");
      e.trade.size = number(field("size"), where, "size");
      if (!(e.trade.price > 0) || e.trade.size < 0) {
        throw std::runtime_error(fmt::format("{}: price must be > 0 and size >= 0", where));
      }
      e.trade.exchange_ns = ts;
      e.trade.trade_id = col.count("trade_id")
                             ? integer<std::uint64_t>(field("trade_id"), where, "trade_id")
                             : events_.size() + 1;
    }
    events_.push_back(e);
  }
}

}  // namespace ztrade::market_data
