#include "ops/config.hpp"

#include <toml++/toml.h>
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <set>
#include <span>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "brokers/adapters.hpp"
#include "execution/journal.hpp"
#include "risk/trading_day.hpp"
#include "signals/macd_rsi_strategy.hpp"
#include "signals/signal_validator.hpp"
#include "venues/adapters.hpp"

extern char** environ;

namespace ztrade::ops {
namespace {

// Reads one table's keys into typed fields, recording every problem with its dotted key and
// which keys were consumed, so leftovers can be reported as unknown. Each read also names the
// setting's meaning and bounds: with a Settings list attached, every setting is recorded there
// with its type, value (the default when the key is absent), bounds and doc line - the one
// definition the reference in docs/configuration.md, `ztrade config` and Python are built
// from (describe_config()).
class TableReader {
 public:
  TableReader(const toml::table* table, std::string prefix, std::vector<std::string>& errors,
              std::vector<Setting>* settings)
      : table_(table), prefix_(std::move(prefix)), errors_(errors), settings_(settings) {}

  // A bound on a number: `check` gives "" when fine, else the problem; `text` describes it.
  struct Rule {
    std::function<std::string(double)> check;
    std::string_view text;
  };

  // The nested table `key`, read by its own reader (a missing table reads as empty).
  TableReader child(std::string_view key) {
    return TableReader(subtable(key), key_path(key), errors_, settings_);
  }

  void read(std::string_view key, double& out, std::string_view doc, const Rule& rule = {}) {
    if (const toml::node* n = find(key)) {
      if (auto v = n->value<double>()) {  // integers convert too
        if (!std::isfinite(*v)) {
          error(key, "must be a finite number");
        } else if (auto problem = rule.check ? rule.check(*v) : std::string(); !problem.empty()) {
          error(key, problem, *v);
        } else {
          out = *v;
        }
      } else {
        error(key, fmt::format("expected a number, got {}", type_name(*n)));
      }
    }
    record(key, "number", fmt::format("{}", out), rule.text, doc);
  }
  template <class Int>
  void read_int(std::string_view key, Int& out, long long lo, long long hi, std::string_view doc) {
    if (const toml::node* n = find(key)) {
      if (!n->is_integer()) {
        error(key, fmt::format("expected an integer, got {}", type_name(*n)));
      } else if (const long long v = n->as_integer()->get(); v < lo || v > hi) {
        error(key, fmt::format("must be in [{}, {}], got {}", lo, hi, v));
      } else {
        out = static_cast<Int>(v);
      }
    }
    record(key, "integer", fmt::format("{}", out), fmt::format("{} to {}", lo, hi), doc);
  }
  void read(std::string_view key, bool& out, std::string_view doc) {
    if (const toml::node* n = find(key)) {
      if (!n->is_boolean()) {
        error(key, fmt::format("expected true or false, got {}", type_name(*n)));
      } else {
        out = n->as_boolean()->get();
      }
    }
    record(key, "boolean", out ? "true" : "false", "", doc);
  }
  void read(std::string_view key, std::string& out, std::string_view doc,
            std::initializer_list<std::string_view> allowed = {}) {
    read(key, out, doc, std::span<const std::string_view>(allowed.begin(), allowed.size()));
  }
  void read(std::string_view key, std::string& out, std::string_view doc,
            std::span<const std::string_view> allowed) {
    const std::string list = fmt::format("{}", fmt::join(allowed, ", "));
    if (const toml::node* n = find(key)) {
      if (!n->is_string()) {
        error(key, fmt::format("expected a string, got {}", type_name(*n)));
      } else if (std::string v = n->as_string()->get();
                 allowed.size() > 0 &&
                 std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
        error(key, fmt::format("must be one of {}, got \"{}\"", list, v));
      } else {
        out = std::move(v);
      }
    }
    record(key, "string", fmt::format("\"{}\"", out),
           allowed.size() > 0 ? fmt::format("one of {}", list) : std::string(), doc);
  }
  void read_ints(std::string_view key, std::vector<int>& out, long long lo, long long hi,
                 std::string_view doc) {
    if (const toml::node* n = find(key)) read_int_array(key, *n, out, lo, hi);
    record(key, "array of integers", fmt::format("[{}]", fmt::join(out, ", ")),
           fmt::format("each {} to {}", lo, hi), doc);
  }
  // A table of strings to strings (e.g. symbols = { "BTC/USD" = "BTCUSD" }).
  void read(std::string_view key, std::map<std::string, std::string>& out, std::string_view doc) {
    if (const toml::node* n = find(key)) {
      const toml::table* t = n->as_table();
      std::map<std::string, std::string> v;
      bool ok = t != nullptr;
      if (!t) error(key, fmt::format("expected a table of strings, got {}", type_name(*n)));
      for (auto it = t ? t->begin() : toml::table::const_iterator{}; ok && it != t->end(); ++it) {
        if (!it->second.is_string()) {
          error(key, fmt::format("{}: expected a string", it->first.str()));
          ok = false;
        } else {
          v.emplace(std::string(it->first.str()), it->second.as_string()->get());
        }
      }
      if (ok) out = std::move(v);
    }
    std::string shown;
    for (const auto& [k, v] : out)
      shown += fmt::format("{}\"{}\" = \"{}\"", shown.empty() ? "" : ", ", k, v);
    record(key, "table of strings",
           shown.empty() ? std::string("{}") : fmt::format("{{ {} }}", shown), "", doc);
  }
  void read(std::string_view key, std::vector<std::string>& out, bool non_empty,
            std::string_view doc) {
    if (const toml::node* n = find(key)) {
      const toml::array* a = n->as_array();
      std::vector<std::string> v;
      bool ok = a != nullptr;
      if (!a) error(key, fmt::format("expected an array of strings, got {}", type_name(*n)));
      for (std::size_t i = 0; ok && i < a->size(); ++i) {
        if (!(*a)[i].is_string()) {
          error(key, "expected an array of strings");
          ok = false;
        } else {
          v.push_back((*a)[i].as_string()->get());
        }
      }
      if (ok && non_empty && v.empty()) {
        error(key, "must not be empty");
        ok = false;
      }
      if (ok) out = std::move(v);
    }
    std::string shown;
    for (const auto& x : out) shown += fmt::format("{}\"{}\"", shown.empty() ? "" : ", ", x);
    record(key, "array of strings", fmt::format("[{}]", shown), non_empty ? "not empty" : "", doc);
  }
  // A nested table: returns nullptr (and records an error) if the key holds something else.
  const toml::table* subtable(std::string_view key) {
    const toml::node* n = find(key);
    if (!n) return nullptr;
    if (!n->is_table()) {
      error(key, fmt::format("expected a table, got {}", type_name(*n)));
      return nullptr;
    }
    return n->as_table();
  }
  void report_unknown() {
    if (!table_) return;
    for (const auto& [k, v] : *table_) {
      if (!seen_.count(std::string(k.str()))) error(k.str(), "unknown key");
    }
  }
  std::string key_path(std::string_view key) const {
    return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
  }
  void error(std::string_view key, std::string_view problem) {
    errors_.push_back(fmt::format("{}: {}", key_path(key), problem));
  }
  void error(std::string_view key, std::string_view problem, double value) {
    errors_.push_back(fmt::format("{}: {}, got {}", key_path(key), problem, value));
  }

