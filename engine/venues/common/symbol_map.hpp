#pragma once
// Venue symbol -> engine symbol ("BTC/USD" on Kraken, "BTC-USD" on Coinbase -> "BTCUSD"), from
// config. Looked up by string_view for every message: a short sorted vector, no allocation.
#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bus/messages.hpp"

namespace ztrade::venues {

class SymbolMap {
 public:
  // False (nothing added) when the engine symbol does not fit the wire's 16 bytes or the venue
  // symbol is already mapped.
  bool add(std::string_view venue_symbol, std::string_view engine_symbol) {
    wire::Symbol s;
    if (venue_symbol.empty() || engine_symbol.empty() || !s.assign(engine_symbol)) return false;
    if (find(venue_symbol)) return false;
    entries_.push_back({std::string(venue_symbol), s});
    std::sort(entries_.begin(), entries_.end(),
              [](const Entry& a, const Entry& b) { return a.venue < b.venue; });
    return true;
  }
  // The engine symbol, or nullptr for a symbol we did not subscribe (counted by callers).
  const wire::Symbol* find(std::string_view venue_symbol) const noexcept {
    auto it = std::lower_bound(
        entries_.begin(), entries_.end(), venue_symbol,
        [](const Entry& e, std::string_view v) { return std::string_view(e.venue) < v; });
    return it != entries_.end() && it->venue == venue_symbol ? &it->engine : nullptr;
  }
  // Venue symbols, for subscribe requests.
  std::vector<std::string> venue_symbols() const {
    std::vector<std::string> out;
    for (const auto& e : entries_) out.push_back(e.venue);
    return out;
  }
  std::size_t size() const noexcept { return entries_.size(); }

 private:
  struct Entry {
    std::string venue;
    wire::Symbol engine;
  };
  std::vector<Entry> entries_;
};

}  // namespace ztrade::venues
