#pragma once
// Every broker adapter, one registration line each. An adapter is one folder,
// engine/brokers/<name>/, holding its broker (an execution::Broker) and its factory
// (factory.cpp: `make_broker`, in namespace brokers::<name>). Adding a broker is that folder
// plus its line here; execution.broker = "<name>" selects it (docs/architecture.md).
#include <memory>
#include <string_view>

#include "execution/broker.hpp"
#include "execution/execution_config.hpp"
#include "execution/order_manager.hpp"

#define ZTRADE_BROKER_ADAPTERS(X) X(sim)

namespace ztrade::brokers {

// What each adapter's folder defines, declared from the list above.
#define ZTRADE_BROKER_DECLARE(name)                                                         \
  namespace name {                                                                          \
  std::unique_ptr<execution::Broker> make_broker(execution::OrderManager& orders,           \
                                                 const execution::ExecutionConfig& config); \
  }
ZTRADE_BROKER_ADAPTERS(ZTRADE_BROKER_DECLARE)
#undef ZTRADE_BROKER_DECLARE

// The broker named by execution.broker; nullptr for a name no adapter registers.
[[nodiscard]] std::unique_ptr<execution::Broker> make_broker(
    std::string_view name, execution::OrderManager& orders,
    const execution::ExecutionConfig& config);

}  // namespace ztrade::brokers
