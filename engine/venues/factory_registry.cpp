// The adapters' session factories, gathered from ZTRADE_VENUE_ADAPTERS (venues/adapters.hpp).
#include "venues/adapters.hpp"

namespace ztrade::venues {

SessionFactory session_factory(std::string_view venue) noexcept {
#define ZTRADE_VENUE_FACTORY(name) \
  if (venue == #name) return &name::make_session;
  ZTRADE_VENUE_ADAPTERS(ZTRADE_VENUE_FACTORY)
#undef ZTRADE_VENUE_FACTORY
  return nullptr;
}

}  // namespace ztrade::venues
