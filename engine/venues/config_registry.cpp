// The adapters' configuration rules, gathered from ZTRADE_VENUE_ADAPTERS (venues/adapters.hpp).
#include "venues/adapters.hpp"

namespace ztrade::venues {

namespace {
#define ZTRADE_VENUE_RULES(name) name::kConfigRules,
const VenueConfigRules kRules[] = {ZTRADE_VENUE_ADAPTERS(ZTRADE_VENUE_RULES)};
#undef ZTRADE_VENUE_RULES
}  // namespace

std::span<const VenueConfigRules> venue_config_rules() noexcept {
  return kRules;
}

}  // namespace ztrade::venues
