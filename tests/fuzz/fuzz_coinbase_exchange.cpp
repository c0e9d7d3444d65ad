#include "fuzz_parser.hpp"
#include "venues/coinbase/exchange_parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return ztrade::fuzz::fuzz_lines<ztrade::venues::coinbase::ExchangeParser>(data, size,
                                                                            [](auto&) {});
}
