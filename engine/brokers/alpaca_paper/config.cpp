#include "brokers/alpaca_paper/config.hpp"

#include "brokers/adapters.hpp"

namespace ztrade::brokers::alpaca_paper {

bool is_live_endpoint(const std::string& url) {
  // Live: api.alpaca.markets itself (REST) or its stream; paper hosts are paper-api.*.
  const auto host_start = url.find("://");
  const std::string rest = host_start == std::string::npos ? url : url.substr(host_start + 3);
  const std::string host = rest.substr(0, rest.find_first_of(":/"));
  return host == "api.alpaca.markets";
}

namespace {
void read_options(core::SectionReader& r, std::any& options, bool selected) {
  Options o;
  r.read("trading_url", o.trading_url,
         "Alpaca trading REST base (https://); paper by default. Point it at a test server");
  r.read("stream_url", o.stream_url, "the trade_updates stream (wss://); paper by default");
  r.read("data_url", o.data_url,
         "Alpaca market data REST (https://): historical bars for `ztrade broker bars` and "
         "ztrade.broker.Alpaca.bars (the engine itself does not use it)");
  r.read("ca_file", o.ca_file, "PEM bundle to trust instead of the system store (tests)");
  r.read("key_id_env", o.key_id_env,
         "the environment variable holding the key id (never in the config, never logged)");
  r.read("secret_env", o.secret_env,
         "the environment variable holding the secret (never in the config, never logged)");
  r.read_int("max_requests_per_min", o.max_requests_per_min, 1, 10000,
             "client-side rate limit; Alpaca allows 200 per minute per key");
  r.read_int("request_timeout_ms", o.request_timeout_ms, 100, 120000,
             "one REST request, connecting included; an order POST that times out is looked "
             "up by its client_order_id before anything is sent again");
  r.read("allow_live_endpoint", o.allow_live_endpoint,
         "Alpaca's live API (real money) is refused unless true");
  r.read("adopt_broker_state", o.adopt_broker_state,
         "at start, adopt positions and orders at Alpaca that the journal cannot explain; "
         "false: report them and start REDUCING (no new exposure)");
  r.read("extended_hours", o.extended_hours,
         "limit day orders may trade in extended hours (market orders never do)");
  r.read("check_market_clock", o.check_market_clock,
         "reject market orders outside market hours (GET /v2/clock) before sending them");
  r.read("settle_timeout_s", o.settle_timeout_s, 0, 3600,
         "when market data ends: how long to wait for open orders to become final");
  r.read("cancel_at_end", o.cancel_at_end,
         "when market data ends: cancel the orders still open after settle_timeout_s");
  r.read("max_retry_after_s", o.max_retry_after_s, 0, 3600,
         "a 429's Retry-After is waited out up to this long; a longer one fails the request "
         "with its reason instead of holding every later request (cancels never wait: they "
         "have a connection of their own)");
  r.read("fill_price_band_pct", o.fill_price_band_pct, 0, 1000,
         "a fill further than this from the last market price is booked and flagged "
         "(ztrade_broker_fills_off_market_total, /status); 0: no check");
  for (const auto& [key, url] :
       {std::pair<const char*, const std::string&>{"trading_url", o.trading_url},
        {"stream_url", o.stream_url}}) {
    if (is_live_endpoint(url) && !o.allow_live_endpoint) {
      r.error(key,
              "is Alpaca's live endpoint; set execution.alpaca.allow_live_endpoint = true to "
              "trade real money");
    }
  }
  if (selected && (o.key_id_env.empty() || o.secret_env.empty())) {
    r.error("key_id_env", "the key pair's environment variable names must not be empty");
  }
  options = o;
}
}  // namespace

const BrokerConfigRules kConfigRules{"alpaca_paper", "alpaca", read_options};

}  // namespace ztrade::brokers::alpaca_paper