 private:
  const toml::node* find(std::string_view key) {
    seen_.insert(std::string(key));
    return table_ ? table_->get(key) : nullptr;
  }
  void read_int_array(std::string_view key, const toml::node& n, std::vector<int>& out,
                      long long lo, long long hi) {
    const toml::array* a = n.as_array();
    if (!a) return error(key, fmt::format("expected an array of integers, got {}", type_name(n)));
    std::vector<int> v;
    for (const auto& item : *a) {
      if (!item.is_integer()) return error(key, "expected an array of integers");
      const long long x = item.as_integer()->get();
      if (x < lo || x > hi)
        return error(key, fmt::format("each must be in [{}, {}], got {}", lo, hi, x));
      v.push_back(static_cast<int>(x));
    }
    out = std::move(v);
  }
  void record(std::string_view key, std::string_view type, std::string value,
              std::string_view constraint, std::string_view doc) {
    if (!settings_) return;
    settings_->push_back({key_path(key), std::string(type), std::move(value),
                          std::string(constraint), std::string(doc)});
  }
  static std::string type_name(const toml::node& n) {
    switch (n.type()) {
      case toml::node_type::string:
        return "a string";
      case toml::node_type::integer:
        return "an integer";
      case toml::node_type::floating_point:
        return "a number";
      case toml::node_type::boolean:
        return "a boolean";
      case toml::node_type::array:
        return "an array";
      case toml::node_type::table:
        return "a table";
      default:
        return "a date/time";
    }
  }

