#pragma once
// The Python-facing bar: an engine Bar plus the symbol it belongs to.
#include <string>

#include "core/bar.hpp"

namespace ztrade::py_bindings {

struct MarketBar {
  std::string symbol;
  Bar bar;
};

}  // namespace ztrade::py_bindings
