#pragma once
// The gateway's settings: the [gateway] section of the engine config (read and documented in
// engine/ops/config.cpp). The gateway serves what the bus carries to dashboards and other
// services; it is off unless enabled.
#include <cstddef>
#include <string>
#include <vector>

namespace ztrade::gateway {

// Market scanner thresholds (gateway/scanner.hpp).
struct ScannerConfig {
  int window_bars = 30;             // gainers/losers and most active: change over this many bars
  int volume_mean_bars = 20;        // unusual volume: against this many bars' mean volume
  double unusual_volume_ratio = 3;  // ... flagged at this multiple of the mean
  int breakout_bars = 20;           // breakouts: above the high / below the low of these bars
  double rsi_overbought = 70, rsi_oversold = 30;
  int top = 10;  // rows per list
};

struct GatewayConfig {
  bool enabled = false;
  int port = 9200;                                 // REST, WebSocket and the dashboard
  std::string bind = "127.0.0.1";                  // loopback unless configured otherwise
  std::string token_env = "ZTRADE_GATEWAY_TOKEN";  // read-only bearer token
  std::string operator_token_env = "ZTRADE_GATEWAY_OPERATOR_TOKEN";  // kill switch, cancel-all
  int ops_port = 9105;
  // The gateway yields to trading: it reads the bus in batches every batch_ms (one wake-up
  // for many messages) and its threads run at this nice level (0-19; higher yields more).
  int batch_ms = 10;
  int nice = 10;
  bool idle_priority = true;  // SCHED_IDLE instead of `nice`: only CPU time trading leaves
  std::vector<int> cpus;      // its threads' CPUs; empty: as engine.cpus
  std::size_t bars_per_symbol = 10'000;  // kept in memory, per symbol
  std::size_t trades_per_symbol = 10'000;
  std::size_t max_symbols = 10'000;       // symbols beyond this are counted and not kept
  std::size_t recent_orders = 1'000;      // finished orders kept besides the open ones
  std::vector<std::string> cors_origins;  // allowed Origin values; empty: none
  // Limits on what a client may cost.
  int max_connections = 256;  // HTTP and WebSocket together; more are refused
  int requests_per_s = 50;    // per client address (token bucket, burst of as many)
  std::size_t max_header_bytes = 8192;
  std::size_t max_body_bytes = 4096;  // operator POSTs are tiny
  std::size_t client_queue = 4096;    // WebSocket messages queued per client before it is dropped
  // TLS: both set serves https/wss only.
  std::string tls_cert, tls_key;
  // History (gateway/history.hpp): SQLite in WAL mode; "" keeps no history.
  std::string history_db = "gateway-history.sqlite";  // relative: under engine.run_dir
  int history_retention_days = 30;      // rows older than this (event time) are deleted
  std::size_t history_queue = 1 << 20;  // rows waiting for the writer; more are dropped, counted
  ScannerConfig scanner;
};

}  // namespace ztrade::gateway
