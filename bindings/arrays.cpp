#include "arrays.hpp"

#include <cmath>
#include <cstring>
#include <string>

#include <fmt/format.h>

namespace py = pybind11;

namespace ztrade::py_bindings {

Column to_column(py::handle obj, std::string_view name, bool require_finite) {
  if (obj.is_none()) throw py::value_error(fmt::format("{}: expected an array, got None", name));
  DoubleArray array = DoubleArray::ensure(obj);
  if (!array) {
    PyErr_Clear();
    throw py::value_error(fmt::format("{}: cannot convert to a float64 array", name));
  }
  if (array.ndim() != 1) {
    throw py::value_error(
        fmt::format("{}: expected a 1-D array, got {} dimensions", name, array.ndim()));
  }
  const auto n = static_cast<std::size_t>(array.shape(0));
  std::span<const double> values(array.data(), n);
  if (require_finite) {
    for (std::size_t i = 0; i < n; ++i) {
      if (!std::isfinite(values[i])) [[unlikely]] {
        throw py::value_error(
            fmt::format("{}[{}] is {}: NaN/inf input is rejected", name, i, values[i]));
      }
    }
  }
  return {std::move(array), values};
}

void require_same_length(std::initializer_list<const Column*> columns,
                         std::initializer_list<std::string_view> names) {
  const std::size_t n = (*columns.begin())->values.size();
  for (const Column* c : columns) {
    if (c->values.size() != n) {
      std::string lengths;
      auto name = names.begin();
      for (const Column* d : columns) {
        lengths += fmt::format("{}{}={}", lengths.empty() ? "" : ", ", *name++, d->values.size());
      }
      throw py::value_error("input arrays differ in length: " + lengths);
    }
  }
}

Output make_output(std::size_t rows, std::size_t cols) {
  DoubleArray array =
      cols == 0 ? DoubleArray(static_cast<py::ssize_t>(rows))
                : DoubleArray({static_cast<py::ssize_t>(rows), static_cast<py::ssize_t>(cols)});
  std::span<double> values(array.mutable_data(), rows * (cols == 0 ? 1 : cols));
  return {std::move(array), values};
}

py::array copy_to_array(std::span<const double> values) {
  auto& api = py::detail::npy_api::get();
  Py_intptr_t dims[1] = {static_cast<Py_intptr_t>(values.size())};
  // NewFromDescr steals the descriptor reference DescrFromType returns.
  PyObject* descr = api.PyArray_DescrFromType_(py::detail::npy_api::NPY_DOUBLE_);
  PyObject* raw =
      api.PyArray_NewFromDescr_(api.PyArray_Type_, descr, 1, dims, nullptr, nullptr, 0, nullptr);
  if (raw == nullptr) throw py::error_already_set();
  std::memcpy(py::detail::array_proxy(raw)->data, values.data(), values.size_bytes());
  return py::reinterpret_steal<py::array>(raw);
}

}  // namespace ztrade::py_bindings
