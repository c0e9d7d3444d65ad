#include <pybind11/pybind11.h>

#include <fmt/format.h>

#include "bindings.hpp"
#include "core/validate.hpp"
#include "market_bar.hpp"

namespace py = pybind11;

namespace ztrade::py_bindings {

void bind_market_bar(py::module_& m) {
  py::class_<MarketBar>(m, "MarketBar", R"doc(
An OHLCV bar for one symbol. Immutable; validated at construction.

Args:
    symbol: instrument name, e.g. "AAPL".
    open, high, low, close: prices (finite).
    volume: traded volume (finite, >= 0).
    timestamp: bar time in nanoseconds since the Unix epoch (UTC). Default 0.

Raises:
    ValueError: a non-finite price or volume, or a negative volume.
)doc")
      .def(py::init([](std::string symbol, double open, double high, double low, double close,
                       double volume, std::int64_t timestamp) {
             MarketBar b{std::move(symbol), Bar{open, high, low, close, volume, timestamp}};
             require_valid_bar(b.bar);
             return b;
           }),
           py::arg("symbol"), py::arg("open"), py::arg("high"), py::arg("low"), py::arg("close"),
           py::arg("volume"), py::arg("timestamp") = 0)
      .def_property_readonly("symbol", [](const MarketBar& b) { return b.symbol; })
      .def_property_readonly("open", [](const MarketBar& b) { return b.bar.open; })
      .def_property_readonly("high", [](const MarketBar& b) { return b.bar.high; })
      .def_property_readonly("low", [](const MarketBar& b) { return b.bar.low; })
      .def_property_readonly("close", [](const MarketBar& b) { return b.bar.close; })
      .def_property_readonly("volume", [](const MarketBar& b) { return b.bar.volume; })
      .def_property_readonly(
          "timestamp", [](const MarketBar& b) { return b.bar.ts_ns; },
          "Nanoseconds since the Unix epoch (UTC).")
      .def("__repr__",
           [](const MarketBar& b) {
             return fmt::format(
                 "MarketBar(symbol='{}', open={}, high={}, low={}, close={}, volume={}, "
                 "timestamp={})",
                 b.symbol, b.bar.open, b.bar.high, b.bar.low, b.bar.close, b.bar.volume,
                 b.bar.ts_ns);
           })
      .def(py::pickle(
          [](const MarketBar& b) {
            return py::make_tuple(b.symbol, b.bar.open, b.bar.high, b.bar.low, b.bar.close,
                                  b.bar.volume, b.bar.ts_ns);
          },
          [](const py::tuple& t) {
            if (t.size() != 7) throw py::value_error("invalid MarketBar pickle state");
            MarketBar b{t[0].cast<std::string>(),
                        Bar{t[1].cast<double>(), t[2].cast<double>(), t[3].cast<double>(),
                            t[4].cast<double>(), t[5].cast<double>(), t[6].cast<std::int64_t>()}};
            require_valid_bar(b.bar);
            return b;
          }));
}

}  // namespace ztrade::py_bindings
