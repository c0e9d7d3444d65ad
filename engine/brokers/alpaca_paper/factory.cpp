// Alpaca's broker from execution's config (brokers/brokers.hpp); the key pair comes from the
// environment variables [execution.alpaca] names (set directly or by an env file).
#include <stdexcept>

#include <fmt/format.h>

#include "core/secret.hpp"

#include "brokers/alpaca_paper/alpaca_broker.hpp"
#include "brokers/brokers.hpp"

namespace ztrade::brokers::alpaca_paper {

std::unique_ptr<execution::Broker> make_broker(execution::OrderManager& orders,
                                               const execution::ExecutionConfig& config,
                                               std::shared_ptr<spdlog::logger> log) {
  auto options = config.options<Options>("alpaca_paper");
  AlpacaBroker::Keys keys{core::secret_from_env(options.key_id_env),
                          core::secret_from_env(options.secret_env)};
  if (keys.key_id.empty() || keys.secret.empty()) {
    throw std::runtime_error(
        fmt::format("alpaca: set {} and {} in the environment or an env file (--env-file)",
                    options.key_id_env, options.secret_env));
  }
  // Config validation refuses the live endpoint unless allowed; this holds for a config
  // built any other way too.
  if ((is_live_endpoint(options.trading_url) || is_live_endpoint(options.stream_url)) &&
      !options.allow_live_endpoint) {
    throw std::runtime_error(
        "alpaca: the live endpoint is refused unless execution.alpaca.allow_live_endpoint = true");
  }
  return std::make_unique<AlpacaBroker>(orders, std::move(options), std::move(keys),
                                        std::move(log));
}

}  // namespace ztrade::brokers::alpaca_paper
