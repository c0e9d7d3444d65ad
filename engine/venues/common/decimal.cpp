#include "venues/common/decimal.hpp"

#include <charconv>
#include <cmath>
#include <limits>

namespace ztrade::venues {
namespace {

constexpr std::int64_t kPow10[] = {1,
                                   10,
                                   100,
                                   1'000,
                                   10'000,
                                   100'000,
                                   1'000'000,
                                   10'000'000,
                                   100'000'000,
                                   1'000'000'000,
                                   10'000'000'000,
                                   100'000'000'000,
                                   1'000'000'000'000,
                                   10'000'000'000'000,
                                   100'000'000'000'000,
                                   1'000'000'000'000'000,
                                   10'000'000'000'000'000,
                                   100'000'000'000'000'000,
                                   1'000'000'000'000'000'000};
constexpr int kMaxPow = 18;

}  // namespace

bool Decimal::parse(std::string_view t, Decimal& out) noexcept {
  std::size_t at = 0;
  bool negative = false;
  if (at < t.size() && (t[at] == '-' || t[at] == '+')) negative = t[at++] == '-';
  std::int64_t m = 0;
  int scale = 0, significant = 0, digits = 0;
  bool point = false;
  for (; at < t.size(); ++at) {
    const char c = t[at];
    if (c == '.') {
      if (point) return false;
      point = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    ++digits;
    if (point) ++scale;
    if (m == 0 && c == '0') continue;  // leading zeros are not significant
    if (++significant > kMaxPow) return false;
    m = m * 10 + (c - '0');
  }
  if (digits == 0) return false;
  int exponent = 0;
  if (at < t.size() && (t[at] == 'e' || t[at] == 'E')) {
    ++at;
    bool neg_exp = false;
    if (at < t.size() && (t[at] == '-' || t[at] == '+')) neg_exp = t[at++] == '-';
    int e = 0, n = 0;
    for (; at < t.size() && t[at] >= '0' && t[at] <= '9'; ++at, ++n) {
      if (e > 1000) return false;
      e = e * 10 + (t[at] - '0');
    }
    if (n == 0) return false;
    exponent = neg_exp ? -e : e;
  }
  if (at != t.size()) return false;
  scale -= exponent;
  if (scale < 0) {  // 12e3: fold the exponent into the mantissa
    if (-scale > kMaxPow ||
        (m != 0 && m > std::numeric_limits<std::int64_t>::max() / kPow10[-scale])) {
      return false;
    }
    m *= kPow10[-scale];
    scale = 0;
  }
  if (scale > 40) return false;
  out.mantissa = negative ? -m : m;
  out.scale = scale;
  return true;
}

bool Decimal::to_scaled(int target, std::int64_t& out) const noexcept {
  if (target < 0 || target > kMaxPow) return false;
  if (scale <= target) {
    const std::int64_t f = kPow10[target - scale];
    if (mantissa != 0 && (mantissa > std::numeric_limits<std::int64_t>::max() / f ||
                          mantissa < std::numeric_limits<std::int64_t>::min() / f)) {
      return false;
    }
    out = mantissa * f;
    return true;
  }
  const int drop = scale - target;
  if (drop > kMaxPow) {
    if (mantissa != 0) return false;
    out = 0;
    return true;
  }
  if (mantissa % kPow10[drop] != 0) return false;  // trailing digits beyond the precision
  out = mantissa / kPow10[drop];
  return true;
}

double Decimal::to_double() const noexcept {
  if (scale <= kMaxPow) return static_cast<double>(mantissa) / static_cast<double>(kPow10[scale]);
  return static_cast<double>(mantissa) * std::pow(10.0, -scale);
}

bool parse_double(std::string_view text, double& out) noexcept {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  const auto r = std::from_chars(text.data(), text.data() + text.size(), out);
  return r.ec == std::errc{} && r.ptr == text.data() + text.size() && std::isfinite(out);
}

}  // namespace ztrade::venues
