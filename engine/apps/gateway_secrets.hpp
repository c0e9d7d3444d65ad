#pragma once
// What a host gives the gateway from the whole config: its tokens (from the environment, and
// risk's control token to forward operator commands) and each symbol's venue.
#include <map>
#include <string>

#include "core/secret.hpp"
#include "gateway/gateway_component.hpp"
#include "ops/config.hpp"

namespace ztrade::apps {

inline gateway::GatewaySecrets gateway_secrets(const ops::EngineConfig& c) {
  return {core::secret_from_env(c.gateway.token_env),
          core::secret_from_env(c.gateway.operator_token_env),
          core::secret_from_env(c.risk.control_token_env)};
}

// Symbol -> venue; "*" for every symbol of a replay or synthetic source.
inline std::map<std::string, std::string> symbol_venues(const ops::EngineConfig& c) {
  std::map<std::string, std::string> out;
  if (c.market_data.venue != "live") {
    out["*"] = c.market_data.venue;
    return out;
  }
  for (const auto& [name, venue] : c.market_data.venues) {
    if (!venue.enabled) continue;
    for (const auto& [venue_symbol, symbol] : venue.symbols) out[symbol] = name;
  }
  return out;
}

}  // namespace ztrade::apps
