#include "core/validate.hpp"

#include <fmt/format.h>

namespace ztrade {

void throw_invalid(std::string message) {
  throw std::invalid_argument(std::move(message));
}

void throw_not_finite(std::string_view who, double value) {
  throw std::invalid_argument(fmt::format(
      "{}: input must be finite, got {} (NaN/inf is never folded into state)", who, value));
}

const char* bar_problem(const Bar& bar) noexcept {
  if (!std::isfinite(bar.open)) return "open is not finite";
  if (!std::isfinite(bar.high)) return "high is not finite";
  if (!std::isfinite(bar.low)) return "low is not finite";
  if (!std::isfinite(bar.close)) return "close is not finite";
  if (!std::isfinite(bar.volume)) return "volume is not finite";
  if (bar.volume < 0.0) return "volume is negative";
  return nullptr;
}

void require_valid_bar(const Bar& bar) {
  if (const char* problem = bar_problem(bar)) [[unlikely]] {
    throw std::invalid_argument(
        fmt::format("invalid bar (ts_ns={}): {} (open={}, high={}, low={}, close={}, volume={})",
                    bar.ts_ns, problem, bar.open, bar.high, bar.low, bar.close, bar.volume));
  }
}

}  // namespace ztrade
