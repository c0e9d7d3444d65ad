#pragma once
// Argument checks shared by every indicator. They run at construction (parameters) and on the
// checked update path (inputs); the unchecked step() path used by FeatureComputer relies on the
// caller having validated the bar once. Errors are std::invalid_argument, which the Python
// binding turns into ValueError.
#include <cmath>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/bar.hpp"

namespace ztrade {

[[noreturn]] void throw_invalid(std::string message);

// Throws unless period >= minimum. `who` names the indicator and parameter in the message.
inline void require_period(int period, std::string_view who, int minimum = 1) {
  if (period < minimum) [[unlikely]] {
    throw_invalid(std::string(who) + " must be >= " + std::to_string(minimum) + ", got " +
                  std::to_string(period));
  }
}

void throw_not_finite(std::string_view who, double value);

// Throws unless x is finite. Kept inline so the happy path is a single predictable branch.
inline void require_finite(double x, std::string_view who) {
  if (!std::isfinite(x)) [[unlikely]]
    throw_not_finite(who, x);
}

// Why a bar is unusable, or nullptr when it is fine. Non-finite prices or volume and negative
// volume are rejected; high < low is tolerated because some venues publish such bars and
// TA-Lib accepts them.
const char* bar_problem(const Bar& bar) noexcept;

// Throws std::invalid_argument naming the problem when bar_problem() reports one.
void require_valid_bar(const Bar& bar);

}  // namespace ztrade
