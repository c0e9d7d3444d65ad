#include "venues/common/timestamp.hpp"

#include <cstdint>

namespace ztrade::venues {
namespace {

// Reads exactly n digits at text[at...]; false if any is not a digit.
bool digits(std::string_view text, std::size_t at, std::size_t n, unsigned& out) noexcept {
  if (at + n > text.size()) return false;
  unsigned v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  out = v;
  return true;
}

constexpr bool leap(unsigned y) noexcept {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

constexpr unsigned days_in_month(unsigned y, unsigned m) noexcept {
  constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

}  // namespace

bool parse_rfc3339_ns(std::string_view t, std::int64_t& out_ns) noexcept {
  // YYYY-MM-DDTHH:MM:SS
  unsigned y, mo, d, h, mi, s;
  if (t.size() < 20 || !digits(t, 0, 4, y) || t[4] != '-' || !digits(t, 5, 2, mo) || t[7] != '-' ||
      !digits(t, 8, 2, d) || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') ||
      !digits(t, 11, 2, h) || t[13] != ':' || !digits(t, 14, 2, mi) || t[16] != ':' ||
      !digits(t, 17, 2, s)) {
    return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 60) {
    return false;
  }
  std::size_t at = 19;
  std::int64_t frac_ns = 0;
  if (at < t.size() && t[at] == '.') {
    ++at;
    std::int64_t scale = 100'000'000;
    std::size_t n = 0;
    while (at < t.size() && t[at] >= '0' && t[at] <= '9') {
      if (n < 9) frac_ns += (t[at] - '0') * scale;  // beyond ns: truncated
      scale /= 10;
      ++at;
      ++n;
    }
    if (n == 0) return false;
  }
  std::int64_t offset_s = 0;
  if (at >= t.size()) return false;
  if (t[at] == 'Z' || t[at] == 'z') {
    ++at;
  } else if (t[at] == '+' || t[at] == '-') {
    unsigned oh, om;
    if (!digits(t, at + 1, 2, oh) || at + 3 >= t.size() || t[at + 3] != ':' ||
        !digits(t, at + 4, 2, om) || oh > 23 || om > 59) {
      return false;
    }
    offset_s = (t[at] == '+' ? 1 : -1) * static_cast<std::int64_t>(oh * 3600 + om * 60);
    at += 6;
  } else {
    return false;
  }
  if (at != t.size()) return false;
  const std::int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset_s;
  // int64 nanoseconds reach from 1677 to 2262; anything outside is not a venue time.
  constexpr std::int64_t kMaxSecs = INT64_MAX / 1'000'000'000 - 1;
  if (secs > kMaxSecs || secs < -kMaxSecs) return false;
  out_ns = secs * 1'000'000'000 + frac_ns;
  return true;
}

}  // namespace ztrade::venues
