#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <fmt/format.h>

#include "arrays.hpp"
#include "bindings.hpp"
#include "core/validate.hpp"
#include "features/feature_computer.hpp"
#include "market_bar.hpp"

namespace py = pybind11;

namespace ztrade::py_bindings {
namespace {

// FeatureComputer plus the symbol it is bound to (empty: any symbol).
struct PyFeatureComputer {
  FeatureComputer computer;
  std::string symbol;
};

py::array to_numpy(const FeatureRow& row) {
  return copy_to_array(row);
}

const Bar& checked_bar(const PyFeatureComputer& self, const MarketBar& bar) {
  if (!self.symbol.empty() && !bar.symbol.empty() && bar.symbol != self.symbol) {
    throw py::value_error(fmt::format("bar for symbol '{}' passed to the FeatureComputer of '{}'",
                                      bar.symbol, self.symbol));
  }
  return bar.bar;
}

py::array update_bar(PyFeatureComputer& self, const MarketBar& bar) {
  return to_numpy(self.computer.update(checked_bar(self, bar)));
}

py::object column_of(py::handle frame, const char* name) {
  try {
    return frame[py::str(name)];
  } catch (py::error_already_set&) {
    throw py::value_error(
        fmt::format("compute_batch: the data has no '{}' column (need open, high, low, close, "
                    "volume)",
                    name));
  }
}

// The caller's `out` array if given (checked: float64, C-contiguous, writable, n x 12), else a
// new one. Reusing `out` saves the page faults of a fresh n x 96-byte allocation per call.
Output batch_output(py::object out, std::size_t n) {
  if (out.is_none()) return make_output(n, kFeatureCount);
  if (!py::isinstance<py::array>(out)) throw py::value_error("out must be a numpy array");
  auto a = py::reinterpret_borrow<py::array>(out);
  if (!a.dtype().is(py::dtype::of<double>()) || a.ndim() != 2 ||
      static_cast<std::size_t>(a.shape(0)) != n ||
      static_cast<std::size_t>(a.shape(1)) != kFeatureCount || !(a.flags() & py::array::c_style) ||
      !a.writeable()) {
    throw py::value_error(fmt::format(
        "out must be a writable C-contiguous float64 array of shape ({}, {})", n, kFeatureCount));
  }
  DoubleArray typed = DoubleArray::ensure(a);
  return {typed, std::span<double>(typed.mutable_data(), n * kFeatureCount)};
}

py::array compute_batch(const PyFeatureComputer& self, py::object open_or_frame, py::object high,
                        py::object low, py::object close, py::object volume, py::object out) {
  const bool frame = high.is_none() && low.is_none() && close.is_none() && volume.is_none();
  if (frame) {
    py::object data = open_or_frame;
    open_or_frame = column_of(data, "open");
    high = column_of(data, "high");
    low = column_of(data, "low");
    close = column_of(data, "close");
    volume = column_of(data, "volume");
  } else if (high.is_none() || low.is_none() || close.is_none() || volume.is_none()) {
    throw py::value_error(
        "compute_batch takes either a DataFrame/mapping with open, high, low, close, volume "
        "columns, or all five arrays");
  }
  // FeatureComputer::compute_batch validates every value itself (naming the bad row), so the
  // columns are only converted here, not scanned twice.
  const Column o = to_column(open_or_frame, "open", false), h = to_column(high, "high", false),
               l = to_column(low, "low", false), c = to_column(close, "close", false),
               v = to_column(volume, "volume", false);
  require_same_length({&o, &h, &l, &c, &v}, {"open", "high", "low", "close", "volume"});
  Output result = batch_output(std::move(out), c.values.size());
  {
    py::gil_scoped_release release;
    self.computer.compute_batch(BarColumns{o.values, h.values, l.values, c.values, v.values},
                                result.values);
  }
  return std::move(result.array);
}

}  // namespace

void bind_feature_computer(py::module_& m) {
  std::vector<std::string> names(kFeatureNames.begin(), kFeatureNames.end());
  m.attr("FEATURE_NAMES") = py::tuple(py::cast(names));

  py::class_<PyFeatureComputer>(m, "FeatureComputer", R"doc(
Streaming features for one symbol, TA-Lib-exact.

Each update returns a float64 array of 12 features, in the order of ``feature_names``:
close, rsi, macd_line, macd_signal, macd_hist, ema_fast, ema_slow, spread (= ema_fast -
ema_slow), sma, dist_from_sma (= (close - sma) / sma), volume, range_pct (= (high - low) /
close). A feature is NaN until its lookback is over; ``ready`` is True once all are defined.

Args:
    rsi_period: RSI period (default 14).
    macd_fast, macd_slow, macd_signal: MACD periods (default 12, 26, 9); fast < slow.
    sma_period: SMA period (default 20).
    symbol: if given, bars of another symbol are rejected.

Raises:
    ValueError: invalid periods.
)doc")
      .def(py::init([](int rsi, int fast, int slow, int signal, int sma, std::string symbol) {
             return PyFeatureComputer{FeatureComputer(FeatureConfig{rsi, fast, slow, signal, sma}),
                                      std::move(symbol)};
           }),
           py::arg("rsi_period") = 14, py::arg("macd_fast") = 12, py::arg("macd_slow") = 26,
           py::arg("macd_signal") = 9, py::arg("sma_period") = 20, py::arg("symbol") = "")
      .def("compute_streaming", &update_bar, py::arg("bar"),
           "Fold a closed bar in; returns the 12-feature float64 array (same as update(bar)).")
      .def("update", &update_bar, py::arg("bar"),
           "Fold a closed MarketBar in; returns the 12-feature float64 array.")
      .def(
          "update",
          [](PyFeatureComputer& self, double open, double high, double low, double close,
             double volume, std::int64_t timestamp) {
            return to_numpy(self.computer.update(Bar{open, high, low, close, volume, timestamp}));
          },
          py::arg("open"), py::arg("high"), py::arg("low"), py::arg("close"), py::arg("volume"),
          py::arg("timestamp") = 0, "Fold a closed bar given as OHLCV values in.")
      .def(
          "peek",
          [](const PyFeatureComputer& self, const MarketBar& bar) {
            return to_numpy(self.computer.peek(checked_bar(self, bar)));
          },
          py::arg("bar"),
          "Features if this still-forming bar closed now; the state is left unchanged.")
      .def(
          "peek",
          [](const PyFeatureComputer& self, double open, double high, double low, double close,
             double volume, std::int64_t timestamp) {
            return to_numpy(self.computer.peek(Bar{open, high, low, close, volume, timestamp}));
          },
          py::arg("open"), py::arg("high"), py::arg("low"), py::arg("close"), py::arg("volume"),
          py::arg("timestamp") = 0)
      .def("compute_batch", &compute_batch, py::arg("open"), py::arg("high") = py::none(),
           py::arg("low") = py::none(), py::arg("close") = py::none(),
           py::arg("volume") = py::none(), py::kw_only(), py::arg("out") = py::none(), R"doc(
Features for a whole series at once: an (n, 12) float64 array whose rows equal what update()
would return bar by bar from a fresh state. Does not change this object's state. Runs without
the GIL and without per-bar Python work.

Call as compute_batch(df) with a pandas DataFrame (or any mapping) holding open, high, low,
close and volume columns, or as compute_batch(open, high, low, close, volume) with arrays.
Pass out= (a writable C-contiguous float64 array of shape (n, 12)) to fill an existing array,
which avoids allocating ~96 bytes per bar on every call.

Raises:
    ValueError: arrays not 1-D, of different lengths, or holding NaN/inf or negative volume
        (the message names the first bad row); a wrong `out`.
)doc")
      .def(
          "reset", [](PyFeatureComputer& self) { self.computer.reset(); }, "Forget all history.")
      .def_property_readonly(
          "ready", [](const PyFeatureComputer& self) { return self.computer.ready(); },
          "True once every feature is defined.")
      .def_property_readonly(
          "lookback", [](const PyFeatureComputer& self) { return self.computer.lookback(); },
          "Bars consumed before every feature is defined (33 with the defaults).")
      .def_property_readonly(
          "bars_seen", [](const PyFeatureComputer& self) { return self.computer.bars_seen(); })
      .def_property_readonly("symbol", [](const PyFeatureComputer& self) { return self.symbol; })
      .def_property_readonly(
          "feature_names", [names](const PyFeatureComputer&) { return py::tuple(py::cast(names)); },
          "Names of the 12 features, in output order.")
      .def_property_readonly("config",
                             [](const PyFeatureComputer& self) {
                               const FeatureConfig& c = self.computer.config();
                               py::dict d;
                               d["rsi_period"] = c.rsi_period;
                               d["macd_fast"] = c.macd_fast;
                               d["macd_slow"] = c.macd_slow;
                               d["macd_signal"] = c.macd_signal;
                               d["sma_period"] = c.sma_period;
                               return d;
                             })
      .def("__repr__", [](const PyFeatureComputer& self) {
        const FeatureConfig& c = self.computer.config();
        return fmt::format(
            "FeatureComputer(rsi_period={}, macd_fast={}, macd_slow={}, macd_signal={}, "
            "sma_period={}, symbol='{}'; bars_seen={}, ready={})",
            c.rsi_period, c.macd_fast, c.macd_slow, c.macd_signal, c.sma_period, self.symbol,
            self.computer.bars_seen(), self.computer.ready());
      });
}

}  // namespace ztrade::py_bindings
