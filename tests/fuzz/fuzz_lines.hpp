#pragma once
// Fuzz inputs carry a session: each line is fed as one frame or body, in order.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <simdjson.h>

namespace ztrade::fuzz {

template <class Each>
void for_each_line(const std::uint8_t* data, std::size_t size, Each each) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  while (!input.empty()) {
    const auto end = input.find('\n');
    const simdjson::padded_string line(input.substr(0, end));
    each(line);
    if (end == std::string_view::npos) break;
    input.remove_prefix(end + 1);
  }
}

}  // namespace ztrade::fuzz
