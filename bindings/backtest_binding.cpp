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

// A Python ztrade.strategy.Strategy, called back for what it defines.
class PyStrategy final : public backtest::Strategy {
 public:
  PyStrategy(py::object strategy, const std::vector<std::string>& symbols)
      : strategy_(std::move(strategy)) {
    const py::module_ module = py::module_::import("ztrade.strategy");
    const py::object base = module.attr("Strategy");
    auto overrides = [&](const char* name) {
      return !py::getattr(strategy_, name).attr("__func__").is(base.attr(name));
    };
    has_bar_ = overrides("on_bar");
    has_features_ = overrides("on_features");
    has_fill_ = overrides("on_fill");
    // Bound methods and dict keys made once, not per bar.
    on_bar_ = strategy_.attr("on_bar");
    on_features_ = strategy_.attr("on_features");
    on_fill_ = strategy_.attr("on_fill");
    for (const char* k : {"open", "high", "low", "close", "volume", "ts_ns"}) {
      keys_.emplace_back(k);
    }
    fill_cls_ = module.attr("Fill");
    values_ = py::array_t<double>(static_cast<py::ssize_t>(kFeatureCount));
    features_ = module.attr("Features")(values_, false);
    values_ = features_.attr("values");  // the array the object holds (np.asarray kept it)
    data_ = static_cast<double*>(py::array(values_).mutable_data());
    for (std::size_t i = 0; i < symbols.size(); ++i) {
      names_.emplace_back(symbols[i]);
      index_[names_.back()] = py::int_(i);
    }
  }

  void on_bar(std::int32_t symbol, const Bar& bar, const FeatureRow& row, bool ready,
              std::vector<backtest::Target>& out) override {
    const py::str& name = names_[static_cast<std::size_t>(symbol)];
    if (has_bar_) {
      py::dict d;
      d[keys_[0]] = bar.open;
      d[keys_[1]] = bar.high;
      d[keys_[2]] = bar.low;
      d[keys_[3]] = bar.close;
      d[keys_[4]] = bar.volume;
      d[keys_[5]] = bar.ts_ns;
      collect(call("on_bar", symbol, bar.ts_ns, [&] { return on_bar_(name, d); }), "on_bar", symbol,
              bar.ts_ns, out);
    }
    if (has_features_) {
      std::memcpy(data_, row.data(), sizeof(double) * kFeatureCount);
      if (ready != ready_) {
        features_.attr("ready") = ready;
        ready_ = ready;
      }
      collect(call("on_features", symbol, bar.ts_ns,
                   [&] { return on_features_(name, features_, bar.ts_ns); }),
              "on_features", symbol, bar.ts_ns, out);
    }
  }

  bool wants_features() const noexcept override { return has_features_; }

  void on_fill(const FillEvent& f, std::vector<backtest::Target>& out) override {
    if (!has_fill_) return;
    const py::object fill = fill_cls_(names_[static_cast<std::size_t>(f.symbol)],
                                      f.buy ? "buy" : "sell", f.qty, f.price, f.order_id);
    collect(call("on_fill", f.symbol, f.ts_ns, [&] { return on_fill_(fill); }), "on_fill", f.symbol,
            f.ts_ns, out);
  }

  // More signals than this from one call is a runaway generator, not a strategy (a target
  // position per symbol is all a call can mean).
  static constexpr std::size_t kMaxSignalsPerCall = 10'000;

 private:
  // "on_bar(AAPL) at bar 2024-01-02T14:31:00Z (ts_ns 1704205860000000000)": where a strategy's
  // mistake happened, in every message about it.
  std::string where(const char* hook, std::int32_t symbol, std::int64_t ts_ns) const {
    const auto secs = ts_ns / 1'000'000'000;
    const std::time_t t = static_cast<std::time_t>(secs);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return fmt::format("{}.{}({}) at bar {} (ts_ns {})",
                       py::str(py::type::of(strategy_).attr("__name__")).cast<std::string>(), hook,
                       names_[static_cast<std::size_t>(symbol)].cast<std::string>(), when, ts_ns);
  }

  // Calls a hook; an exception it raises keeps its traceback and gains a note saying where.
  template <class F>
  py::object call(const char* hook, std::int32_t symbol, std::int64_t ts_ns, F&& f) {
    try {
      return f();
    } catch (py::error_already_set& e) {
      if (py::hasattr(e.value(), "add_note")) {
        e.value().attr("add_note")("raised in " + where(hook, symbol, ts_ns));
      }
      throw;
    }
  }

