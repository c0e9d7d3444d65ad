#include "risk/trading_day.hpp"

#include <charconv>
#include <chrono>
#include <stdexcept>

#include <date/tz.h>
#include <fmt/format.h>

namespace ztrade::risk {

namespace {
using Ns = std::chrono::nanoseconds;
constexpr std::int64_t kDayNs = 86'400'000'000'000;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}
}  // namespace

std::optional<TradingDay> TradingDay::parse(std::string_view text, std::string* error) {
  auto fail = [&](std::string why) -> std::optional<TradingDay> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  const auto space = text.rfind(' ');
  if (space == std::string_view::npos) {
    return fail(
        fmt::format("\"{}\": expected \"<time zone> HH:MM\", e.g. \"America/New_York "
                    "17:00\" or \"UTC 00:00\"",
                    text));
  }
  const std::string_view zone = text.substr(0, space), clock = text.substr(space + 1);
  int hh = -1, mm = -1;
  if (clock.size() == 5 && clock[2] == ':') {
    std::from_chars(clock.data(), clock.data() + 2, hh);
    std::from_chars(clock.data() + 3, clock.data() + 5, mm);
  }
  if (hh < 0 || hh > 23 || mm < 0 || mm > 59) {
    return fail(fmt::format("\"{}\": the time must be HH:MM from 00:00 to 23:59", clock));
  }
  TradingDay d;
  d.offset_ns_ = (hh * 60LL + mm) * 60'000'000'000LL;
  if (zone == "UTC" || zone == "Etc/UTC") return d;
  try {
    d.zone_ = date::locate_zone(std::string(zone));
  } catch (const std::exception&) {
    return fail(
        fmt::format("time zone \"{}\" is not in the tz database (/usr/share/zoneinfo; "
                    "Debian: apt install tzdata), e.g. America/New_York, or UTC",
                    zone));
  }
  return d;
}

TradingDay::Span TradingDay::span_of(std::int64_t ts_ns) const {
  if (zone_ == nullptr) {
    const std::int64_t start = floor_div(ts_ns - offset_ns_, kDayNs) * kDayNs + offset_ns_;
    return {start, start + kDayNs};
  }
  using date::local_time;
  const date::sys_time<Ns> sys{Ns{ts_ns}};
  const auto local = zone_->to_local(sys).time_since_epoch().count();
  // The local date whose boundary is the last at or before ts_ns.
  const std::int64_t day = floor_div(local - offset_ns_, kDayNs);
  auto boundary = [&](std::int64_t d) {
    const local_time<Ns> at{Ns{d * kDayNs + offset_ns_}};
    // A boundary inside a DST gap or overlap: the earliest real instant that matches.
    return zone_->to_sys(at, date::choose::earliest).time_since_epoch().count();
  };
  return {boundary(day), boundary(day + 1)};
}

}  // namespace ztrade::risk
