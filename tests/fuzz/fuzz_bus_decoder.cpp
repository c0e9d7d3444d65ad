// The bus decoder on arbitrary bytes: decode never reads past its input, and a frame it
// accepts has exactly the size its type says.
#include <cstdlib>
#include <span>

#include "bus/codec.hpp"
#include "venues/common/decimal.hpp"
#include "venues/common/timestamp.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ztrade;
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  wire::Frame frame;
  if (wire::decode(bytes, frame) == wire::DecodeError::kOk) {
    if (frame.body.size() != wire::body_size_of(frame.header.type) ||
        frame.body.size() + sizeof(wire::Header) != size) {
      std::abort();
    }
    wire::TradeMsg t;
    wire::body_as(frame, t);
  }
  // The text helpers the venue parsers rely on, on the same bytes.
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  venues::Decimal d;
  std::int64_t v = 0;
  if (venues::Decimal::parse(text, d)) d.to_scaled(8, v);
  venues::parse_rfc3339_ns(text, v);
  return 0;
}
