#pragma once
// The broker adapters' factories, one per adapter of brokers/adapters.hpp (its folder's
// factory.cpp: `make_broker`, in namespace brokers::<name>).
#include <memory>

#include <spdlog/logger.h>
#include <string_view>

#include "brokers/adapters.hpp"
#include "execution/broker.hpp"
#include "execution/execution_config.hpp"
#include "execution/order_manager.hpp"

namespace ztrade::brokers {

// What each adapter's folder defines, declared from the list above.
#define ZTRADE_BROKER_DECLARE(name)                                                        \
  namespace name {                                                                         \
  std::unique_ptr<execution::Broker> make_broker(execution::OrderManager& orders,          \
                                                 const execution::ExecutionConfig& config, \
                                                 std::shared_ptr<spdlog::logger> log);     \
  }
ZTRADE_BROKER_ADAPTERS(ZTRADE_BROKER_DECLARE)
#undef ZTRADE_BROKER_DECLARE

// The broker named by execution.broker; nullptr for a name no adapter registers.
[[nodiscard]] std::unique_ptr<execution::Broker> make_broker(
    std::string_view name, execution::OrderManager& orders,
    const execution::ExecutionConfig& config, std::shared_ptr<spdlog::logger> log);

}  // namespace ztrade::brokers
