#pragma once
// Where each component's sockets live: the same components run as processes (ipc:// under
// engine.run_dir, or tcp://) or as threads of one process (inproc://). Derived from the config
// by endpoints_for.
#include <string>

namespace ztrade::ops {

struct EngineConfig;

struct Endpoints {
  // Addresses components connect to (inproc:// in the threads deployment).
  std::string market_data;          // PUB of market-data
  std::string market_data_control;  // REP of market-data: "GO" opens the start gate
  std::string signals;              // PUB of signal-bridge
  std::string signal_ingress;       // PULL of signal-bridge: external strategies push signals here
  std::string risk;                 // PUB of risk (orders, rejects)
  std::string risk_control;         // REP of risk: kill switch / trading state
  std::string execution;            // PUB of execution (reports, positions)
  std::string gateway;              // PUB of the gateway (its heartbeats)

  // In the threads deployment, every bound socket also binds an ipc:// address under run_dir
  // (same names as the process deployment), so tools outside the process - ztrade tap,
  // control, the launcher, Python strategies - reach it. Empty otherwise.
  struct External {
    std::string market_data, market_data_control, signals, signal_ingress, risk, risk_control,
        execution, gateway;
  } external;
};

// Every component's socket addresses under `c`'s deployment and transport.
Endpoints endpoints_for(const EngineConfig& c);

// The address a tool outside the engine process uses for an endpoint.
inline const std::string& reachable(const std::string& internal, const std::string& external) {
  return external.empty() ? internal : external;
}

}  // namespace ztrade::ops
