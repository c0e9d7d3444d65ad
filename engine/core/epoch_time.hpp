#pragma once
// Times in files: a `ts` column may be written in seconds (with decimals), milliseconds,
// microseconds or nanoseconds. Each value's unit is told apart by its magnitude: a time
// between 1970 and 2262 (all that nanoseconds in an int64 can hold) written in one unit cannot
// be read as one in another. Below 1e11 it is seconds (up to the year 5138), below 1e14
// milliseconds, below 1e17 microseconds, else nanoseconds. The replay, the Python loaders
// (ztrade.data, via _core.epoch_ns_of_ts) and the backtester read times by this one rule.
#include <cstdint>
#include <optional>
#include <string_view>

namespace ztrade {

// Nanoseconds since the epoch of one `ts` value, or nullopt when it is not a number or not a
// time between 1970 and 2262 in any of the four units. Whole numbers are read exactly.
[[nodiscard]] std::optional<std::int64_t> epoch_ns_of_ts(std::string_view text) noexcept;

// A `ts_ns` value: a whole number of nanoseconds from 1970 on; nullopt otherwise.
[[nodiscard]] std::optional<std::int64_t> epoch_ns_of_ts_ns(std::string_view text) noexcept;

}  // namespace ztrade
