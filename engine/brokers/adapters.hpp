#pragma once
// Every broker adapter, one registration line each. An adapter is one folder,
// engine/brokers/<name>/, holding its configuration (config.hpp/.cpp: its Options and
// `kConfigRules`, in namespace brokers::<name>), its broker (an execution::Broker) and its
// factory (factory.cpp: `make_broker`, declared in brokers/brokers.hpp). Adding a broker is
// that folder plus its line here; execution.broker = "<name>" selects it, the config reader
// and the docs' reference find its settings through this list (docs/architecture.md).
#include <any>
#include <span>
#include <string_view>

#include "core/section_reader.hpp"

#define ZTRADE_BROKER_ADAPTERS(X) \
  X(sim)                          \
  X(alpaca_paper)

namespace ztrade::brokers {

// One adapter's configuration rules, from its folder's config.cpp.
struct BrokerConfigRules {
  std::string_view adapter;  // execution.broker = "<adapter>"
  // Its table, [execution.<section>]; empty: its keys are [execution]'s own.
  std::string_view section;
  // Reads the adapter's keys into `options` (its Options type). `selected`: execution.broker
  // names this adapter (checks that matter only then apply only then).
  void (*read_options)(core::SectionReader& reader, std::any& options, bool selected);
};

#define ZTRADE_BROKER_RULES_DECLARE(name)      \
  namespace name {                             \
  extern const BrokerConfigRules kConfigRules; \
  }
ZTRADE_BROKER_ADAPTERS(ZTRADE_BROKER_RULES_DECLARE)
#undef ZTRADE_BROKER_RULES_DECLARE

// Every adapter's configuration rules, in registration order (brokers/config_registry.cpp).
std::span<const BrokerConfigRules> broker_config_rules() noexcept;

}  // namespace ztrade::brokers
