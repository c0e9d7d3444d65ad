#include "ops/endpoints.hpp"

#include "ops/config.hpp"

namespace ztrade::ops {

Endpoints endpoints_for(const EngineConfig& c) {
  // One process (threads, inline): inproc between components, ipc/tcp also bound for tools.
  const bool threads = c.engine.deployment == "threads" || c.engine.deployment == "inline" ||
                       c.bus.transport == "inproc";
  auto outside = [&](const char* name, int offset) {
    // Offsets 0..7: config validation keeps tcp_base_port + 7 a valid port.
    static_assert(kTcpPortOffsets == 8);
    if (c.bus.transport == "tcp") {
      return "tcp://" + c.bus.tcp_host + ":" + std::to_string(c.bus.tcp_base_port + offset);
    }
    return "ipc://" + c.engine.run_dir + "/" + name + ".sock";
  };
  auto make = [&](const char* name, int offset) {
    return threads ? std::string("inproc://ztrade-") + name : outside(name, offset);
  };
  Endpoints e{make("market-data", 0),
              make("market-data-control", 6),
              make("signals", 1),
              make("signal-ingress", 4),
              make("risk", 2),
              make("risk-control", 5),
              make("execution", 3),
              make("gateway", 7),
              {}};
  if (threads) {
    e.external = {outside("market-data", 0), outside("market-data-control", 6),
                  outside("signals", 1),     outside("signal-ingress", 4),
                  outside("risk", 2),        outside("risk-control", 5),
                  outside("execution", 3),   outside("gateway", 7)};
  }
  return e;
}

}  // namespace ztrade::ops
