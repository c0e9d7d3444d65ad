#pragma once
// numpy <-> C++ helpers shared by the batch functions: inputs become validated contiguous
// float64 columns; outputs are fresh float64 arrays. Errors are ValueError with the column name
// and the offending index.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <span>
#include <string_view>

namespace ztrade::py_bindings {

using DoubleArray =
    pybind11::array_t<double, pybind11::array::c_style | pybind11::array::forcecast>;

// A validated 1-D float64 column. Holds a reference to the numpy array it views.
struct Column {
  DoubleArray array;
  std::span<const double> values;
};

// Converts `obj` (ndarray, list, pandas Series, ...) to a 1-D float64 column. Throws ValueError
// if it is not 1-D or (when require_finite) holds NaN/inf.
Column to_column(pybind11::handle obj, std::string_view name, bool require_finite = true);

// Throws ValueError unless every column has the length of the first.
void require_same_length(std::initializer_list<const Column*> columns,
                         std::initializer_list<std::string_view> names);

// A new 1-D or 2-D float64 array and a writable span over it.
struct Output {
  DoubleArray array;
  std::span<double> values;
};
Output make_output(std::size_t rows, std::size_t cols = 0);

// A new 1-D float64 array holding a copy of `values`. The per-bar path: it calls numpy's C API
// directly, skipping the shape/stride vectors pybind11's array constructor allocates, which
// saves about a third of a streaming update's cost.
pybind11::array copy_to_array(std::span<const double> values);

}  // namespace ztrade::py_bindings
