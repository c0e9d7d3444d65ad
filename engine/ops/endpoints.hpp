#pragma once
// Where each component's sockets live, derived from the config: the same components run as
// processes (ipc:// under engine.run_dir, or tcp://) or as threads of one process (inproc://).
#include <string>

#include "ops/config.hpp"

namespace ztrade::ops {

struct Endpoints {
  // Addresses components connect to (inproc:// in the threads deployment).
  std::string market_data;          // PUB of market-data
  std::string market_data_control;  // REP of market-data: "GO" opens the start gate
  std::string signals;              // PUB of signal-bridge
  std::string signal_ingress;       // PULL of signal-bridge: external strategies push signals here
  std::string risk;                 // PUB of risk (orders, rejects)
  std::string risk_control;         // REP of risk: kill switch / trading state
  std::string execution;            // PUB of execution (reports, positions)

  // In the threads deployment, every bound socket also binds an ipc:// address under run_dir
  // (same names as the process deployment), so tools outside the process - ztrade tap,
  // control, the launcher, Python strategies - reach it. Empty otherwise.
  struct External {
    std::string market_data, market_data_control, signals, signal_ingress, risk, risk_control,
        execution;
  } external;
};

inline Endpoints endpoints_for(const EngineConfig& c) {
  const bool threads = c.engine.deployment == "threads" || c.bus.transport == "inproc";
  auto outside = [&](const char* name, int offset) {
    // Offsets 0..6: config validation keeps tcp_base_port + 6 a valid port.
    static_assert(kTcpPortOffsets == 7);
    if (c.bus.transport == "tcp") {
      return "tcp://" + c.bus.tcp_host + ":" + std::to_string(c.bus.tcp_base_port + offset);
    }
    return "ipc://" + c.engine.run_dir + "/" + name + ".sock";
  };
  auto make = [&](const char* name, int offset) {
    return threads ? std::string("inproc://ztrade-") + name : outside(name, offset);
  };
  Endpoints e{make("market-data", 0), make("market-data-control", 6),
              make("signals", 1),     make("signal-ingress", 4),
              make("risk", 2),        make("risk-control", 5),
              make("execution", 3),   {}};
  if (threads) {
    e.external = {outside("market-data", 0), outside("market-data-control", 6),
                  outside("signals", 1),     outside("signal-ingress", 4),
                  outside("risk", 2),        outside("risk-control", 5),
                  outside("execution", 3)};
  }
  return e;
}

// The address a tool outside the engine process uses for an endpoint.
inline const std::string& reachable(const std::string& internal, const std::string& external) {
  return external.empty() ? internal : external;
}

}  // namespace ztrade::ops
