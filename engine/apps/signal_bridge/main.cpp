// ztrade-signal-bridge: hosts the signal-bridge component.
#include "apps/host.hpp"
#include "signals/signal_bridge_component.hpp"

int main(int argc, char** argv) {
  using namespace ztrade;
  int rc = 0;
  const auto config = apps::load(argc, argv, "ztrade-signal-bridge", rc);
  if (!config) return rc;
  apps::prepare(*config);
  zmq::context_t context;
  signals::SignalBridgeComponent component(context, *config, ops::endpoints_for(*config));
  return component.run(apps::g_stop);
}
