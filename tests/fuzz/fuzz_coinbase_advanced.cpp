#include "fuzz_parser.hpp"
#include "venues/coinbase/advanced_parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return ztrade::fuzz::fuzz_lines<ztrade::venues::coinbase::AdvancedTradeParser>(data, size,
                                                                                 [](auto&) {});
}
