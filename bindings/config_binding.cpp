// ztrade._core.engine_config / config_settings: the C++ config loader, its settings and the
// endpoint rules for Python tools (the launcher, ztrade config/tap/control, strategies), so
// validation, defaults, docs and socket addresses are defined once.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "core/epoch_time.hpp"
#include "ops/config.hpp"
#include "ops/endpoints.hpp"
#include "ops/env_file.hpp"
#include "signals/signal_validator.hpp"

namespace py = pybind11;

namespace ztrade::py_bindings {

namespace {
// ZTRADE__* from the process environment, then the caller's overrides on top.
ops::Environment with_overrides(const std::map<std::string, std::string>& overrides) {
  ops::Environment env = ops::process_environment();
  for (const auto& [k, v] : overrides) env[k] = v;
  return env;
}
// The config at path, or ValueError listing every problem; `text` receives the file's text.
ops::ConfigResult load_or_raise(const std::string& path, const ops::Environment& env,
                                std::string* text = nullptr) {
  ops::ConfigResult r = ops::load_config(path, env, text);
  if (!r.ok()) {
    std::string msg = "invalid configuration " + path + ":";
    for (const auto& e : r.errors) msg += "\n  " + e;
    throw py::value_error(msg);
  }
  return r;
}
}  // namespace

void bind_config(py::module_& m) {
  m.def(
      "signal_problem",
      [](double strength, int direction, const std::string& strategy) {
        // The signal bridge's own checks of an external signal, less the ones about the live
        // market (known symbol, age): backtests apply exactly what the live engine would.
        wire::SignalMsg s{};
        s.strength = strength;
        s.direction = static_cast<std::int8_t>(direction);
        if (!s.strategy.assign(strategy)) return std::string("bad_strategy_id");
        s.signal_ns = 0;
        return std::string(signals::problem_name(signals::validate(s, true, 0, 1.0)));
      },
      py::arg("strength"), py::arg("direction"), py::arg("strategy"),
      "The signal bridge's verdict on a signal: 'none' when it would be accepted, else the "
      "reason it would be refused (e.g. 'bad_strength').");
  m.def(
      "engine_config",
      [](const std::string& path, const std::map<std::string, std::string>& overrides) {
        const ops::ConfigResult r = load_or_raise(path, with_overrides(overrides));
        const auto& c = r.config;
        const ops::Endpoints e = ops::endpoints_for(c);
        py::dict endpoints;
        // What a tool outside the engine process can reach (ipc/tcp even in threads mode).
        const auto& x = e.external;
        endpoints["market_data"] = ops::reachable(e.market_data, x.market_data);
        endpoints["market_data_control"] =
            ops::reachable(e.market_data_control, x.market_data_control);
        endpoints["signals"] = ops::reachable(e.signals, x.signals);
        endpoints["signal_ingress"] = ops::reachable(e.signal_ingress, x.signal_ingress);
        endpoints["risk"] = ops::reachable(e.risk, x.risk);
        endpoints["risk_control"] = ops::reachable(e.risk_control, x.risk_control);
        endpoints["execution"] = ops::reachable(e.execution, x.execution);
        endpoints["gateway"] = ops::reachable(e.gateway, x.gateway);
        py::dict d;
        d["endpoints"] = endpoints;
        d["run_dir"] = c.engine.run_dir;
        d["journal"] = ops::journal_path(c);
        d["deployment"] = c.engine.deployment;
        d["transport"] = c.bus.transport;
        d["venue"] = c.market_data.venue;
        d["replay_file"] = c.market_data.replay.file;
        d["control_token_env"] = c.risk.control_token_env;
        d["symbols"] = c.market_data.synthetic.symbols;
        d["max_signal_age_ms"] = c.signal_bridge.max_signal_age_ms;
        d["builtin_strategies"] = c.signal_bridge.strategies;
        py::dict strategy;
        strategy["names"] = c.strategy.names;
        strategy["on_error"] = c.strategy.on_error;
        strategy["max_lag_bars"] = c.strategy.max_lag_bars;
        strategy["timeout_s"] = c.strategy.timeout_s;
        d["strategy"] = strategy;
        d["lockstep"] = ops::lockstep(c);
        d["record_file"] = c.market_data.record_file;
        py::dict ops_ports;
        ops_ports["market-data"] = c.market_data.ops_port;
        ops_ports["signal-bridge"] = c.signal_bridge.ops_port;
        ops_ports["risk"] = c.risk.ops_port;
        ops_ports["execution"] = c.execution.ops_port;
        if (c.gateway.enabled) ops_ports["gateway"] = c.gateway.ops_port;
        d["ops_ports"] = ops_ports;
        py::dict gateway;
        gateway["enabled"] = c.gateway.enabled;
        gateway["bind"] = c.gateway.bind;
        gateway["port"] = c.gateway.port;
        gateway["tls"] = !c.gateway.tls_cert.empty();
        gateway["token_env"] = c.gateway.token_env;
        gateway["operator_token_env"] = c.gateway.operator_token_env;
        d["gateway"] = gateway;
        if (c.bus.curve.enabled) {
          py::dict curve;
          curve["public_key_file"] = c.bus.curve.public_key_file;
          curve["secret_key_file"] = c.bus.curve.secret_key_file;
          curve["server_public_key_file"] = c.bus.curve.server_public_key_file;
          d["curve"] = curve;
        } else {
          d["curve"] = py::none();
        }
        return d;
      },
      py::arg("path"), py::arg("overrides") = std::map<std::string, std::string>{},
      "Load and validate an engine config (ZTRADE__* environment overrides apply, then "
      "`overrides`); returns the endpoints and the settings tools need. Raises ValueError "
      "listing every problem.");
  m.def(
      "config_settings",
      [](const std::string& path, const std::map<std::string, std::string>& overrides) {
        const ops::Environment env = with_overrides(overrides);
        std::string text;
        // An invalid file is refused with every problem listed; a valid one is described.
        if (!path.empty()) (void)load_or_raise(path, env, &text);
        py::list out;
        for (const auto& s : ops::describe_config(text, path.empty() ? ops::Environment{} : env)) {
          py::dict d;
          d["key"] = s.key;
          d["type"] = s.type;
          d["value"] = s.value;
          d["constraint"] = s.constraint;
          d["doc"] = s.doc;
          out.append(d);
        }
        return out;
      },
      py::arg("path") = std::string(), py::arg("overrides") = std::map<std::string, std::string>{},
      "Every configuration setting: a list of {key, type, value, constraint, doc}, from the "
      "engine's one definition of each (engine/ops/config.cpp). Without a path the values are "
      "the defaults; with one, what that file (and ZTRADE__* overrides, then `overrides`) sets. "
      "Raises ValueError listing every problem of an invalid file.");
  m.def(
      "epoch_ns_of_ts",
      [](const std::string& text) -> py::object {
        const auto ns = epoch_ns_of_ts(text);
        if (!ns) return py::none();
        return py::int_(*ns);
      },
      py::arg("text"),
      "Nanoseconds since the epoch of one `ts` value as a file holds it (seconds, ms, us or ns, "
      "told apart by magnitude: engine/core/epoch_time.hpp), or None when it is not a time "
      "between 1970 and 2262.");
  m.def(
      "read_env_file",
      [](const std::string& path) {
        const ops::EnvFile file = ops::read_env_file(path);
        if (!file.error.empty()) throw py::value_error(file.error);
        py::dict d;
        for (const auto& [key, value] : file.vars) d[py::str(key)] = value;
        return d;
      },
      py::arg("path"),
      "The KEY=VALUE pairs of an env file, read as the engine's processes read --env-file "
      "(comments, `export ` and quotes handled). Raises ValueError naming the file and line.");
}

}  // namespace ztrade::py_bindings
