#pragma once
// Checks a signal from an external (e.g. Python) strategy before the signal bridge forwards it
// to risk: known symbol, strength finite and in [-1, 1], direction matching its sign, a
// strategy id, and not stale. Each refusal has a reason, counted and logged by the caller.
#include <array>
#include <cmath>
#include <cstdint>
#include <string_view>

#include "bus/messages.hpp"

namespace ztrade::signals {

enum class SignalProblem : std::uint8_t {
  kNone,
  kUnknownSymbol,
  kBadStrength,
  kDirectionMismatch,
  kNoStrategy,
  kStale,
  kFromTheFuture,
  kNotASignal,  // a frame of another message type pushed at the ingress
};
inline constexpr std::size_t kSignalProblemCount = 8;

constexpr std::string_view problem_name(SignalProblem p) noexcept {
  constexpr std::array<std::string_view, kSignalProblemCount> names{
      "none",        "unknown_symbol", "bad_strength",    "direction_mismatch",
      "no_strategy", "stale",          "from_the_future", "not_a_signal"};
  return names[static_cast<std::size_t>(p)];
}

// known_symbol: whether the bridge has seen market data for the symbol.
inline SignalProblem validate(const wire::SignalMsg& s, bool known_symbol, std::int64_t now_ns,
                              double max_age_ms) noexcept {
  if (!known_symbol) return SignalProblem::kUnknownSymbol;
  if (!std::isfinite(s.strength) || s.strength < -1.0 || s.strength > 1.0) {
    return SignalProblem::kBadStrength;
  }
  const int sign = s.strength > 0 ? 1 : (s.strength < 0 ? -1 : 0);
  if (s.direction != sign) return SignalProblem::kDirectionMismatch;
  if (s.strategy.view().empty()) return SignalProblem::kNoStrategy;
  const double age_ms = static_cast<double>(now_ns - s.signal_ns) / 1e6;
  if (age_ms > max_age_ms) return SignalProblem::kStale;
  if (age_ms < -max_age_ms) return SignalProblem::kFromTheFuture;
  return SignalProblem::kNone;
}

}  // namespace ztrade::signals
