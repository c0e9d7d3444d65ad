#pragma once
// Exact decimals from venue text: "14.7775", "0.00001306", "4.0", "1e-08", "-0.17". Prices and
// quantities arrive as decimal text (strings on Coinbase and Alpaca, JSON number tokens on
// Kraken); a binary double cannot round-trip them, which matters wherever the digits count
// (Kraken's book checksum, price-level keys of an order book). A Decimal keeps the digits:
// value = mantissa * 10^-scale.
#include <cstdint>
#include <string_view>

namespace ztrade::venues {

struct Decimal {
  std::int64_t mantissa = 0;
  int scale = 0;  // digits after the point, >= 0

  // Parses [-]digits[.digits][(e|E)[+-]digits]; false for anything else or more than 18
  // significant digits.
  static bool parse(std::string_view text, Decimal& out) noexcept;

  // The value in units of 10^-target_scale (e.g. price 0.5666 at scale 4 -> 5666). False if
  // that would drop non-zero digits (the venue sent more precision than expected) or
  // overflow.
  bool to_scaled(int target_scale, std::int64_t& out) const noexcept;

  double to_double() const noexcept;
};

// A double from decimal text (correctly rounded, via std::from_chars); false if not a number.
bool parse_double(std::string_view text, double& out) noexcept;

}  // namespace ztrade::venues
