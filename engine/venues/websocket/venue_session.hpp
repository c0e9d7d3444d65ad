#pragma once
// A venue's protocol on a connection (Handler) that also reports what its parser counted,
// so the market-data component can export every venue's counters the same way.
#include <cstdint>

#include "venues/common/market_sink.hpp"
#include "venues/websocket/client.hpp"

namespace ztrade::venues::websocket {

class VenueSession : public Handler {
 public:
  virtual const ParseCounters& parse_counters() const noexcept = 0;
  virtual std::uint64_t book_resyncs() const noexcept { return 0; }
};

}  // namespace ztrade::venues::websocket
