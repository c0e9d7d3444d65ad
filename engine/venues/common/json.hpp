#pragma once
// Field accessors over simdjson On-Demand objects for the venue parsers: each returns false
// (or kInvalid) instead of throwing, so a malformed message is counted, never fatal. Fields
// are looked up in any order: venues do not promise one.
//
// Lookups go through field(), never simdjson's find_field_unordered: that one's second pass
// (wrapping round to the object's start) assumes the first pass validated the object and has
// undefined behaviour on malformed input such as {"price":6,"":},"qty":1} (found by the Kraken
// fuzz target; tests/fuzz/regressions/kraken). field() scans forward, then rewinds and scans
// again, checking errors on both passes.
//
// After any failure other than an absent field (kAbsent) the document must not be touched
// again - On-Demand leaves its iterator in an error state - so callers end the frame there.
#include <simdjson.h>

#include <cmath>
#include <cstdint>
#include <string_view>

#include "venues/common/decimal.hpp"

namespace ztrade::venues::json {

namespace od = simdjson::ondemand;

enum class Field : std::uint8_t { kPresent, kAbsent, kInvalid };

// The value of `key` in `o`, wherever it is; NO_SUCH_FIELD when absent, another error when
// the object is malformed.
[[nodiscard]] inline simdjson::simdjson_result<od::value> field(od::object& o,
                                                                std::string_view key) noexcept {
  auto v = o.find_field(key);
  if (v.error() != simdjson::NO_SUCH_FIELD) return v;
  bool not_empty = false;
  if (auto error = o.reset().get(not_empty)) return error;
  return o.find_field(key);
}

inline bool string(od::object& o, std::string_view key, std::string_view& out) noexcept {
  return field(o, key).get_string().get(out) == simdjson::SUCCESS;
}

inline Field optional_string(od::object& o, std::string_view key, std::string_view& out) noexcept {
  auto v = field(o, key);
  if (v.error() == simdjson::NO_SUCH_FIELD) return Field::kAbsent;
  return v.get_string().get(out) == simdjson::SUCCESS ? Field::kPresent : Field::kInvalid;
}

inline Field optional_uint(od::object& o, std::string_view key, std::uint64_t& out) noexcept {
  auto v = field(o, key);
  if (v.error() == simdjson::NO_SUCH_FIELD) return Field::kAbsent;
  return v.get_uint64().get(out) == simdjson::SUCCESS ? Field::kPresent : Field::kInvalid;
}

// A JSON number (not a string), finite.
inline bool number(od::object& o, std::string_view key, double& out) noexcept {
  return field(o, key).get_double().get(out) == simdjson::SUCCESS && std::isfinite(out);
}

// A decimal sent as a JSON string ("14.7775"), as Coinbase and Alpaca's REST do.
inline bool string_number(od::object& o, std::string_view key, double& out) noexcept {
  std::string_view text;
  return string(o, key, text) && parse_double(text, out);
}

inline bool uint(od::object& o, std::string_view key, std::uint64_t& out) noexcept {
  return field(o, key).get_uint64().get(out) == simdjson::SUCCESS;
}

inline bool boolean(od::object& o, std::string_view key, bool& out) noexcept {
  return field(o, key).get_bool().get(out) == simdjson::SUCCESS;
}

// The text of a JSON number token as sent ("18097.1547", "4.0"), for exact decimals.
inline bool raw_number(od::object& o, std::string_view key, std::string_view& out) noexcept {
  od::value v;
  od::json_type type;
  if (field(o, key).get(v) != simdjson::SUCCESS || v.type().get(type) ||
      type != od::json_type::number) {
    return false;
  }
  out = v.raw_json_token();
  while (!out.empty() &&
         (out.back() == ' ' || out.back() == '\n' || out.back() == '\r' || out.back() == '\t')) {
    out.remove_suffix(1);
  }
  return true;
}

// A book level {price_key: number, qty_key: number} as exact fixed-point units at the given
// scales; false unless the price is positive, the quantity non-negative, and both fit exactly.
inline bool exact_level(od::object& level, std::string_view price_key, std::string_view qty_key,
                        int price_scale, int qty_scale, std::int64_t& price,
                        std::int64_t& qty) noexcept {
  std::string_view price_text, qty_text;
  Decimal p, q;
  return raw_number(level, price_key, price_text) && raw_number(level, qty_key, qty_text) &&
         Decimal::parse(price_text, p) && Decimal::parse(qty_text, q) &&
         p.to_scaled(price_scale, price) && q.to_scaled(qty_scale, qty) && price > 0 && qty >= 0;
}

}  // namespace ztrade::venues::json
