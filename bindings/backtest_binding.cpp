// ztrade._core.backtest_run: the in-process backtester (engine/backtest) for ztrade.backtest.
// Settings go through the engine's own config reader (risk limits, the simulated broker's),
// so every key is checked and named as in a config file. A Python strategy is called back
// per bar with the least Python work the strategy asks for: on_bar's dict only when it
// defines on_bar, one reused Features object whose values the engine overwrites in place.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "backtest/backtest.hpp"
#include "bindings.hpp"
#include "ops/config.hpp"
#include "py_strategy.hpp"

namespace py = pybind11;

namespace ztrade::py_bindings {
namespace {

// Hands a result column to numpy without copying it: the array owns the vector (a copy of a
// 10-million-row column would touch its pages twice).
template <class T>
py::array_t<T> to_array(std::vector<T>&& v) {
  auto owned = std::make_unique<std::vector<T>>(std::move(v));
  const auto size = static_cast<py::ssize_t>(owned->size());
  T* data = owned->data();
  py::capsule free_when_done(owned.get(), [](void* p) { delete static_cast<std::vector<T>*>(p); });
  owned.release();  // the capsule owns it now
  return py::array_t<T>(size, data, free_when_done);
}

// "sma_cross:FAST:SLOW": both periods whole numbers in the range the config allows a feature
// period (1..100000, as signal_bridge.sma_period), with nothing after them.
std::pair<int, int> sma_cross_periods(const std::string& name) {
  constexpr int kMaxPeriod = 100000;
  std::string_view rest = std::string_view(name).substr(std::string_view("sma_cross:").size());
  int periods[2] = {0, 0};
  for (int i = 0; i < 2; ++i) {
    const auto end = i == 0 ? rest.find(':') : rest.size();
    const std::string_view part = rest.substr(0, end);
    long long v = 0;
    const auto r = std::from_chars(part.data(), part.data() + part.size(), v);
    if (part.empty() || r.ec != std::errc{} || r.ptr != part.data() + part.size() || v < 1 ||
        v > kMaxPeriod || (i == 0 && end == std::string_view::npos)) {
      throw py::value_error(fmt::format(
          "built-in strategy \"{}\": expected sma_cross:FAST:SLOW with whole periods from 1 to "
          "{} (as signal_bridge.sma_period) and nothing after them",
          name, kMaxPeriod));
    }
    periods[i] = static_cast<int>(v);
    if (i == 0) rest.remove_prefix(end + 1);
  }
  return {periods[0], periods[1]};
}

// The engine config a backtest uses: a session's file (or the defaults), then `overrides`
// (ZTRADE__section__key = TOML value), checked by the engine's reader.
ops::EngineConfig config_from(const std::string& path,
                              const std::map<std::string, std::string>& overrides) {
  const ops::ConfigResult r = path.empty() ? ops::parse_config("", overrides, "backtest")
                                           : ops::load_config(path, overrides);
  if (!r.ok()) {
    std::string all;
    for (const auto& e : r.errors) all += (all.empty() ? "" : "; ") + e;
    throw py::value_error("backtest settings: " + all);
  }
  return r.config;
}

}  // namespace

void bind_backtest(py::module_& m) {
  m.def(
      "backtest_run",
      [](py::array_t<std::int64_t, py::array::c_style | py::array::forcecast> ts,
         py::array_t<double, py::array::c_style | py::array::forcecast> open,
         py::array_t<double, py::array::c_style | py::array::forcecast> high,
         py::array_t<double, py::array::c_style | py::array::forcecast> low,
         py::array_t<double, py::array::c_style | py::array::forcecast> close,
         py::array_t<double, py::array::c_style | py::array::forcecast> volume,
         py::array_t<std::int32_t, py::array::c_style | py::array::forcecast> symbol,
         const std::vector<std::string>& symbols, const py::object& strategy,
         const std::map<std::string, std::string>& overrides, const std::string& fill, double cash,
         const py::object& progress,
         py::array_t<std::int64_t, py::array::c_style | py::array::forcecast> trade_ts,
         py::array_t<double, py::array::c_style | py::array::forcecast> trade_price,
         py::array_t<double, py::array::c_style | py::array::forcecast> trade_size,
         py::array_t<std::int32_t, py::array::c_style | py::array::forcecast> trade_symbol,
         const std::string& config_path) {
        const ops::EngineConfig engine = config_from(config_path, overrides);
        backtest::Config c;
        c.risk = engine.risk;
        c.broker = engine.execution.options<brokers::sim::Options>("sim");
        c.features = FeatureConfig{engine.signal_bridge.rsi_period, engine.signal_bridge.macd_fast,
                                   engine.signal_bridge.macd_slow, engine.signal_bridge.macd_signal,
                                   engine.signal_bridge.sma_period};
        if (fill != "next_open" && fill != "close") {
          throw py::value_error(
              fmt::format("fill must be \"next_open\" or \"close\", not \"{}\"", fill));
        }
        c.fill = fill == "close" ? backtest::FillAt::kClose : backtest::FillAt::kNextOpen;
        if (!(cash > 0) || !std::isfinite(cash)) throw py::value_error("cash must be > 0");
        c.cash = cash;
        std::unique_ptr<backtest::Strategy> owned;
        if (py::isinstance<py::str>(strategy)) {
          // Built-in C++ rules: "macd_rsi", or "sma_cross:FAST:SLOW".
          const auto name = strategy.cast<std::string>();
          if (name == "macd_rsi") {
            owned = backtest::make_macd_rsi(engine.signal_bridge.rsi_buy_below,
                                            engine.signal_bridge.rsi_sell_above);
            c.strategy = name;
          } else if (name.starts_with("sma_cross:")) {
            const auto [fast, slow] = sma_cross_periods(name);
            try {
              owned = backtest::make_sma_cross(fast, slow);
            } catch (const std::invalid_argument& e) {
              throw py::value_error(e.what());
            }
            c.strategy = "sma_cross";
          } else {
            throw py::value_error(fmt::format(
                "unknown built-in strategy \"{}\" (macd_rsi, sma_cross:FAST:SLOW)", name));
          }
        } else {
          c.strategy = py::str(strategy.attr("name")).cast<std::string>();
          owned = std::make_unique<PyStrategy>(strategy, symbols);
        }
        backtest::Engine e(c, symbols);
        const backtest::Bars bars{{ts.data(), static_cast<std::size_t>(ts.size())},
                                  {open.data(), static_cast<std::size_t>(open.size())},
                                  {high.data(), static_cast<std::size_t>(high.size())},
                                  {low.data(), static_cast<std::size_t>(low.size())},
                                  {close.data(), static_cast<std::size_t>(close.size())},
                                  {volume.data(), static_cast<std::size_t>(volume.size())},
                                  {symbol.data(), static_cast<std::size_t>(symbol.size())}};
        const backtest::Trades trades{
            {trade_ts.data(), static_cast<std::size_t>(trade_ts.size())},
            {trade_price.data(), static_cast<std::size_t>(trade_price.size())},
            {trade_size.data(), static_cast<std::size_t>(trade_size.size())},
            {trade_symbol.data(), static_cast<std::size_t>(trade_symbol.size())}};
        std::function<void(std::size_t)> tick;
        if (!progress.is_none()) tick = [&](std::size_t done) { progress(done); };
        try {
          e.run(bars, *owned, tick, 100'000, trades);
        } catch (const std::invalid_argument& ex) {
          throw py::value_error(ex.what());
        }
        backtest::Results r = e.take_results();
        py::dict out;
        out["fill_ts"] = to_array(std::move(r.fill_ts));
        out["fill_symbol"] = to_array(std::move(r.fill_symbol));
        out["fill_side"] = to_array(std::move(r.fill_side));
        out["fill_qty"] = to_array(std::move(r.fill_qty));
        out["fill_price"] = to_array(std::move(r.fill_price));
        out["fill_commission"] = to_array(std::move(r.fill_commission));
        out["fill_order"] = to_array(std::move(r.fill_order));
        out["order_id"] = to_array(std::move(r.order_id));
        out["order_ts"] = to_array(std::move(r.order_ts));
        out["order_symbol"] = to_array(std::move(r.order_symbol));
        out["order_side"] = to_array(std::move(r.order_side));
        out["order_qty"] = to_array(std::move(r.order_qty));
        out["order_limit"] = to_array(std::move(r.order_limit));
        out["order_filled"] = to_array(std::move(r.order_filled));
        out["order_avg_price"] = to_array(std::move(r.order_avg_price));
        out["order_status"] = r.order_status;
        out["order_reason"] = r.order_reason;
        out["trade_symbol"] = to_array(std::move(r.trade_symbol));
        out["trade_direction"] = to_array(std::move(r.trade_direction));
        out["trade_entry_ts"] = to_array(std::move(r.trade_entry_ts));
        out["trade_exit_ts"] = to_array(std::move(r.trade_exit_ts));
        out["trade_qty"] = to_array(std::move(r.trade_qty));
        out["trade_entry_price"] = to_array(std::move(r.trade_entry_price));
        out["trade_exit_price"] = to_array(std::move(r.trade_exit_price));
        out["trade_pnl"] = to_array(std::move(r.trade_pnl));
        out["trade_commission"] = to_array(std::move(r.trade_commission));
        out["trade_bars"] = to_array(std::move(r.trade_bars));
        out["equity"] = to_array(std::move(r.equity));
        out["exposure"] = to_array(std::move(r.exposure));
        out["commissions"] = r.commissions;
        out["bars"] = r.bars;
        out["signals"] = r.signals;
        py::list positions;
        for (const auto& p : e.positions()) {
          py::dict d;
          d["symbol"] = p.symbol;
          d["quantity"] = p.quantity;
          d["avg_price"] = p.avg_price;
          d["realized_pnl"] = p.realized;
          d["mark_price"] = p.mark;
          positions.append(d);
        }
        out["positions"] = positions;
        return out;
      },
      py::arg("ts_ns"), py::arg("open"), py::arg("high"), py::arg("low"), py::arg("close"),
      py::arg("volume"), py::arg("symbol"), py::arg("symbols"), py::arg("strategy"),
      py::arg("overrides") = std::map<std::string, std::string>{}, py::arg("fill") = "next_open",
      py::arg("cash") = 100000.0, py::arg("progress") = py::none(),
      py::arg("trade_ts") = py::array_t<std::int64_t>(0),
      py::arg("trade_price") = py::array_t<double>(0),
      py::arg("trade_size") = py::array_t<double>(0),
      py::arg("trade_symbol") = py::array_t<std::int32_t>(0), py::arg("config_path") = "",
      "The in-process backtest (ztrade.backtest.run wraps it): bars in time order (symbol: "
      "index into symbols), a Strategy or \"macd_rsi\", settings as a session's: the engine "
      "config file at config_path (\"\": the defaults) with ZTRADE__ overrides. Returns the "
      "fills, orders, equity per bar and positions as arrays.");
  m.def(
      "sim_commission",
      [](const std::string& config_path, const std::map<std::string, std::string>& overrides,
         double qty, double price) {
        const ops::EngineConfig engine = config_from(config_path, overrides);
        return brokers::sim::commission_of(engine.execution.options<brokers::sim::Options>("sim"),
                                           qty, price);
      },
      py::arg("config_path"), py::arg("overrides"), py::arg("qty"), py::arg("price"),
      "The simulated broker's commission of one fill under a session's settings (the "
      "backtest's own formula).");
}

}  // namespace ztrade::py_bindings
