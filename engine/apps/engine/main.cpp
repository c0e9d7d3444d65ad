// ztrade-engine: the four components as threads of one process over inproc:// - the same
// components as the four executables, chosen by engine.deployment = "threads".
#include <thread>

#include "apps/host.hpp"
#include "execution/execution_component.hpp"
#include "market_data/market_data_component.hpp"
#include "risk/risk_component.hpp"
#include "signals/signal_bridge_component.hpp"

int main(int argc, char** argv) {
  using namespace ztrade;
  int rc = 0;
  auto config = apps::load(argc, argv, "ztrade-engine", rc);
  if (!config) return rc;
  config->engine.deployment = "threads";
  if (!apps::prepare(*config, "ztrade-engine")) return 1;
  const auto endpoints = ops::endpoints_for(*config);
  try {
    zmq::context_t context;
    const auto authenticator = ops::start_authenticator(context, *config);
    // Publishers bind before anyone connects (inproc requires it in older libzmq).
    execution::ExecutionComponent execution(context, *config, endpoints);
    risk::RiskComponent risk(context, *config, endpoints,
                             apps::secret(config->risk.control_token_env));
    signals::SignalBridgeComponent bridge(context, *config, endpoints);
    market_data::MarketDataComponent market(context, *config, endpoints);
    int codes[4] = {0, 0, 0, 0};
    std::thread threads[] = {
        std::thread([&] { codes[0] = execution.run(apps::g_stop); }),
        std::thread([&] { codes[1] = risk.run(apps::g_stop); }),
        std::thread([&] { codes[2] = bridge.run(apps::g_stop); }),
        std::thread([&] { codes[3] = market.run(apps::g_stop); }),
    };
    for (auto& t : threads) t.join();
    for (int c : codes) {
      if (c != 0) return c;
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ztrade-engine: %s\n", e.what());
    return 1;
  }
}
