// ztrade._core: the native part of the ztrade Python package.
#include <pybind11/pybind11.h>

#include "bindings.hpp"

#ifndef ZTRADE_VERSION
#error "ZTRADE_VERSION must be defined by the build"
#endif

PYBIND11_MODULE(_core, m) {
  m.doc() = "ztrade native core: TA-Lib-exact indicators and per-symbol feature computation.";
  m.attr("__version__") = ZTRADE_VERSION;
  ztrade::py_bindings::bind_market_bar(m);
  ztrade::py_bindings::bind_feature_computer(m);
  ztrade::py_bindings::bind_indicators(m);
  ztrade::py_bindings::bind_wire(m);
  ztrade::py_bindings::bind_config(m);
  ztrade::py_bindings::bind_backtest(m);
  ztrade::py_bindings::bind_live(m);
}