  const toml::table* table_;
  std::string prefix_;
  std::vector<std::string>& errors_;
  std::vector<Setting>* settings_;
  std::set<std::string> seen_;
};

TableReader::Rule positive() {
  return {[](double v) { return v > 0 ? std::string() : std::string("must be > 0"); }, "> 0"};
}
TableReader::Rule non_negative() {
  return {[](double v) { return v >= 0 ? std::string() : std::string("must be >= 0"); }, ">= 0"};
}
TableReader::Rule between(double lo, double hi, std::string_view text) {
  return {[lo, hi](double v) {
            return v >= lo && v <= hi ? std::string() : fmt::format("must be in [{}, {}]", lo, hi);
          },
          text};
}

constexpr long long kMaxPort = 65535;

void read_engine(TableReader& r, EngineSection& s) {
  r.read("run_dir", s.run_dir, "directory of the ipc sockets, journals, state and logs");
  r.read("deployment", s.deployment,
         "processes: one process per component (ipc/tcp); threads: one process, a thread per "
         "component (inproc); inline: one process, every component on one thread with direct "
         "dispatch (lowest latency)",
         {"processes", "threads", "inline"});
  r.read("log_level", s.log_level, "log level of every component",
         {"trace", "debug", "info", "warn", "error"});
  r.read_ints("cpus", s.cpus, 0, 1023,
              "CPU affinity of every engine process (threads inherit it), e.g. [1]; empty: any "
              "CPU. A CPU the process may not use stops it at start (see performance.md)");
  r.read_int("busy_wait_us", s.busy_wait_us, 0, 1'000'000,
             "inline deployment: a wait for the next event shorter than this many microseconds "
             "spins instead of sleeping - the lowest latency, for a core at 100% (pair it with "
             "cpus); 0: always sleep");
}

void read_bus(TableReader& r, BusSection& s) {
  r.read("transport", s.transport, "how the components talk", {"ipc", "tcp", "inproc"});
  r.read("tcp_host", s.tcp_host, "tcp transport: the address every socket binds");
  r.read_int("tcp_base_port", s.tcp_base_port, 1, kMaxPort - (kTcpPortOffsets - 1),
             "tcp transport: market-data +0, signal-bridge +1, risk +2, execution +3, signal "
             "ingress +4, risk control +5, market-data control +6, gateway +7 (wire-format.md)");
  r.read_int("send_hwm", s.send_hwm, 0, std::numeric_limits<int>::max(),
             "ZeroMQ send high-water mark, in messages");
  r.read_int("receive_hwm", s.receive_hwm, 0, std::numeric_limits<int>::max(),
             "ZeroMQ receive high-water mark, in messages");
  TableReader c = r.child("curve");
  c.read("enabled", s.curve.enabled,
         "CURVE encryption and authentication; needs the three key files below");
  c.read("public_key_file", s.curve.public_key_file, "this process's Z85 public key file");
  c.read("secret_key_file", s.curve.secret_key_file, "this process's Z85 secret key file");
  c.read("server_public_key_file", s.curve.server_public_key_file,
         "the servers' (the engine's) Z85 public key file");
  c.read("authorized_keys_file", s.curve.authorized_keys_file,
         "client public keys (Z85, one a line, # comments) allowed to connect besides the "
         "engine's own; empty: any client holding the server key. Refusals are logged with the "
         "client's key");
  c.report_unknown();
  if (s.curve.enabled && (s.curve.public_key_file.empty() || s.curve.secret_key_file.empty() ||
                          s.curve.server_public_key_file.empty())) {
    r.error("curve", "enabled needs public_key_file, secret_key_file and server_public_key_file");
  }
}

// Text that goes into venue requests verbatim: no quotes, backslashes or control characters.
bool plain_text(std::string_view s) {
  return !s.empty() && std::none_of(s.begin(), s.end(), [](char c) {
    return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
  });
}

// The engine's config reader as an adapter (venue or broker) sees it (core/section_reader.hpp).
class AdapterReader final : public core::SectionReader {
 public:
  explicit AdapterReader(TableReader& r) : r_(r) {}
  void read(std::string_view key, std::string& out, std::string_view doc,
            std::initializer_list<std::string_view> allowed) override {
    r_.read(key, out, doc, allowed);
  }
  void read(std::string_view key, bool& out, std::string_view doc) override {
    r_.read(key, out, doc);
  }
  void read(std::string_view key, double& out, double lo, double hi,
            std::string_view doc) override {
    r_.read(key, out, doc, between(lo, hi, fmt::format("{} to {}", lo, hi)));
  }
  void read_int(std::string_view key, int& out, long long lo, long long hi,
                std::string_view doc) override {
    r_.read_int(key, out, lo, hi, doc);
  }
  void error(std::string_view key, std::string_view problem) override { r_.error(key, problem); }

