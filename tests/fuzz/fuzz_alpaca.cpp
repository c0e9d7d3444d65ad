#include "fuzz_parser.hpp"
#include "venues/alpaca/parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return ztrade::fuzz::fuzz_lines<ztrade::venues::alpaca::Parser>(data, size, [](auto&) {});
}
