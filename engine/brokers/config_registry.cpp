// The broker adapters' configuration rules, gathered from ZTRADE_BROKER_ADAPTERS
// (brokers/adapters.hpp).
#include "brokers/adapters.hpp"

namespace ztrade::brokers {

namespace {
#define ZTRADE_BROKER_RULES(name) name::kConfigRules,
const BrokerConfigRules kRules[] = {ZTRADE_BROKER_ADAPTERS(ZTRADE_BROKER_RULES)};
#undef ZTRADE_BROKER_RULES
}  // namespace

std::span<const BrokerConfigRules> broker_config_rules() noexcept {
  return kRules;
}

}  // namespace ztrade::brokers
