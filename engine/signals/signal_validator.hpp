#pragma once
// Checks a signal from an external (e.g. Python) strategy before the signal bridge forwards it
// to risk: known symbol, strength finite and in [-1, 1], direction matching its sign, a
// well-formed strategy id that is not a built-in one's, and not stale. Each refusal has a reason,
// counted and logged by the caller.
#include <array>
#include <cmath>
#include <cstdint>
#include <string_view>

#include "bus/messages.hpp"
#include "signals/macd_rsi_strategy.hpp"

namespace ztrade::signals {

enum class SignalProblem : std::uint8_t {
  kNone,
  kUnknownSymbol,
  kBadStrength,
  kDirectionMismatch,
  kNoStrategy,
  kStale,
  kFromTheFuture,
  kNotASignal,            // a frame of another message type pushed at the ingress
  kBadStrategyId,         // not 1-16 of [A-Za-z0-9_.-]: ids go into topics and logs
  kReservedStrategy,      // the id of a built-in strategy (an outsider may not speak for it)
  kUnauthorizedStrategy,  // signal_bridge.strategy_keys binds the id to another client key
};
inline constexpr std::size_t kSignalProblemCount = 11;

constexpr std::string_view problem_name(SignalProblem p) noexcept {
  constexpr std::array<std::string_view, kSignalProblemCount> names{"none",
                                                                    "unknown_symbol",
                                                                    "bad_strength",
                                                                    "direction_mismatch",
                                                                    "no_strategy",
                                                                    "stale",
                                                                    "from_the_future",
                                                                    "not_a_signal",
                                                                    "bad_strategy_id",
                                                                    "reserved_strategy",
                                                                    "unauthorized_strategy"};
  return names[static_cast<std::size_t>(p)];
}

// Every problem has a name (the array above is sized by the count, so a missing one is empty).
static_assert([] {
  for (std::size_t i = 0; i < kSignalProblemCount; ++i) {
    if (problem_name(static_cast<SignalProblem>(i)).empty()) return false;
  }
  return true;
}());

// known_symbol: whether the bridge has seen market data for the symbol.
inline SignalProblem validate(const wire::SignalMsg& s, bool known_symbol, std::int64_t now_ns,
                              double max_age_ms) noexcept {
  if (!known_symbol) return SignalProblem::kUnknownSymbol;
  if (!std::isfinite(s.strength) || s.strength < -1.0 || s.strength > 1.0) {
    return SignalProblem::kBadStrength;
  }
  const int sign = s.strength > 0 ? 1 : (s.strength < 0 ? -1 : 0);
  if (s.direction != sign) return SignalProblem::kDirectionMismatch;
  const std::string_view strategy = s.strategy.view();
  if (strategy.empty()) return SignalProblem::kNoStrategy;
  for (const char c : strategy) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return SignalProblem::kBadStrategyId;
  }
  // FixedString::view stops at the first NUL: bytes after it would be hidden from the check.
  for (std::size_t i = strategy.size(); i < sizeof(s.strategy.data); ++i) {
    if (s.strategy.data[i] != '\0') return SignalProblem::kBadStrategyId;
  }
  if (strategy == MacdRsiStrategy::kName) return SignalProblem::kReservedStrategy;
  const double age_ms = static_cast<double>(now_ns - s.signal_ns) / 1e6;
  if (age_ms > max_age_ms) return SignalProblem::kStale;
  if (age_ms < -max_age_ms) return SignalProblem::kFromTheFuture;
  return SignalProblem::kNone;
}

// The latest closed bar of a symbol, as the bridge saw it.
struct LastBar {
  std::int64_t start_ns = 0;
  std::int64_t interval_ns = 0;
};

// The market time an external signal is decided at. A client's clock is not trusted: the
// signal is about the latest closed bar the bridge has seen. A client may only name a later
// time, up to the end of the next bar: its bar reached it before the bridge (they read
// market data on separate sockets), and the decision then needed that bar's close. A later
// time only makes its order fill later (never at a price from before the decision); a claim
// outside that window - the client's wall clock, a time further ahead - is ignored.
[[nodiscard]] constexpr std::int64_t decision_time(const LastBar& last,
                                                   std::int64_t claimed_ns) noexcept {
  if (last.interval_ns > 0 && claimed_ns > last.start_ns &&
      claimed_ns - last.start_ns <= last.interval_ns) {
    return claimed_ns;
  }
  return last.start_ns;
}

}  // namespace ztrade::signals