 private:
  TableReader& r_;
};

// [market_data.<venue>]: the keys every venue has, then the adapter's own (its config.cpp).
void read_venue(TableReader& parent, const venues::VenueConfigRules& rules,
                venues::VenueConfig& s) {
  TableReader v = parent.child(rules.name);
  v.read("enabled", s.enabled, "connect this venue when market_data.venue = \"live\"");
  v.read("url", s.url,
         "wss:// only (TLS is required); empty: the venue's public endpoint. Point it at a "
         "private gateway or a test server");
  v.read("symbols", s.symbols,
         "venue symbol to engine symbol, e.g. { \"BTC/USD\" = \"BTCUSD\" } (engine symbols 1 "
         "to 16 characters)");
  v.read("channels", s.channels, false,
         "what to subscribe for every symbol; empty: the venue's defaults (see Live venues)");
  v.read("ca_file", s.ca_file, "PEM bundle to trust instead of the system CA store");
  v.read("connect_timeout_s", s.connect_timeout_s, "TCP + TLS + WebSocket upgrade", positive());
  v.read("idle_timeout_s", s.idle_timeout_s,
         "no frame for this long: a ping; no answer within as long again: the connection is "
         "stale and is re-established",
         positive());
  AdapterReader adapter(v);
  rules.read_options(adapter, s);
  v.report_unknown();
  if (s.url.empty()) s.url = rules.default_url(s);
  if (s.url.rfind("wss://", 0) != 0) {
    v.error("url", fmt::format("must be a wss:// address (TLS is required), got \"{}\"", s.url));
  }
  if (s.channels.empty()) s.channels = rules.default_channels(s);
  const auto allowed = rules.allowed_channels(s);
  for (const auto& c : s.channels) {
    if (std::find(allowed.begin(), allowed.end(), c) == allowed.end()) {
      v.error("channels",
              fmt::format("unknown channel \"{}\" (known: {})", c, fmt::join(allowed, ", ")));
    }
  }
  if (s.enabled && s.symbols.empty()) v.error("symbols", "an enabled venue needs symbols");
  for (const auto& [venue_symbol, engine_symbol] : s.symbols) {
    if (!plain_text(venue_symbol) || !plain_text(engine_symbol) || engine_symbol.size() > 16) {
      v.error("symbols", fmt::format("\"{}\" = \"{}\": symbols must be plain text, the engine's "
                                     "1 to 16 characters",
                                     venue_symbol, engine_symbol));
    }
  }
}

constexpr const char* kPublisherIdDoc = "bus publisher id, distinct per process";
constexpr const char* kOpsPortDoc =
    "HTTP ops endpoint (/health, /ready, /metrics, /status); 0: off";

void read_market_data(TableReader& r, market_data::MarketDataConfig& s) {
  r.read_int("publisher_id", s.publisher_id, 0, 1023, kPublisherIdDoc);
  r.read_int("ops_port", s.ops_port, 0, kMaxPort, kOpsPortDoc);
  r.read("venue", s.venue, "replay, synthetic, or live (the venues enabled below)",
         {"replay", "synthetic", "live"});
  r.read("bar_interval_s", s.bar_interval_s, "length of the time bars aggregated from trades",
         positive());
  r.read("start_gate", s.start_gate,
         "wait for GO on the market-data control socket before streaming (the launcher uses it "
         "so its tap sees the first bar)");
  r.read("wait_for_downstream", s.wait_for_downstream,
         "false: stream at once, without waiting for signal-bridge, risk and execution "
         "(market-data alone as a feed handler)");
  r.read("record_file", s.record_file,
         "record every published bar, trade and quote (wire frames with topics, see "
         "wire-format.md) to this file; relative to engine.run_dir; empty: off");
  r.read("lockstep", s.lockstep,
         "a replay publishes each batch of bars only once every order the last one caused - "
         "the built-in strategies' and the declared external ones' (strategy.names) - has "
         "reached execution: fills are then those of a backtest of the same bars, whatever "
         "the replay speed or a strategy's speed. false: full speed, and an order that arrives "
         "late meets later prices");
  r.read("lockstep_timeout_s", s.lockstep_timeout_s,
         "lockstep: the longest a batch waits for the last one's orders (then it goes on, "
         "counted in ztrade_lockstep_timeouts_total)",
         positive());
  r.read_int("warmup_bars", s.warmup_bars, 0, 100000,
             "recent closed bars kept per symbol, sent to a strategy that attaches to a running "
             "session (its warm-up)");
  TableReader rp = r.child("replay");
  rp.read("file", s.replay.file,
          "CSV or recording to replay; empty: the bundled sample (required for recorded)");
  rp.read("format", s.replay.format,
          "bars or trades (CSV), or recorded (a record_file of an earlier session, re-published "
          "as recorded)",
          {"bars", "trades", "recorded"});
  rp.read("symbol", s.replay.symbol, "symbol for a file without a symbol column");
  rp.read("speed", s.replay.speed, "0: as fast as possible; 1: recorded pace; N: N times faster",
          non_negative());
  if (s.venue == "replay" && s.replay.format == "recorded" && s.replay.file.empty()) {
    rp.error("file", "format \"recorded\" needs the recording's path");
  }
  rp.report_unknown();
  TableReader sy = r.child("synthetic");
  sy.read("symbols", s.synthetic.symbols, true, "symbols of the random walk, 1 to 16 characters");
  sy.read("rate_per_s", s.synthetic.rate_per_s, "messages per second, all symbols together",
          positive());
  sy.read_int("seed", s.synthetic.seed, 0, std::numeric_limits<long long>::max(),
              "random seed: the same seed, the same feed");
  sy.read("start_price", s.synthetic.start_price, "first price of every symbol", positive());
  sy.read("volatility", s.synthetic.volatility, "standard deviation of each trade's log return",
          non_negative());
  sy.read("duration_s", s.synthetic.duration_s, "how long to run; 0: until stopped",
          non_negative());
  sy.read("spread_bps", s.synthetic.spread_bps,
          "> 0: a quote (bid and ask this many bps apart around the last trade) follows every "
          "trade; quotes count towards rate_per_s",
          non_negative());
  sy.report_unknown();
  bool any_enabled = false;
  for (const auto& rules : venues::venue_config_rules()) {
    auto& venue = s.venues[std::string(rules.name)];
    read_venue(r, rules, venue);
    any_enabled = any_enabled || venue.enabled;
  }
  if (s.venue == "live" && !any_enabled) {
    std::string names;
    for (const auto& rules : venues::venue_config_rules()) {
      names += fmt::format("{}market_data.{}", names.empty() ? "" : ", ", rules.name);
    }
    r.error("venue", fmt::format("\"live\" needs at least one of {} with enabled = true", names));
  }
  for (const auto& sym : s.synthetic.symbols) {
    if (sym.empty() || sym.size() > 16) {
      sy.error("symbols", fmt::format("\"{}\" must be 1 to 16 characters", sym));
    }
  }
}

void read_signal_bridge(TableReader& r, signals::SignalBridgeConfig& s) {
  r.read_int("publisher_id", s.publisher_id, 0, 1023, kPublisherIdDoc);
  r.read_int("ops_port", s.ops_port, 0, kMaxPort, kOpsPortDoc);
  r.read_int("rsi_period", s.rsi_period, 1, 100000, "FeatureComputer: RSI period");
  r.read_int("macd_fast", s.macd_fast, 1, 100000, "FeatureComputer: MACD fast EMA (< macd_slow)");
  r.read_int("macd_slow", s.macd_slow, 2, 100000, "FeatureComputer: MACD slow EMA");
  r.read_int("macd_signal", s.macd_signal, 1, 100000, "FeatureComputer: MACD signal EMA");
  r.read_int("sma_period", s.sma_period, 1, 100000, "FeatureComputer: SMA period");
  if (s.macd_fast >= s.macd_slow) {
    r.error("macd_fast", fmt::format("must be < macd_slow ({}), got {}", s.macd_slow, s.macd_fast));
  }
  r.read("strategies", s.strategies, false, "built-in strategies to run (known: macd_rsi)");
  for (const auto& name : s.strategies) {
    if (name != "macd_rsi")
      r.error("strategies", fmt::format("unknown strategy \"{}\" (known: macd_rsi)", name));
  }
  r.read("rsi_buy_below", s.rsi_buy_below, "macd_rsi: buy on a MACD up-cross with RSI below this",
         between(0, 100, "0 to 100"));
  r.read("rsi_sell_above", s.rsi_sell_above,
         "macd_rsi: sell on a MACD down-cross with RSI above this", between(0, 100, "0 to 100"));
  r.read("max_signal_age_ms", s.max_signal_age_ms,
         "external signals older than this are rejected (stale)", positive());
  r.read("strategy_keys", s.strategy_keys,
         "with CURVE client authentication (bus.curve.enabled and "
         "bus.curve.authorized_keys_file): strategy id to the Z85 public key of the one client "
         "that may send signals under it; any other id or key is refused "
         "(unauthorized_strategy). Empty: any authenticated client may use any id but the "
         "built-in ones");
  for (const auto& [strategy, key] : s.strategy_keys) {
    if (key.size() != 40) {
      r.error("strategy_keys", fmt::format("{}: expected a 40-character Z85 public key", strategy));
    }
  }
}

void read_gateway(TableReader& r, gateway::GatewayConfig& s) {
  using gateway::ScannerConfig;
  r.read("enabled", s.enabled, "run the gateway (REST API, WebSocket push, dashboard)");
  r.read_int("port", s.port, 1, kMaxPort, "gateway: HTTP and WebSocket port");
  r.read("bind", s.bind, "gateway: address it listens on (loopback unless set otherwise)");
  r.read("token_env", s.token_env,
         "gateway: environment variable holding the read-only bearer token (required)");
  r.read("operator_token_env", s.operator_token_env,
         "gateway: environment variable holding the operator token (kill switch, cancel-all)");
  r.read_int("ops_port", s.ops_port, 0, kMaxPort, kOpsPortDoc);
  r.read_int("bars_per_symbol", s.bars_per_symbol, 1, 10'000'000,
             "gateway: closed bars kept in memory per symbol");
  r.read_int("trades_per_symbol", s.trades_per_symbol, 0, 10'000'000,
             "gateway: trades kept in memory per symbol");
  r.read_int("max_symbols", s.max_symbols, 1, 1'000'000,
             "gateway: symbols kept; more are counted and not kept");
  r.read_int("recent_orders", s.recent_orders, 0, 1'000'000,
             "gateway: finished orders kept besides the open ones");
  r.read("cors_origins", s.cors_origins, false,
         "gateway: Origin values allowed to call the API from a browser; empty: none");
  r.read_int("batch_ms", s.batch_ms, 1, 1000,
             "gateway: reads the bus every this many milliseconds, in one batch (one wake-up "
             "for many messages keeps it off the trading path's CPUs)");
  r.read_int("nice", s.nice, 0, 19,
             "gateway: nice level of its threads when idle_priority is false");
  r.read("idle_priority", s.idle_priority,
         "gateway: its threads run under SCHED_IDLE - only on CPU time nothing else wants, "
         "never preempting a trading thread (under load it falls behind, and counts what it "
         "missed, rather than slow trading); false: at `nice`");
  r.read_ints("cpus", s.cpus, 0, 1023,
              "gateway: CPUs its threads run on (e.g. [0] with engine.cpus = [1]: trading and "
              "the gateway on separate CPUs); empty: as engine.cpus");
  r.read_int("max_connections", s.max_connections, 1, 100'000,
             "gateway: HTTP and WebSocket connections at once; more are refused");
  r.read_int("requests_per_s", s.requests_per_s, 1, 1'000'000,
             "gateway: requests per second per client address (a burst of as many); more get 429");
  r.read_int("max_header_bytes", s.max_header_bytes, 512, 1 << 20,
             "gateway: largest request header; larger gets 431");
  r.read_int("max_body_bytes", s.max_body_bytes, 0, 1 << 20,
             "gateway: largest request body; larger gets 413");
  r.read_int("client_queue", s.client_queue, 16, 1 << 20,
             "gateway: WebSocket messages queued per client; a client that falls this far behind "
             "is disconnected (close code 1008, \"slow client\")");
  r.read("tls_cert", s.tls_cert,
         "gateway: PEM certificate chain; with tls_key, serves https/wss only");
  r.read("tls_key", s.tls_key, "gateway: PEM private key for tls_cert");
  if (s.tls_cert.empty() != s.tls_key.empty()) {
    r.error("tls_cert", "tls_cert and tls_key are set together or not at all");
  }
  r.read("history_db", s.history_db,
         "gateway: SQLite file (WAL mode) keeping bars and trades across restarts, relative to "
         "engine.run_dir; \"\" keeps no history");
  r.read_int("history_retention_days", s.history_retention_days, 1, 36'500,
             "gateway: history older than this (event time) is deleted");
  r.read_int("history_queue", s.history_queue, 1024, 1 << 26,
             "gateway: rows waiting for the history writer; beyond this they are dropped and "
             "counted, never blocking the bus");
  TableReader sc = r.child("scanner");
  ScannerConfig& k = s.scanner;
  sc.read_int("window_bars", k.window_bars, 1, 100'000,
              "scanner: gainers, losers and most active over this many bars");
  sc.read_int("volume_mean_bars", k.volume_mean_bars, 2, 100'000,
              "scanner: unusual volume is a bar's volume against the mean of this many");
  sc.read("unusual_volume_ratio", k.unusual_volume_ratio,
          "scanner: unusual volume at this multiple of the mean", positive());
  sc.read_int("breakout_bars", k.breakout_bars, 2, 100'000,
              "scanner: a close above the high (below the low) of this many earlier bars");
  sc.read("rsi_overbought", k.rsi_overbought, "scanner: RSI at or above: overbought", positive());
  sc.read("rsi_oversold", k.rsi_oversold, "scanner: RSI at or below: oversold", positive());
  sc.read_int("top", k.top, 1, 1000, "scanner: rows per list");
}

void read_risk(TableReader& r, risk::RiskConfig& s) {
  r.read_int("publisher_id", s.publisher_id, 0, 1023, kPublisherIdDoc);
  r.read_int("ops_port", s.ops_port, 0, kMaxPort, kOpsPortDoc);
  r.read("order_size", s.order_size, "order quantity for a signal of strength 1", positive());
  r.read("allow_short", s.allow_short,
         "false: a negative strength means flat (no short positions are opened)");
  r.read("order_type", s.order_type, "the orders risk sends", {"market", "limit"});
  r.read("limit_offset_bps", s.limit_offset_bps,
         "limit orders: priced this far through the last price", non_negative());
  r.read("max_order_qty", s.max_order_qty, "largest quantity of one order", positive());
  r.read("max_order_notional", s.max_order_notional, "largest value of one order", positive());
  r.read("max_position", s.max_position, "largest position per symbol, absolute quantity",
         positive());
  r.read("max_gross_exposure", s.max_gross_exposure,
         "largest sum of absolute position values (positions and pending orders)", positive());
  r.read("price_band_pct", s.price_band_pct,
         "fat-finger band: orders priced further than this from the last price are refused",
         positive());
  r.read_int("max_orders_per_s", s.max_orders_per_s, 1, 1000000,
             "order rate limit, per second of market time");
  r.read("daily_loss_limit", s.daily_loss_limit,
         "realised + unrealised loss that halts trading, reckoned in event time: the fills "
         "made by the signal's market time, marked to that time's prices (the same decision at "
         "any replay speed)",
         positive());
  r.read("day_boundary", s.day_boundary,
         "when the trading day starts, in market time: \"<time zone> HH:MM\" (an IANA zone, "
         "e.g. \"America/New_York 17:00\"). The daily loss counts from there, and a halt it "
         "caused ends there");
  if (std::string why; !risk::TradingDay::parse(s.day_boundary, &why)) {
    r.error("day_boundary", why);
  }
  r.read("stale_data_ms", s.stale_data_ms,
         "refuse orders when the symbol's market data is older than this; 0: off (replay)",
         non_negative());
  r.read("control_token_env", s.control_token_env,
         "the environment variable holding the kill-switch token");
}

void read_strategy(TableReader& r, signals::StrategyConfig& s) {
  r.read("names", s.names, false,
         "the external strategies this session runs (their names; ztrade run --strategy sets "
         "it): signal-bridge is ready once each has connected, and a replay runs in lockstep "
         "with them");
  for (const auto& name : s.names) {
    wire::SignalMsg probe{};
    probe.strategy.assign_truncated(name);
    if (name.empty() || name.size() > wire::kStrategySize ||
        signals::validate(probe, true, 0, 1e300) == signals::SignalProblem::kBadStrategyId) {
      r.error("names", fmt::format("\"{}\": a strategy name is 1-{} ASCII letters, digits, '_', "
                                   "'-' or '.'",
                                   name, wire::kStrategySize));
    } else if (name == signals::MacdRsiStrategy::kName) {
      r.error("names", "\"macd_rsi\" is the built-in strategy (signal_bridge.strategies)");
    }
  }
  r.read("on_error", s.on_error,
         "a strategy hook raised an exception: stop (that strategy stops; the engine trades "
         "on) or halt (the kill switch: trading halts)",
         {"stop", "halt"});
  r.read_int("max_lag_bars", s.max_lag_bars, 0, 1000000,
             "a live strategy this many bars of a symbol behind skips to the newest (counted, "
             "warned); 0: never skips");
  r.read("timeout_s", s.timeout_s,
         "a declared strategy not heard from for this long is left out of the lockstep (and "
         "the start), with a warning",
         positive());
}

void read_execution(TableReader& r, execution::ExecutionConfig& s) {
  r.read_int("publisher_id", s.publisher_id, 0, 1023, kPublisherIdDoc);
  r.read_int("ops_port", s.ops_port, 0, kMaxPort, kOpsPortDoc);
  std::vector<std::string_view> adapters;
  for (const auto& rules : brokers::broker_config_rules()) adapters.push_back(rules.adapter);
  r.read("broker", s.broker,
         "sim: the simulated broker; alpaca_paper: Alpaca's trading API ([execution.alpaca])",
         adapters);
  r.read("journal", s.journal, "append-only order and fill journal, relative to engine.run_dir");
  std::vector<std::string_view> sync_modes;
  for (const auto& [name, _] : execution::kJournalSyncNames) sync_modes.push_back(name);
  r.read("journal_sync", s.journal_sync,
         "when the journal is fdatasync()ed: off (survives a process crash, not a power loss), "
         "batch (once per batch of handled messages: a power loss loses at most the last "
         "batch), record (before each record is published: nothing published is lost). "
         "Measured cost: docs/operations.md",
         sync_modes);
  // Each broker adapter's own keys: [execution] itself or its [execution.<section>].
  for (const auto& rules : brokers::broker_config_rules()) {
    std::any options;
    if (rules.section.empty()) {
      AdapterReader reader(r);
      rules.read_options(reader, options, s.broker == rules.adapter);
    } else {
      TableReader table = r.child(rules.section);
      AdapterReader reader(table);
      rules.read_options(reader, options, s.broker == rules.adapter);
      table.report_unknown();
    }
    s.brokers.emplace(std::string(rules.adapter), std::move(options));
  }
}

// Applies ZTRADE__a__b__c=value overrides onto the parsed table.
void apply_overrides(toml::table& root, const Environment& env, std::vector<std::string>& errors) {
  for (const auto& [name, value] : env) {
    if (name.rfind("ZTRADE__", 0) != 0) continue;
    std::vector<std::string> path;
    std::string_view rest = std::string_view(name).substr(8);
    while (!rest.empty()) {
      const auto cut = rest.find("__");
      path.emplace_back(rest.substr(0, cut));
      rest = cut == std::string_view::npos ? std::string_view{} : rest.substr(cut + 2);
    }
    if (path.size() < 2 ||
        std::any_of(path.begin(), path.end(), [](auto& p) { return p.empty(); })) {
      errors.push_back(fmt::format("{}: override must look like ZTRADE__<section>__<key>", name));
      continue;
    }
    toml::table* t = &root;
    bool ok = true;
    for (std::size_t i = 0; i + 1 < path.size() && ok; ++i) {
      auto emplaced = t->emplace<toml::table>(path[i]);
      t = emplaced.first->second.as_table();
      if (!t) {
        errors.push_back(fmt::format("{}: {} is not a table", name, path[i]));
        ok = false;
      }
    }
    if (!ok) continue;
    try {
      // toml++ reports parse errors by exception (its default build); config loading is not on
      // any hot path.
      toml::table parsed = toml::parse("v = " + value);
      t->insert_or_assign(path.back(), *parsed.get("v"));
    } catch (const toml::parse_error&) {
      t->insert_or_assign(path.back(), value);
    }
  }
}

// An error echoes the value it is about; a value can be huge (a 50 MB override): cut it so the
// report stays readable.
void cap_lengths(std::vector<std::string>& errors) {
  constexpr std::size_t kMax = 300;
  for (auto& e : errors) {
    if (e.size() > kMax) e = fmt::format("{}... ({} bytes in all)", e.substr(0, kMax), e.size());
  }
}

ConfigResult parse(std::string_view toml_text, const Environment& env, std::string_view source_name,
                   std::vector<Setting>* settings);

}  // namespace

ConfigResult parse_config(std::string_view toml_text, const Environment& env,
                          std::string_view source_name) {
  ConfigResult result = parse(toml_text, env, source_name, nullptr);
  cap_lengths(result.errors);
  return result;
}

std::vector<Setting> describe_config(std::string_view toml_text, const Environment& env) {
  std::vector<Setting> settings;
  (void)parse(toml_text, env, "config", &settings);
  return settings;
}

namespace {
ConfigResult parse(std::string_view toml_text, const Environment& env, std::string_view source_name,
                   std::vector<Setting>* settings) {
  ConfigResult result;
  toml::table root;
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    result.errors.push_back(fmt::format("{}:{}:{}: {}", source_name, e.source().begin.line,
                                        e.source().begin.column, e.description()));
    return result;
  }
  apply_overrides(root, env, result.errors);

