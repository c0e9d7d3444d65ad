// ztrade-risk: hosts the risk component. The kill-switch token comes from the environment
// variable named by risk.control_token_env.
#include "apps/host.hpp"
#include "risk/risk_component.hpp"

int main(int argc, char** argv) {
  using namespace ztrade;
  int rc = 0;
  const auto config = apps::load(argc, argv, "ztrade-risk", rc);
  if (!config) return rc;
  apps::prepare(*config);
  zmq::context_t context;
  risk::RiskComponent component(context, *config, ops::endpoints_for(*config),
                                apps::secret(config->risk.control_token_env));
  return component.run(apps::g_stop);
}
