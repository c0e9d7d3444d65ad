// The simulated broker from execution's config (brokers/brokers.hpp).
#include "brokers/brokers.hpp"
#include "brokers/sim/sim_broker.hpp"

namespace ztrade::brokers::sim {

std::unique_ptr<execution::Broker> make_broker(execution::OrderManager& orders,
                                               const execution::ExecutionConfig& config,
                                               std::shared_ptr<spdlog::logger> /*log*/) {
  return std::make_unique<SimBroker>(orders, config.options<Options>("sim"));
}

}  // namespace ztrade::brokers::sim
