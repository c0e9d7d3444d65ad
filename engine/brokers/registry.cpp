// The broker adapters' factories, gathered from ZTRADE_BROKER_ADAPTERS (brokers/brokers.hpp).
#include "brokers/brokers.hpp"

namespace ztrade::brokers {

std::unique_ptr<execution::Broker> make_broker(std::string_view name,
                                               execution::OrderManager& orders,
                                               const execution::ExecutionConfig& config,
                                               std::shared_ptr<spdlog::logger> log) {
#define ZTRADE_BROKER_MAKE(adapter) \
  if (name == #adapter) return adapter::make_broker(orders, config, log);
  ZTRADE_BROKER_ADAPTERS(ZTRADE_BROKER_MAKE)
#undef ZTRADE_BROKER_MAKE
  return nullptr;
}

}  // namespace ztrade::brokers
