#pragma once
// Hash for maps keyed by std::string that are looked up by std::string_view: with
// std::equal_to<> as the key comparison, find(view) allocates nothing (C++20 heterogeneous
// lookup) - what hot paths keyed by symbol or topic need.
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ztrade {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

// An unordered_map from std::string found by string_view without allocating.
template <class Value>
using StringMap = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;

}  // namespace ztrade
