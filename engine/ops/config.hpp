#pragma once
// The engine's one configuration file (TOML, a section per process), validated as a whole at
// start: every problem is reported with its key (`risk.max_order_qty: must be > 0, got -5`),
// unknown keys included, so a typo in a risk limit can never be silently ignored.
//
// Environment overrides: ZTRADE__<section>__<key>=<TOML value>, e.g.
// ZTRADE__risk__max_order_qty=500 or ZTRADE__market_data__venue=synthetic. Nested tables use
// more separators (ZTRADE__market_data__replay__speed=10). Values parse as TOML; anything
// that does not parse is taken as a string. Reference: docs/configuration.md.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ztrade::ops {

struct EngineSection {
  std::string run_dir = "run";           // ipc sockets, journals and pid files live here
  std::string deployment = "processes";  // "processes" (ipc/tcp) or "threads" (inproc)
  std::string log_level = "info";        // trace, debug, info, warn, error
  std::vector<int> cpus;                 // CPU affinity of every engine process; empty: any
};

struct CurveSection {
  bool enabled = false;
  std::string public_key_file;
  std::string secret_key_file;
  std::string server_public_key_file;
  // Optional: Z85 client public keys (one a line, # comments) allowed to connect, besides the
  // engine's own key. Empty: any client that knows the server key may connect.
  std::string authorized_keys_file;
};

struct BusSection {
  std::string transport = "ipc";  // ipc, tcp or inproc
  std::string tcp_host = "127.0.0.1";
  int tcp_base_port = 7100;  // market-data +0, signal-bridge +1, risk +2, execution +3,
                             // signal ingress +4
  int send_hwm = 100000;
  int receive_hwm = 100000;
  CurveSection curve;
};

struct ReplaySection {
  std::string file;             // empty: the bundled sample
  std::string format = "bars";  // bars or trades (CSV), or recorded (market_data.record_file)
  std::string symbol = "SAMPLE";
  double speed = 0.0;  // 0: as fast as possible; 1: recorded pace; N: N times faster
};

struct SyntheticSection {
  std::vector<std::string> symbols{"SYN1"};
  double rate_per_s = 1000.0;  // messages per second, all symbols together
  std::uint64_t seed = 42;
  double start_price = 100.0;
  double volatility = 0.0005;  // per-trade log-return standard deviation
  double duration_s = 10.0;    // 0: run until stopped
  double spread_bps = 0.0;     // > 0: a quote follows every trade (counts towards rate_per_s)
};

// A live venue (market_data.alpaca / .coinbase / .kraken). Endpoints can point anywhere
// (private gateways, the test servers); symbols map the venue's names to the engine's.
struct VenueSection {
  bool enabled = false;
  std::string url;                             // default: the venue's public endpoint
  std::map<std::string, std::string> symbols;  // venue symbol -> engine symbol (1-16 chars)
  std::vector<std::string> channels;           // default: the venue's trade/quote channels
  std::string ca_file;                         // PEM to trust instead of the system store
  double connect_timeout_s = 10;
  double idle_timeout_s = 10;  // no frame: ping; no pong either: reconnect
  int book_depth = 10;         // kraken
  int ohlc_interval_min = 1;   // kraken
  std::string feed;            // coinbase: exchange | advanced_trade; alpaca: iex | sip | crypto
  std::string key_id_env = "APCA_API_KEY_ID";      // alpaca: env var holding the key id
  std::string secret_env = "APCA_API_SECRET_KEY";  // alpaca: env var holding the secret
};

struct MarketDataSection {
  std::uint16_t publisher_id = 1;
  int ops_port = 9101;
  std::string venue = "replay";     // replay, synthetic or live (the enabled venues below)
  double bar_interval_s = 60.0;     // time bars aggregated from trades
  bool start_gate = false;          // wait for "GO" on the control socket before streaming
  bool wait_for_downstream = true;  // false: stream without waiting for the other components
                                    // (market-data alone as a feed handler)
  std::string record_file;          // non-empty: record every published bar/trade/quote here
                                    // (relative paths are under engine.run_dir)
  ReplaySection replay;
  SyntheticSection synthetic;
  VenueSection alpaca, coinbase, kraken;
};

struct SignalBridgeSection {
  std::uint16_t publisher_id = 2;
  int ops_port = 9102;
  int rsi_period = 14, macd_fast = 12, macd_slow = 26, macd_signal = 9, sma_period = 20;
  std::vector<std::string> strategies{"macd_rsi"};  // built-in strategies to run
  double rsi_buy_below = 50.0;      // macd_rsi: buy on a MACD up-cross with RSI below this
  double rsi_sell_above = 50.0;     // ... sell on a down-cross with RSI above this
  double max_signal_age_ms = 5000;  // external signals older than this are rejected
  // With CURVE client authentication (bus.curve.authorized_keys_file): strategy id -> the
  // Z85 public key of the only client that may send signals under it. Empty: no binding.
  std::map<std::string, std::string> strategy_keys;
};

struct RiskSection {
  std::uint16_t publisher_id = 3;
  int ops_port = 9103;
  double order_size = 100;            // quantity for a signal of strength 1
  std::string order_type = "market";  // market or limit
  double limit_offset_bps = 5;
  double max_order_qty = 1000;
  double max_order_notional = 100000;
  double max_position = 2000;  // per symbol, absolute
  double max_gross_exposure = 1000000;
  double price_band_pct = 5;  // reject orders priced further than this from last
  int max_orders_per_s = 50;
  double daily_loss_limit = 10000;  // realised + unrealised; breach halts trading
  double stale_data_ms = 0;         // 0: off (replay); live: e.g. 5000
  std::string control_token_env = "ZTRADE_CONTROL_TOKEN";  // env var holding the kill-switch token
};

struct ExecutionSection {
  std::uint16_t publisher_id = 4;
  int ops_port = 9104;
  std::string broker = "sim";  // sim or alpaca_paper
  double slippage_bps = 1;
  double latency_ms = 0;
  double partial_fill_ratio = 0;  // sim: fraction filled per bar for large orders (0: all)
  std::string journal = "execution.journal";  // relative to engine.run_dir
  std::string alpaca_base_url = "https://paper-api.alpaca.markets";
  bool allow_live_endpoint = false;  // the engine refuses Alpaca's live API unless set
};

struct EngineConfig {
  EngineSection engine;
  BusSection bus;
  MarketDataSection market_data;
  SignalBridgeSection signal_bridge;
  RiskSection risk;
  ExecutionSection execution;
};

struct ConfigResult {
  EngineConfig config;
  std::vector<std::string> errors;  // "key: problem", in file order; empty when valid
  bool ok() const noexcept { return errors.empty(); }
};

using Environment = std::map<std::string, std::string>;

// Parses and validates TOML text (source_name labels parse errors). `env` supplies the
// ZTRADE__* overrides (normally from the process environment, see process_environment()).
ConfigResult parse_config(std::string_view toml_text, const Environment& env = {},
                          std::string_view source_name = "config");
// Reads and parses a file; a missing or unreadable file is an error in the result.
ConfigResult load_config(const std::string& path, const Environment& env = {});
// The ZTRADE__* variables of this process.
Environment process_environment();

// The tcp transport uses bus.tcp_base_port + 0 .. kTcpPortOffsets - 1 (ops/endpoints.hpp).
inline constexpr int kTcpPortOffsets = 7;

// execution's journal: execution.journal, relative to engine.run_dir unless absolute.
std::string journal_path(const EngineConfig& c);

}  // namespace ztrade::ops
