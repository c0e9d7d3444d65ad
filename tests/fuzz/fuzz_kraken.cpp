#include "fuzz_parser.hpp"
#include "venues/kraken/parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return ztrade::fuzz::fuzz_lines<ztrade::venues::kraken::Parser>(data, size, [](auto& p) {
    p.set_precision("MATIC/USD", 4, 8);
    p.set_precision("BTC/USD", 1, 8);
  });
}
