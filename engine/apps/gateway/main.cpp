// ztrade-gateway: hosts the gateway component (REST API, WebSocket stream, dashboard).
#include "apps/gateway_secrets.hpp"
#include "apps/host.hpp"
#include "gateway/gateway_component.hpp"

int main(int argc, char** argv) {
  using namespace ztrade;
  return apps::host(
      argc, argv, "ztrade-gateway", "gateway", [](auto& ctx, auto& cfg, auto& wiring) {
        return gateway::GatewayComponent(ctx, wiring, cfg.gateway, apps::gateway_secrets(cfg),
                                         apps::symbol_venues(cfg));
      });
}
