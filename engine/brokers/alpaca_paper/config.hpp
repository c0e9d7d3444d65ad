#pragma once
// Alpaca trading's settings, [execution.alpaca] (brokers/adapters.hpp). The key pair is read
// from the environment variables named here - never from the config, never logged.
#include <string>

namespace ztrade::brokers::alpaca_paper {

inline constexpr const char* kPaperTradingUrl = "https://paper-api.alpaca.markets";
inline constexpr const char* kPaperStreamUrl = "wss://paper-api.alpaca.markets/stream";

struct Options {
  std::string trading_url = kPaperTradingUrl;  // REST base
  std::string stream_url = kPaperStreamUrl;    // trade_updates
  // Market data REST (historical bars for `ztrade broker bars`; the engine does not use it).
  std::string data_url = "https://data.alpaca.markets";
  std::string ca_file;  // PEM to trust instead of the system store
  std::string key_id_env = "APCA_API_KEY_ID";
  std::string secret_env = "APCA_API_SECRET_KEY";
  int max_requests_per_min = 200;    // Alpaca's limit per key; the client stays under it
  int request_timeout_ms = 5000;     // one REST request, connection included
  bool allow_live_endpoint = false;  // Alpaca's live API (real money) is refused unless set
  bool adopt_broker_state = false;   // adopt positions/orders the journal cannot explain
  bool extended_hours = false;       // limit day orders may trade outside regular hours
  bool check_market_clock = true;    // market orders outside market hours are rejected
  double settle_timeout_s = 30;      // at the end of data: wait this long for open orders
  bool cancel_at_end = true;         // ... then cancel what is still open
  // A 429's Retry-After is obeyed up to this long; beyond it the request fails with the
  // reason (one answer must not freeze every later order for an hour).
  double max_retry_after_s = 60;
  // A fill priced further than this from the last market price is booked (Alpaca's word is
  // the truth) and flagged: counted, logged, in /status. 0: no check.
  double fill_price_band_pct = 10;
};

// True when `url` is Alpaca's live trading host (real money).
bool is_live_endpoint(const std::string& url);

}  // namespace ztrade::brokers::alpaca_paper
