#pragma once
// An OHLCV bar: the unit every feature consumes. A plain value type so it can sit in arrays,
// ring buffers and wire messages without indirection. The symbol is not part of it: a
// FeatureComputer belongs to one symbol, and the bus carries the symbol in its own field.
#include <cstdint>

namespace ztrade {

struct Bar {
  double open = 0.0;
  double high = 0.0;
  double low = 0.0;
  double close = 0.0;
  double volume = 0.0;
  std::int64_t ts_ns = 0;  // bar timestamp, nanoseconds since the Unix epoch (UTC)
};

}  // namespace ztrade
