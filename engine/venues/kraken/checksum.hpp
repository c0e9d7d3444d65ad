#pragma once
// Kraken's book checksum (v2): CRC-32 (IEEE) over the top 10 asks (ascending) then the top 10
// bids (descending), each level as price digits then quantity digits rendered at the pair's
// precisions with the point removed and leading zeros stripped - which, for our fixed-point
// levels (units of 10^-precision), is simply each integer in decimal.
#include <cstdint>

#include "venues/common/order_book.hpp"

namespace ztrade::venues::kraken {

std::uint32_t book_checksum(const OrderBook& book) noexcept;

}  // namespace ztrade::venues::kraken
