#include "core/epoch_time.hpp"

#include <charconv>
#include <cmath>
#include <limits>

namespace ztrade {
namespace {
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

// The factor to nanoseconds of a value of this magnitude.
std::int64_t scale_of(double magnitude) noexcept {
  if (magnitude < 1e11) return 1'000'000'000;
  if (magnitude < 1e14) return 1'000'000;
  if (magnitude < 1e17) return 1'000;
  return 1;
}
}  // namespace

std::optional<std::int64_t> epoch_ns_of_ts(std::string_view text) noexcept {
  text = trim(text);
  const char* end = text.data() + text.size();
  std::int64_t whole = 0;
  auto r = std::from_chars(text.data(), end, whole);
  if (r.ec == std::errc{} && r.ptr == end) {
    if (whole < 0) return std::nullopt;
    const std::int64_t scale = scale_of(static_cast<double>(whole));
    if (whole > kMax / scale) return std::nullopt;  // after 2262
    return whole * scale;
  }
  // "SECONDS.FRACTION" (the common case with decimals): read exactly, digit by digit - through
  // a double, a time in seconds with nanosecond digits would be off by up to 128 ns.
  if (const auto dot = text.find('.'); dot != std::string_view::npos && dot > 0) {
    const std::string_view int_part = text.substr(0, dot), frac = text.substr(dot + 1);
    std::int64_t i = 0;
    const auto ri = std::from_chars(int_part.data(), int_part.data() + int_part.size(), i);
    const bool digits_only = frac.find_first_not_of("0123456789") == std::string_view::npos;
    if (ri.ec == std::errc{} && ri.ptr == int_part.data() + int_part.size() && i >= 0 &&
        digits_only) {
      const std::int64_t scale = scale_of(static_cast<double>(i));
      if (i > kMax / scale) return std::nullopt;
      std::int64_t part = 0, unit = scale;
      std::size_t k = 0;
      for (; k < frac.size() && unit >= 10; ++k) {
        unit /= 10;
        part += (frac[k] - '0') * unit;
      }
      if (k < frac.size() && frac[k] >= '5') ++part;  // rounded to the nearest nanosecond
      if (i * scale > kMax - part) return std::nullopt;
      return i * scale + part;
    }
  }
  double v = 0;
  r = std::from_chars(text.data(), end, v);
  if (r.ec != std::errc{} || r.ptr != end || !std::isfinite(v) || v < 0) return std::nullopt;
  const double ns = std::round(v * static_cast<double>(scale_of(v)));
  if (!(ns < 9.223372036854775e18)) return std::nullopt;
  return static_cast<std::int64_t>(ns);
}

std::optional<std::int64_t> epoch_ns_of_ts_ns(std::string_view text) noexcept {
  text = trim(text);
  std::int64_t v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc{} || r.ptr != text.data() + text.size() || v < 0) return std::nullopt;
  return v;
}

}  // namespace ztrade
