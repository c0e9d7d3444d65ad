// ztrade-execution: hosts the execution component.
#include "apps/host.hpp"
#include "execution/execution_component.hpp"

int main(int argc, char** argv) {
  using namespace ztrade;
  int rc = 0;
  const auto config = apps::load(argc, argv, "ztrade-execution", rc);
  if (!config) return rc;
  apps::prepare(*config);
  zmq::context_t context;
  execution::ExecutionComponent component(context, *config, ops::endpoints_for(*config));
  return component.run(apps::g_stop);
}
