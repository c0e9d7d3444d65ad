// ztrade-execution: hosts the execution component.
#include "apps/host.hpp"
#include "execution/execution_component.hpp"

int main(int argc, char** argv) {
  using namespace ztrade;
  return apps::host(argc, argv, "ztrade-execution", "execution",
                    [](auto& ctx, auto& cfg, auto& wiring) {
                      return execution::ExecutionComponent(ctx, wiring, cfg.execution);
                    });
}
