#pragma once
// Registration functions, one per binding file, called from module.cpp.
#include <pybind11/pybind11.h>

namespace ztrade::py_bindings {
void bind_market_bar(pybind11::module_& m);
void bind_feature_computer(pybind11::module_& m);
void bind_indicators(pybind11::module_& m);
void bind_wire(pybind11::module_& m);
void bind_config(pybind11::module_& m);
void bind_backtest(pybind11::module_& m);
void bind_live(pybind11::module_& m);
}  // namespace ztrade::py_bindings
