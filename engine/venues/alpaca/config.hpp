#pragma once
// Alpaca's own settings of [market_data.alpaca] and its config rules (venues/adapters.hpp).
#include <string>

#include "venues/adapters.hpp"

namespace ztrade::venues::alpaca {

struct Options {
  std::string feed = "iex";  // iex, sip or crypto
  // The environment variables holding the key pair: never in the config, never logged.
  std::string key_id_env = "APCA_API_KEY_ID";
  std::string secret_env = "APCA_API_SECRET_KEY";
};

}  // namespace ztrade::venues::alpaca
