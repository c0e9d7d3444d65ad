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
#include "gateway/gateway_config.hpp"
#include "market_data/market_data_config.hpp"
#include "ops/run_dir.hpp"
#include "risk/risk_config.hpp"
#include "signals/signal_bridge_config.hpp"
#include "signals/strategy_config.hpp"

namespace ztrade::ops {

struct EngineSection {
  std::string run_dir = "run";           // ipc sockets, journals and pid files live here
  std::string deployment = "processes";  // "processes" (ipc/tcp), "threads" (inproc), "inline"
  std::string log_level = "info";        // trace, debug, info, warn, error
  std::vector<int> cpus;                 // CPU affinity of every engine process; empty: any
  int busy_wait_us = 0;                  // inline: waits this short spin instead of sleeping
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
  int tcp_base_port = 7100;  // market-data +0, signal-bridge +1, risk +2, execution +3, gateway +7,
                             // signal ingress +4
  int send_hwm = 100000;
  int receive_hwm = 100000;
  CurveSection curve;
};

struct EngineConfig {
  EngineSection engine;
  BusSection bus;
  // The components' sections are their domains' own types (one definition each).
  market_data::MarketDataConfig market_data;
  signals::SignalBridgeConfig signal_bridge;
  risk::RiskConfig risk;
  execution::ExecutionConfig execution;
  gateway::GatewayConfig gateway;
  signals::StrategyConfig strategy;
};

// Whether market-data replays in lockstep with the decisions (market_data.lockstep): a replay
// in the processes or threads deployment. (Inline is lockstep by construction: one thread
// takes every message a bar causes through execution before the next bar.) Not for a
// market-data that runs alone (wait_for_downstream = false): nobody would answer.
inline bool lockstep(const EngineConfig& c) {
  return c.market_data.lockstep && c.market_data.venue == "replay" &&
         c.market_data.wait_for_downstream && c.engine.deployment != "inline";
}

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
inline constexpr int kTcpPortOffsets = 8;

// execution's journal: execution.journal under engine.run_dir.
inline std::string journal_path(const EngineConfig& c) {
  return under_run_dir(c.engine.run_dir, c.execution.journal);
}

}  // namespace ztrade::ops
