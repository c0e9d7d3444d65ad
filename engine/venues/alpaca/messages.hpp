#pragma once
// What an Alpaca market-data stream v2 frame means for the connection, beyond the market data
// it carries (docs: docs/reference/venue-protocols.md section 1.4).
#include <cstdint>
#include <string_view>

namespace ztrade::venues::alpaca {

enum class Control : std::uint8_t {
  kNone,           // market data or nothing to act on
  kConnected,      // [{"T":"success","msg":"connected"}]: send auth now
  kAuthenticated,  // [{"T":"success","msg":"authenticated"}]: subscribe now
  kSubscribed,     // [{"T":"subscription",...}]: the full current set
  kError,          // [{"T":"error","code":N,"msg":"..."}]: code in ParseResult::code
  kStatus,         // a trading status ("s"): symbol and status code in symbol/text
};

struct ParseResult {
  Control control = Control::kNone;
  bool ok = true;           // false: malformed (counted in parse_errors)
  int code = 0;             // kError: Alpaca's error code
  std::string_view symbol;  // kStatus (valid until the next parse)
  std::string_view text;    // kError: msg; kStatus: status code (valid until the next parse)
};

// Alpaca's stream error codes by name ("auth failed" for 402, ...); "unknown" otherwise.
constexpr std::string_view error_name(int code) noexcept {
  switch (code) {
    case 400:
      return "invalid syntax";
    case 401:
      return "not authenticated";
    case 402:
      return "auth failed";
    case 403:
      return "already authenticated";
    case 404:
      return "auth timeout";
    case 405:
      return "symbol limit exceeded";
    case 406:
      return "connection limit exceeded";
    case 407:
      return "slow client";
    case 408:
      return "v2 not enabled";
    case 409:
      return "insufficient subscription";
    case 410:
      return "invalid subscribe action for this feed";
    case 411:
      return "insufficient scope";
    case 500:
      return "internal error";
    default:
      return "unknown";
  }
}

// Errors after which reconnecting cannot help (wrong keys, plan, feed): the session stops.
constexpr bool is_fatal(int code) noexcept {
  return code == 402 || code == 408 || code == 409 || code == 410 || code == 411;
}

}  // namespace ztrade::venues::alpaca
