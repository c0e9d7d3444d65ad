#pragma once
// What a Coinbase frame (Exchange ws-feed or Advanced Trade) means for the connection, beyond
// the market data it carries (docs: docs/reference/venue-protocols.md section 2).
#include <cstdint>
#include <string_view>

#include "venues/common/decimal.hpp"

namespace ztrade::venues::coinbase {

enum class Control : std::uint8_t {
  kNone,        // market data or nothing to act on
  kSubscribed,  // "subscriptions": the server's full current set
  kHeartbeat,   // heartbeat (Exchange, per product) or heartbeats (Advanced Trade)
  kError,       // {"type":"error"}: message and reason in ParseResult::text
  kBookResync,  // a book is unusable (update before snapshot, crossed): resubscribe
};

struct ParseResult {
  Control control = Control::kNone;
  bool ok = true;            // false: malformed (counted in parse_errors)
  std::string_view product;  // product for kBookResync (valid until the next parse)
  std::string_view text;     // error text (valid until the next parse)
};

// Price and size scales of Coinbase books (units of 10^-scale): Coinbase sends decimal strings
// with up to 8-10 decimals; 10^12 keeps every price below 9.2 million exact, 10^9 every size
// below 9.2 billion.
inline constexpr int kPriceScale = 12;
inline constexpr int kSizeScale = 9;

// A level's price and size text ("14.7550", "2.39") at those scales; false for anything that is
// not a positive price and non-negative size they can hold exactly.
inline bool scaled_level(std::string_view price, std::string_view size, std::int64_t& price_units,
                         std::int64_t& size_units) noexcept {
  Decimal p, s;
  return Decimal::parse(price, p) && Decimal::parse(size, s) &&
         p.to_scaled(kPriceScale, price_units) && s.to_scaled(kSizeScale, size_units) &&
         price_units > 0 && size_units >= 0;
}

}  // namespace ztrade::venues::coinbase