  void collect(const py::object& result, const char* hook, std::int32_t symbol, std::int64_t ts_ns,
               std::vector<backtest::Target>& out) {
    if (result.is_none()) return;
    if (py::hasattr(result, "strength")) {
      add(result, hook, symbol, ts_ns, out);
      return;
    }
    const bool iterable = py::isinstance<py::iterable>(result) &&
                          !py::isinstance<py::str>(result) && !py::isinstance<py::bytes>(result) &&
                          !py::isinstance<py::dict>(result);
    if (!iterable) {
      throw py::type_error(
          fmt::format("{} returned {}: expected a Signal, a list of Signals or None",
                      where(hook, symbol, ts_ns), short_repr(result)));
    }
    std::size_t n = 0;
    for (const py::handle signal : result) {
      if (++n > kMaxSignalsPerCall) {
        throw py::value_error(
            fmt::format("{} returned more than {} signals from one call: a runaway generator? (one "
                        "signal per symbol is what a call can mean)",
                        where(hook, symbol, ts_ns), kMaxSignalsPerCall));
      }
      add(py::reinterpret_borrow<py::object>(signal), hook, symbol, ts_ns, out);
    }
  }

  static std::string short_repr(const py::handle& value) {
    std::string text = py::repr(value).cast<std::string>();
    if (text.size() > 80) text = text.substr(0, 77) + "...";
    return fmt::format("{} ({})", text,
                       py::str(py::type::of(value).attr("__name__")).cast<std::string>());
  }

  void add(const py::object& signal, const char* hook, std::int32_t symbol, std::int64_t ts_ns,
           std::vector<backtest::Target>& out) {
    if (!py::hasattr(signal, "strength") || !py::hasattr(signal, "symbol")) {
      throw py::type_error(fmt::format("{} returned {} among its signals: expected Signal objects",
                                       where(hook, symbol, ts_ns), short_repr(signal)));
    }
    double strength = 0;
    try {
      strength = py::cast<double>(signal.attr("strength"));
    } catch (const py::cast_error&) {
      throw py::type_error(
          fmt::format("{} returned a signal whose strength is {}: expected a number in [-1, 1]",
                      where(hook, symbol, ts_ns), short_repr(signal.attr("strength"))));
    }
    if (!std::isfinite(strength) || strength < -1 || strength > 1) {
      // The live signal bridge refuses it (bad_strength): a backtest must not trade it.
      throw py::value_error(fmt::format(
          "{} returned {}, which the live engine refuses (bad_strength: strength must be in "
          "[-1, 1])",
          where(hook, symbol, ts_ns), py::repr(signal).cast<std::string>()));
    }
    const py::object target = signal.attr("symbol");
    if (!py::isinstance<py::str>(target) || !index_.contains(target)) {
      throw py::value_error(
          fmt::format("{} returned a signal for {} - not a symbol of this backtest",
                      where(hook, symbol, ts_ns), short_repr(target)));
    }
    out.push_back({index_[target].cast<std::int32_t>(), strength});
  }

  py::object strategy_;
  bool has_bar_ = false, has_features_ = false, has_fill_ = false, ready_ = false;
  py::object fill_cls_, features_, values_, on_bar_, on_features_, on_fill_;
  std::vector<py::str> keys_;
  double* data_ = nullptr;
  std::vector<py::str> names_;
  py::dict index_;
};

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

// The engine config a backtest uses: the packaged defaults, then `overrides`
// (ZTRADE__section__key = TOML value), checked by the engine's reader.
ops::EngineConfig config_from(const std::map<std::string, std::string>& overrides) {
  const ops::ConfigResult r = ops::parse_config("", overrides, "backtest");
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
         bool allow_short, const std::map<std::string, double>& commission,
         const py::object& progress,
         py::array_t<std::int64_t, py::array::c_style | py::array::forcecast> trade_ts,
         py::array_t<double, py::array::c_style | py::array::forcecast> trade_price,
         py::array_t<double, py::array::c_style | py::array::forcecast> trade_size,
         py::array_t<std::int32_t, py::array::c_style | py::array::forcecast> trade_symbol) {
        const ops::EngineConfig engine = config_from(overrides);
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
        c.allow_short = allow_short;
        for (const auto& [key, value] : commission) {
          if (!(value >= 0) || !std::isfinite(value)) {
            throw py::value_error(fmt::format("commission {}: must be >= 0", key));
          }
          if (key == "per_share") {
            c.commission.per_share = value;
          } else if (key == "min_per_fill") {
            c.commission.min_per_fill = value;
          } else if (key == "bps") {
            c.commission.bps = value;
          } else if (key == "fixed") {
            c.commission.fixed = value;
          } else {
            throw py::value_error(fmt::format(
                "commission: unknown key \"{}\" (per_share, min_per_fill, bps, fixed)", key));
          }
        }
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
      py::arg("cash") = 100000.0, py::arg("allow_short") = true,
      py::arg("commission") = std::map<std::string, double>{}, py::arg("progress") = py::none(),
      py::arg("trade_ts") = py::array_t<std::int64_t>(0),
      py::arg("trade_price") = py::array_t<double>(0),
      py::arg("trade_size") = py::array_t<double>(0),
      py::arg("trade_symbol") = py::array_t<std::int32_t>(0),
      "The in-process backtest (ztrade.backtest.run wraps it): bars in time order (symbol: "
      "index into symbols), a Strategy or \"macd_rsi\", settings as ZTRADE__ overrides of the "
      "engine config. Returns the fills, orders, equity per bar and positions as arrays.");
}

}  // namespace ztrade::py_bindings
