#pragma once
// The trading day's boundary in market time (risk.day_boundary): "<IANA time zone> HH:MM",
// e.g. "America/New_York 17:00" or "UTC 00:00". Daily loss is reckoned from the last boundary
// at or before a decision's market time; the time zone's daylight-saving rules (the system's
// tz database, /usr/share/zoneinfo) apply on the date in question.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace date {
class time_zone;
}

namespace ztrade::risk {

class TradingDay {
 public:
  // The boundary named by `text`, or nullopt with `error` saying why (an unknown zone, a time
  // that is not HH:MM).
  static std::optional<TradingDay> parse(std::string_view text, std::string* error = nullptr);

  // The last boundary at or before ts_ns, and the next one after it (ns since the epoch).
  struct Span {
    std::int64_t start_ns, end_ns;
  };
  [[nodiscard]] Span span_of(std::int64_t ts_ns) const;

 private:
  const date::time_zone* zone_ = nullptr;  // nullptr: UTC (no tz database needed)
  std::int64_t offset_ns_ = 0;             // the boundary's time of day
};

}  // namespace ztrade::risk
