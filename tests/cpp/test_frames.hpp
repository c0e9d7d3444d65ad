#pragma once
// A wire frame of one body, as a publisher would send it: what tests feed to decoders,
// recorders and the allocation checks.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "bus/codec.hpp"

namespace ztrade::test {

template <class Body>
std::vector<std::byte> frame_of(const Body& body, std::int64_t event_ns, std::uint64_t seq) {
  std::vector<std::byte> out(wire::frame_size<Body>());
  wire::Header h;
  h.event_ns = event_ns;
  h.seq = seq;
  out.resize(wire::encode(h, body, out));  // 0 bytes if it did not fit: the test then fails
  return out;
}

// A trade of AAPL at `price`.
inline wire::TradeMsg trade(double price, double size = 10) {
  wire::TradeMsg t{};
  (void)t.symbol.assign("AAPL");
  t.price = price;
  t.size = size;
  return t;
}

}  // namespace ztrade::test
