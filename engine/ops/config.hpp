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

#include "execution/execution_config.hpp"
#include "risk/risk_config.hpp"
#include "venues/common/venue_config.hpp"

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
  // Live venues by adapter name ([market_data.<name>]), one entry per registered adapter
  // (venues/adapters.hpp), enabled or not.
  std::map<std::string, venues::VenueConfig> venues;
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

struct EngineConfig {
  EngineSection engine;
  BusSection bus;
  MarketDataSection market_data;
  SignalBridgeSection signal_bridge;
  risk::RiskConfig risk;  // the domains' own config types (one definition each)
  execution::ExecutionConfig execution;
};

struct ConfigResult {
  EngineConfig config;
  std::vector<std::string> errors;  // "key: problem", in file order; empty when valid
  bool ok() const noexcept { return errors.empty(); }
};

using Environment = std::map<std::string, std::string>;

// One setting, as the reader defines it (engine/ops/config.cpp, the only place a key, its
// bounds and its meaning are written; its default is the struct member's initialiser above).
struct Setting {
  std::string key;         // dotted: "risk.max_order_qty"
  std::string type;        // number, integer, boolean, string, array of ..., table of strings
  std::string value;       // as TOML: the default, or what a given config sets
  std::string constraint;  // "> 0", "0 to 1023", "one of ...", or empty
  std::string doc;
};

// Parses and validates TOML text (source_name labels parse errors). `env` supplies the
// ZTRADE__* overrides (normally from the process environment, see process_environment()).
ConfigResult parse_config(std::string_view toml_text, const Environment& env = {},
                          std::string_view source_name = "config");
// Reads and parses a file; a missing or unreadable file is an error in the result. `text`, if
// given, receives the file's text.
ConfigResult load_config(const std::string& path, const Environment& env = {},
                         std::string* text = nullptr);
// Every setting with its type, bounds and meaning, valued as `toml_text` and `env` set it
// (the defaults for empty text): what docs/configuration.md's reference, `ztrade config` and
// ztrade._core.config_settings() show.
std::vector<Setting> describe_config(std::string_view toml_text = "", const Environment& env = {});
// The ZTRADE__* variables of this process.
Environment process_environment();

// The tcp transport uses bus.tcp_base_port + 0 .. kTcpPortOffsets - 1 (ops/endpoints.hpp).
inline constexpr int kTcpPortOffsets = 7;

// execution's journal: execution.journal, relative to engine.run_dir unless absolute.
std::string journal_path(const EngineConfig& c);

}  // namespace ztrade::ops
