// ztrade-signal-bridge: hosts the signal-bridge component.
#include "apps/host.hpp"
#include "signals/signal_bridge_component.hpp"

int main(int argc, char** argv) {
  using namespace ztrade;
  return apps::host(
      argc, argv, "ztrade-signal-bridge", "signal-bridge", [](auto& ctx, auto& cfg, auto& wiring) {
        return signals::SignalBridgeComponent(ctx, wiring, cfg.signal_bridge, cfg.strategy);
      });
}