  auto& errors = result.errors;
  auto& cfg = result.config;
  TableReader top(&root, "", errors, settings);
  auto section = [&](const char* name) { return top.child(name); };
  TableReader engine = section("engine");
  read_engine(engine, cfg.engine);
  engine.report_unknown();
  TableReader bus = section("bus");
  read_bus(bus, cfg.bus);
  bus.report_unknown();
  TableReader md = section("market_data");
  read_market_data(md, cfg.market_data);
  md.report_unknown();
  TableReader sb = section("signal_bridge");
  read_signal_bridge(sb, cfg.signal_bridge);
  sb.report_unknown();
  TableReader risk = section("risk");
  read_risk(risk, cfg.risk);
  risk.report_unknown();
  TableReader exec = section("execution");
  read_execution(exec, cfg.execution);
  exec.report_unknown();
  TableReader gw = section("gateway");
  read_gateway(gw, cfg.gateway);
  gw.report_unknown();
  TableReader st = section("strategy");
  read_strategy(st, cfg.strategy);
  st.report_unknown();
  top.report_unknown();

  const std::set<int> ids{cfg.market_data.publisher_id, cfg.signal_bridge.publisher_id,
                          cfg.risk.publisher_id, cfg.execution.publisher_id};
  if (ids.size() != 4) errors.push_back("publisher_id: the four processes need distinct ids");
  if (!cfg.signal_bridge.strategy_keys.empty() &&
      (!cfg.bus.curve.enabled || cfg.bus.curve.authorized_keys_file.empty())) {
    errors.push_back(
        "signal_bridge.strategy_keys: needs bus.curve.enabled and bus.curve.authorized_keys_file "
        "(a client's key is known only through CURVE authentication)");
  }
  if (!cfg.strategy.names.empty() && cfg.engine.deployment == "inline") {
    errors.push_back(
        "strategy.names: external strategies run beside the processes or threads deployment, "
        "not inline (engine.deployment)");
  }
  if (cfg.engine.busy_wait_us > 0 && cfg.engine.deployment != "inline") {
    errors.push_back(fmt::format(
        "engine.busy_wait_us: applies to the inline deployment only (engine.deployment is \"{}\")",
        cfg.engine.deployment));
  }
  return result;
}
}  // namespace

ConfigResult load_config(const std::string& path, const Environment& env, std::string* text) {
  std::ifstream in(path);
  if (!in) {
    ConfigResult r;
    r.errors.push_back(fmt::format("{}: cannot open the config file", path));
    return r;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (text) *text = buffer.str();
  return parse_config(buffer.str(), env, path);
}

Environment process_environment() {
  Environment env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    if (kv.rfind("ZTRADE__", 0) != 0) continue;
    const auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

}  // namespace ztrade::ops
