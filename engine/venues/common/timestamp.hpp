#pragma once
// RFC 3339 timestamps as venues send them ("2021-02-22T15:51:45.3355677Z",
// "2022-04-19T13:45:04.981350886-04:00", "2021-02-22T19:15:00Z"), to nanoseconds since the
// Unix epoch. Fractions of 0-9 digits, 'Z' or a +hh:mm / -hh:mm offset, 'T' or ' ' between
// date and time. No allocation, no locale, no exceptions: false for anything else.
#include <cstdint>
#include <string_view>

namespace ztrade::venues {

bool parse_rfc3339_ns(std::string_view text, std::int64_t& out_ns) noexcept;

// Days since 1970-01-01 of a proleptic Gregorian date (any year, month 1-12, day 1-31).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace ztrade::venues
