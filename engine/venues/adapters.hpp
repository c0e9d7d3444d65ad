#pragma once
// Every live venue adapter, one registration line each. An adapter is one folder,
// engine/venues/<name>/, holding its protocol (parse.*, session.*), its configuration
// (config.hpp/.cpp: its own settings, defaults and checks, in namespace venues::<name>:
// `kConfigRules`) and its factory (factory.cpp: `make_session`). Adding a venue is that
// folder plus its line here; the config reader, the docs' reference and the market-data
// component find it through this list. docs/architecture.md walks through it.
#include <memory>
#include <span>
#include <string_view>

#include "venues/common/market_sink.hpp"
#include "venues/common/symbol_map.hpp"
#include "venues/common/venue_config.hpp"

#define ZTRADE_VENUE_ADAPTERS(X) \
  X(alpaca)                      \
  X(coinbase)                    \
  X(kraken)

namespace spdlog {
class logger;
}

namespace ztrade::venues {

namespace websocket {
class VenueSession;
}

// A venue's session, made by its adapter's factory. `venue_bars` is set when the venue itself
// sends bars (trades are then not aggregated a second time). A factory throws
// std::runtime_error with a clear message when the venue cannot start (missing keys).
struct MadeSession {
  std::unique_ptr<websocket::VenueSession> session;
  bool venue_bars = false;
};
using SessionFactory = MadeSession (*)(const VenueConfig& config, const SymbolMap& symbols,
                                       MarketSink& sink, std::shared_ptr<spdlog::logger> log);

// What each adapter's folder defines (config.cpp, factory.cpp), declared from the list above.
#define ZTRADE_VENUE_DECLARE(name)                                                                \
  namespace name {                                                                                \
  extern const VenueConfigRules kConfigRules;                                                     \
  MadeSession make_session(const VenueConfig& config, const SymbolMap& symbols, MarketSink& sink, \
                           std::shared_ptr<spdlog::logger> log);                                  \
  }
ZTRADE_VENUE_ADAPTERS(ZTRADE_VENUE_DECLARE)
#undef ZTRADE_VENUE_DECLARE

// Every adapter's configuration rules, in registration order (venues/config_registry.cpp).
std::span<const VenueConfigRules> venue_config_rules() noexcept;
// The factory of a registered venue; nullptr for an unknown name (venues/factory_registry.cpp).
[[nodiscard]] SessionFactory session_factory(std::string_view venue) noexcept;

}  // namespace ztrade::venues
