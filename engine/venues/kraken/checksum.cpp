#include "venues/kraken/checksum.hpp"

#include <array>
#include <charconv>

#include <boost/crc.hpp>

namespace ztrade::venues::kraken {

std::uint32_t book_checksum(const OrderBook& book) noexcept {
  // 20 levels x two 19-digit integers at most.
  std::array<char, 20 * 2 * 20> text;
  char* at = text.data();
  char* const end = text.data() + text.size();
  auto put = [&](std::span<const OrderBook::Level> side) {
    for (std::size_t i = 0; i < side.size() && i < 10; ++i) {
      at = std::to_chars(at, end, side[i].price).ptr;
      at = std::to_chars(at, end, side[i].qty).ptr;
    }
  };
  put(book.asks());
  put(book.bids());
  boost::crc_32_type crc;
  crc.process_bytes(text.data(), static_cast<std::size_t>(at - text.data()));
  return crc.checksum();
}

}  // namespace ztrade::venues::kraken
