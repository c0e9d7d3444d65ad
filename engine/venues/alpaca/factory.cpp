// Alpaca's session from its config (venues/adapters.hpp); the key pair comes from the
// environment variables the config names.
#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "core/secret.hpp"

#include "venues/alpaca/config.hpp"
#include "venues/alpaca/session.hpp"

namespace ztrade::venues::alpaca {

MadeSession make_session(const VenueConfig& config, const SymbolMap& symbols, MarketSink& sink,
                         std::shared_ptr<spdlog::logger> log) {
  const auto& o = config.get<Options>();
  SessionConfig sc{config.channels, core::secret_from_env(o.key_id_env),
                   core::secret_from_env(o.secret_env)};
  if (sc.key_id.empty() || sc.secret.empty()) {
    throw std::runtime_error(
        fmt::format("alpaca: set {} and {} in the environment or an env file (--env-file)",
                    o.key_id_env, o.secret_env));
  }
  const bool bars =
      std::find(config.channels.begin(), config.channels.end(), "bars") != config.channels.end();
  return {std::make_unique<Session>(symbols, sink, std::move(sc), std::move(log)), bars};
}

}  // namespace ztrade::venues::alpaca
