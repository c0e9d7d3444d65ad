// ztrade-risk: hosts the risk component. The kill-switch token comes from the environment
// variable named by risk.control_token_env.
#include "apps/host.hpp"
#include "risk/risk_component.hpp"

int main(int argc, char** argv) {
  using namespace ztrade;
  return apps::host(argc, argv, "ztrade-risk", "risk", [](auto& ctx, auto& cfg, auto& wiring) {
    return risk::RiskComponent(ctx, wiring, cfg.risk,
                               core::secret_from_env(cfg.risk.control_token_env));
  });
}
