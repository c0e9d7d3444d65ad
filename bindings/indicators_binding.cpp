// ztrade._core.indicators: every indicator as a streaming class and as a function over numpy
// arrays. Both run the same C++ value type, so they agree bit for bit.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <array>
#include <tuple>

#include "arrays.hpp"
#include "bindings.hpp"
#include "features/atr.hpp"
#include "features/bollinger.hpp"
#include "features/ema.hpp"
#include "features/log_return.hpp"
#include "features/macd.hpp"
#include "features/obv.hpp"
#include "features/rolling_stddev.hpp"
#include "features/rsi.hpp"
#include "features/sma.hpp"
#include "features/stochastic.hpp"
#include "features/vwap.hpp"
#include "market_bar.hpp"

namespace py = pybind11;

namespace ztrade::py_bindings {
namespace {

// Multi-output values as fixed arrays (for batch) and tuples (for streaming).
std::array<double, 1> values(double v) {
  return {v};
}
std::array<double, 3> values(const MacdValue& v) {
  return {v.line, v.signal, v.hist};
}
std::array<double, 3> values(const BollingerValue& v) {
  return {v.upper, v.middle, v.lower};
}
std::array<double, 2> values(const StochValue& v) {
  return {v.k, v.d};
}

py::object to_py(double v) {
  return py::float_(v);
}
template <class T>
py::object to_py(const T& v) {
  const auto a = values(v);
  py::tuple t(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) t[i] = py::float_(a[i]);
  return std::move(t);
}

// Runs step(i) for every bar with the GIL released; one output array per value the indicator
// yields (a tuple of arrays for multi-output indicators, like TA-Lib's Python API).
template <class Step>
py::object run_batch(std::size_t n, Step step) {
  using Result = decltype(values(step(std::size_t{0})));
  constexpr std::size_t k = std::tuple_size_v<Result>;
  std::array<Output, k> outs;
  for (auto& o : outs) o = make_output(n);
  {
    py::gil_scoped_release release;
    for (std::size_t i = 0; i < n; ++i) {
      const Result r = values(step(i));
      for (std::size_t j = 0; j < k; ++j) outs[j].values[i] = r[j];
    }
  }
  if constexpr (k == 1) {
    return std::move(outs[0].array);
  } else {
    py::tuple t(k);
    for (std::size_t j = 0; j < k; ++j) t[j] = std::move(outs[j].array);
    return std::move(t);
  }
}

// Classes fed one value per bar (a close).
template <class Ind, class Init, class... Extra>
void bind_close_class(py::module_& m, const char* name, const char* doc, Init init,
                      const Extra&... extra) {
  py::class_<Ind>(m, name, doc)
      .def(init, extra...)
      .def(
          "update", [](Ind& s, double x) { return to_py(s.update(x)); }, py::arg("value"),
          "Fold the next value in and return the indicator (NaN before its lookback).")
      .def(
          "peek", [](const Ind& s, double x) { return to_py(s.peek(x)); }, py::arg("value"),
          "The value update(value) would return, leaving the state unchanged.")
      .def("reset", &Ind::reset, "Forget all history.")
      .def_property_readonly("ready", &Ind::ready, "True once values are defined.")
      .def_property_readonly("lookback", &Ind::lookback,
                             "Inputs consumed before the first value (TA-Lib's lookback).");
}

// Classes fed high, low, close per bar.
template <class Ind, class Init, class... Extra>
void bind_hlc_class(py::module_& m, const char* name, const char* doc, Init init,
                    const Extra&... extra) {
  py::class_<Ind>(m, name, doc)
      .def(init, extra...)
      .def(
          "update", [](Ind& s, double h, double l, double c) { return to_py(s.update(h, l, c)); },
          py::arg("high"), py::arg("low"), py::arg("close"))
      .def(
          "peek", [](const Ind& s, double h, double l, double c) { return to_py(s.peek(h, l, c)); },
          py::arg("high"), py::arg("low"), py::arg("close"))
      .def("reset", &Ind::reset)
      .def_property_readonly("ready", &Ind::ready)
      .def_property_readonly("lookback", &Ind::lookback);
}

template <class Ind>
py::object close_batch(Ind ind, py::handle close) {
  const Column c = to_column(close, "close");
  return run_batch(c.values.size(), [&](std::size_t i) { return ind.step(c.values[i]); });
}

template <class Ind>
py::object hlc_batch(Ind ind, py::handle high, py::handle low, py::handle close) {
  const Column h = to_column(high, "high"), l = to_column(low, "low"),
               c = to_column(close, "close");
  require_same_length({&h, &l, &c}, {"high", "low", "close"});
  return run_batch(c.values.size(),
                   [&](std::size_t i) { return ind.step(h.values[i], l.values[i], c.values[i]); });
}

}  // namespace

void bind_indicators(py::module_& parent) {
  py::module_ m = parent.def_submodule(
      "indicators", "TA-Lib-exact indicators: streaming classes and functions over numpy arrays.");

  bind_close_class<Sma>(m, "SMA",
                        "Simple moving average (TA-Lib TA_SMA). First value at bar period-1.",
                        py::init<int>(), py::arg("period"));
  bind_close_class<Ema>(m, "EMA",
                        "Exponential moving average (TA-Lib TA_EMA): SMA seed of the first "
                        "`period` values, k = 2/(period+1). First value at bar period-1.",
                        py::init<int>(), py::arg("period"));
  bind_close_class<Rsi>(m, "RSI",
                        "Wilder's RSI (TA-Lib TA_RSI). First value at bar `period`; 0 over a "
                        "flat window.",
                        py::init<int>(), py::arg("period") = 14);
  bind_close_class<RollingStdDev>(m, "StdDev",
                                  "Rolling population standard deviation (TA-Lib TA_STDDEV, "
                                  "nbdev 1).",
                                  py::init<int>(), py::arg("period") = 20);
  bind_close_class<LogReturn>(m, "LogReturn", "ln(close / previous close); prices must be > 0.",
                              py::init<>());
  bind_close_class<Macd>(m, "MACD",
                         "MACD (TA-Lib TA_MACD): update returns (line, signal, hist), all "
                         "defined from bar slow+signal-2.",
                         py::init<int, int, int>(), py::arg("fast") = 12, py::arg("slow") = 26,
                         py::arg("signal") = 9);
  bind_close_class<Bollinger>(m, "BollingerBands",
                              "Bollinger Bands around an SMA (TA-Lib TA_BBANDS, population "
                              "std): update returns (upper, middle, lower).",
                              py::init<int, double, double>(), py::arg("period") = 20,
                              py::arg("nbdev_up") = 2.0, py::arg("nbdev_down") = 2.0);
  bind_hlc_class<Atr>(m, "ATR",
                      "Wilder's average true range (TA-Lib TA_ATR). First value at bar `period`.",
                      py::init<int>(), py::arg("period") = 14);
  bind_hlc_class<TrueRange>(m, "TrueRange", "True range (TA-Lib TA_TRANGE). NaN on the first bar.",
                            py::init<>());
  bind_hlc_class<Stochastic>(m, "Stochastic",
                             "Slow stochastic (TA-Lib TA_STOCH with SMA smoothing): update "
                             "returns (slow_k, slow_d).",
                             py::init<int, int, int>(), py::arg("fastk_period") = 14,
                             py::arg("slowk_period") = 3, py::arg("slowd_period") = 3);

  py::class_<Obv>(m, "OBV", "On-balance volume (TA-Lib TA_OBV); starts at the first volume.")
      .def(py::init<>())
      .def("update", &Obv::update, py::arg("close"), py::arg("volume"))
      .def("peek", &Obv::peek, py::arg("close"), py::arg("volume"))
      .def("reset", &Obv::reset)
      .def_property_readonly("ready", &Obv::ready)
      .def_property_readonly("lookback", &Obv::lookback);

  py::class_<Vwap>(m, "VWAP", R"doc(
Anchored volume-weighted average price: sum(price*volume)/sum(volume) since the anchor.

Args:
    anchor_period_ns: restart the sums whenever floor((t - offset)/period) changes, e.g.
        86_400_000_000_000 for daily sessions. 0 (default): only reset() re-anchors.
    anchor_offset_ns: where periods start, e.g. the session open as an offset from midnight UTC.
)doc")
      .def(py::init<std::int64_t, std::int64_t>(), py::arg("anchor_period_ns") = 0,
           py::arg("anchor_offset_ns") = 0)
      .def("update", py::overload_cast<double, double, std::int64_t>(&Vwap::update),
           py::arg("price"), py::arg("volume"), py::arg("timestamp") = 0,
           "Add a trade (or any price/volume pair); returns the VWAP (NaN before any volume).")
      .def(
          "update_bar", [](Vwap& s, const MarketBar& b) { return s.update(b.bar); }, py::arg("bar"),
          "Add a MarketBar at its typical price (high+low+close)/3.")
      .def("peek", &Vwap::peek, py::arg("price"), py::arg("volume"), py::arg("timestamp") = 0)
      .def("reset", &Vwap::reset, "Anchor here: the next update starts new sums.")
      .def_property_readonly("value", &Vwap::value)
      .def_property_readonly("ready", &Vwap::ready);

  m.def(
      "sma", [](py::handle c, int period) { return close_batch(Sma(period), c); }, py::arg("close"),
      py::arg("period"), "SMA over an array; NaN before bar period-1.");
  m.def(
      "ema", [](py::handle c, int period) { return close_batch(Ema(period), c); }, py::arg("close"),
      py::arg("period"));
  m.def(
      "rsi", [](py::handle c, int period) { return close_batch(Rsi(period), c); }, py::arg("close"),
      py::arg("period") = 14);
  m.def(
      "stddev", [](py::handle c, int period) { return close_batch(RollingStdDev(period), c); },
      py::arg("close"), py::arg("period") = 20);
  m.def(
      "log_return",
      [](py::handle c) {
        const Column col = to_column(c, "close");
        for (std::size_t i = 0; i < col.values.size(); ++i) {
          if (!(col.values[i] > 0.0))
            throw py::value_error("close[" + std::to_string(i) + "] must be > 0 for a log return");
        }
        return close_batch(LogReturn(), c);
      },
      py::arg("close"));
  m.def(
      "macd",
      [](py::handle c, int fast, int slow, int signal) {
        return close_batch(Macd(fast, slow, signal), c);
      },
      py::arg("close"), py::arg("fast") = 12, py::arg("slow") = 26, py::arg("signal") = 9,
      "(line, signal, hist) arrays.");
  m.def(
      "bbands",
      [](py::handle c, int period, double up, double down) {
        return close_batch(Bollinger(period, up, down), c);
      },
      py::arg("close"), py::arg("period") = 20, py::arg("nbdev_up") = 2.0,
      py::arg("nbdev_down") = 2.0, "(upper, middle, lower) arrays.");
  m.def(
      "atr",
      [](py::handle h, py::handle l, py::handle c, int period) {
        return hlc_batch(Atr(period), h, l, c);
      },
      py::arg("high"), py::arg("low"), py::arg("close"), py::arg("period") = 14);
  m.def(
      "trange",
      [](py::handle h, py::handle l, py::handle c) { return hlc_batch(TrueRange(), h, l, c); },
      py::arg("high"), py::arg("low"), py::arg("close"));
  m.def(
      "stoch",
      [](py::handle h, py::handle l, py::handle c, int fastk, int slowk, int slowd) {
        return hlc_batch(Stochastic(fastk, slowk, slowd), h, l, c);
      },
      py::arg("high"), py::arg("low"), py::arg("close"), py::arg("fastk_period") = 14,
      py::arg("slowk_period") = 3, py::arg("slowd_period") = 3, "(slow_k, slow_d) arrays.");
  m.def(
      "obv",
      [](py::handle close, py::handle volume) {
        const Column c = to_column(close, "close"), v = to_column(volume, "volume");
        require_same_length({&c, &v}, {"close", "volume"});
        Obv obv;
        return run_batch(c.values.size(),
                         [&](std::size_t i) { return obv.step(c.values[i], v.values[i]); });
      },
      py::arg("close"), py::arg("volume"));
  m.def(
      "vwap",
      [](py::handle price, py::handle volume, py::handle timestamps, std::int64_t period,
         std::int64_t offset) {
        const Column p = to_column(price, "price"), v = to_column(volume, "volume");
        require_same_length({&p, &v}, {"price", "volume"});
        for (std::size_t i = 0; i < v.values.size(); ++i) {
          if (v.values[i] < 0.0)
            throw py::value_error("volume[" + std::to_string(i) + "] is negative");
        }
        py::array_t<std::int64_t, py::array::c_style | py::array::forcecast> ts;
        if (!timestamps.is_none()) {
          ts = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(
              timestamps);
          if (!ts || ts.ndim() != 1 || static_cast<std::size_t>(ts.shape(0)) != p.values.size()) {
            PyErr_Clear();
            throw py::value_error("timestamps must be a 1-D int64 array as long as price");
          }
        } else if (period != 0) {
          throw py::value_error("a periodic anchor needs timestamps");
        }
        const std::int64_t* t = timestamps.is_none() ? nullptr : ts.data();
        Vwap vwap(period, offset);
        return run_batch(p.values.size(), [&](std::size_t i) {
          return vwap.step(p.values[i], v.values[i], t ? t[i] : 0);
        });
      },
      py::arg("price"), py::arg("volume"), py::arg("timestamps") = py::none(),
      py::arg("anchor_period_ns") = 0, py::arg("anchor_offset_ns") = 0,
      "Anchored VWAP over arrays (pass (high+low+close)/3 as price for bars).");
}

}  // namespace ztrade::py_bindings
