#pragma once
// A Python ztrade.strategy.Strategy as the engine calls it - the one adapter both the backtest
// (backtest_binding.cpp) and the live runner (live_binding.cpp) use, so a hook receives the
// same objects with the same keys in both: on_bar(symbol, dict of open/high/low/close/volume/
// ts_ns), on_features(symbol, Features, bar_ns) and on_fill(Fill). The least Python work the
// strategy asks for: only the hooks it defines are called, on_bar's dict keys are made once,
// one Features object is reused and its values overwritten in place.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cmath>
#include <cstring>
#include <ctime>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "backtest/backtest.hpp"

namespace ztrade::py_bindings {

namespace py = pybind11;

class PyStrategy final : public backtest::Strategy {
 public:
  // `open_symbols` (live): a signal may name a symbol not seen yet (the bridge judges it);
  // otherwise (a backtest) only the given symbols exist.
  PyStrategy(py::object strategy, const std::vector<std::string>& symbols,
             bool open_symbols = false)
      : strategy_(std::move(strategy)), open_symbols_(open_symbols) {
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
    for (const auto& s : symbols) (void)symbol_index(s);
  }

  bool has_bar() const noexcept { return has_bar_; }
  bool has_features() const noexcept { return has_features_; }
  bool has_fill() const noexcept { return has_fill_; }

  // The index of a symbol, added when new.
  std::int32_t symbol_index(std::string_view name) {
    const py::str key(name.data(), name.size());
    if (index_.contains(key)) return index_[key].cast<std::int32_t>();
    const auto i = static_cast<std::int32_t>(names_.size());
    names_.push_back(key);
    symbols_.emplace_back(name);
    index_[key] = py::int_(i);
    return i;
  }
  const std::string& symbol_name(std::int32_t i) const {
    return symbols_[static_cast<std::size_t>(i)];
  }

  // The metadata of each target the last calls added, in order (live only sends it).
  std::vector<std::string>& metadata() noexcept { return metadata_; }

  void on_bar(std::int32_t symbol, const Bar& bar, const FeatureRow& row, bool ready,
              std::vector<backtest::Target>& out) override {
    if (has_bar_) call_bar(symbol, bar, out);
    if (has_features_) call_features(symbol, row.data(), ready, bar.ts_ns, out);
  }

  void call_bar(std::int32_t symbol, const Bar& bar, std::vector<backtest::Target>& out) {
    const py::str& name = names_[static_cast<std::size_t>(symbol)];
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

  void call_features(std::int32_t symbol, const double* row, bool ready, std::int64_t bar_ns,
                     std::vector<backtest::Target>& out) {
    const py::str& name = names_[static_cast<std::size_t>(symbol)];
    std::memcpy(data_, row, sizeof(double) * kFeatureCount);
    if (ready != ready_) {
      features_.attr("ready") = ready;
      ready_ = ready;
    }
    collect(
        call("on_features", symbol, bar_ns, [&] { return on_features_(name, features_, bar_ns); }),
        "on_features", symbol, bar_ns, out);
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

  // "Momentum.on_bar(AAPL) at bar 2024-01-02T14:31:00Z (ts_ns 1704205860000000000)": where a
  // strategy's mistake happened, in every message about it.
  std::string where(const char* hook, std::int32_t symbol, std::int64_t ts_ns) const {
    const auto secs = ts_ns / 1'000'000'000;
    const std::time_t t = static_cast<std::time_t>(secs);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return fmt::format("{}.{}({}) at bar {} (ts_ns {})",
                       py::str(py::type::of(strategy_).attr("__name__")).cast<std::string>(), hook,
                       symbol_name(symbol), when, ts_ns);
  }

 private:
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
    if (!py::isinstance<py::str>(target) || (!open_symbols_ && !index_.contains(target))) {
      throw py::value_error(
          fmt::format("{} returned a signal for {} - not a symbol of this backtest",
                      where(hook, symbol, ts_ns), short_repr(target)));
    }
    const std::string target_name = target.cast<std::string>();
    if (open_symbols_) {
      std::string meta;
      if (py::hasattr(signal, "metadata") && py::isinstance<py::str>(signal.attr("metadata"))) {
        meta = signal.attr("metadata").cast<std::string>();
      }
      metadata_.push_back(std::move(meta));
    }
    out.push_back({symbol_index(target_name), strength});
  }

  py::object strategy_;
  bool open_symbols_ = false;
  bool has_bar_ = false, has_features_ = false, has_fill_ = false, ready_ = false;
  py::object fill_cls_, features_, values_, on_bar_, on_features_, on_fill_;
  std::vector<py::str> keys_;
  double* data_ = nullptr;
  std::vector<py::str> names_;
  std::vector<std::string> symbols_;
  std::vector<std::string> metadata_;
  py::dict index_;
};

}  // namespace ztrade::py_bindings
