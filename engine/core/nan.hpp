#pragma once
#include <limits>

namespace ztrade {
// The value of an indicator before its lookback is over: NaN, never 0, so that a consumer
// cannot mistake "not yet defined" for a real reading.
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace ztrade
