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
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

extern char** environ;

namespace ztrade::ops {
namespace {

// Reads one table's keys into typed fields, recording every problem with its dotted key and
// which keys were consumed, so leftovers can be reported as unknown.
class TableReader {
 public:
  TableReader(const toml::table* table, std::string prefix, std::vector<std::string>& errors)
      : table_(table), prefix_(std::move(prefix)), errors_(errors) {}

  using Check = std::function<std::string(double)>;  // "" when fine, else the problem

  void read(std::string_view key, double& out, const Check& check = {}) {
    const toml::node* n = find(key);
    if (!n) return;
    if (auto v = n->value<double>()) {  // integers convert too
      if (!std::isfinite(*v)) return error(key, "must be a finite number");
      if (check) {
        if (auto problem = check(*v); !problem.empty()) return error(key, problem, *v);
      }
      out = *v;
    } else {
      error(key, fmt::format("expected a number, got {}", type_name(*n)));
    }
  }
  template <class Int>
  void read_int(std::string_view key, Int& out, long long lo, long long hi) {
    const toml::node* n = find(key);
    if (!n) return;
    if (!n->is_integer())
      return error(key, fmt::format("expected an integer, got {}", type_name(*n)));
    const long long v = n->as_integer()->get();
    if (v < lo || v > hi) return error(key, fmt::format("must be in [{}, {}], got {}", lo, hi, v));
    out = static_cast<Int>(v);
  }
  void read(std::string_view key, bool& out) {
    const toml::node* n = find(key);
    if (!n) return;
    if (!n->is_boolean())
      return error(key, fmt::format("expected true or false, got {}", type_name(*n)));
    out = n->as_boolean()->get();
  }
  void read(std::string_view key, std::string& out,
            std::initializer_list<std::string_view> allowed = {}) {
    const toml::node* n = find(key);
    if (!n) return;
    if (!n->is_string()) return error(key, fmt::format("expected a string, got {}", type_name(*n)));
    const std::string v = n->as_string()->get();
    if (allowed.size() > 0) {
      bool ok = false;
      std::string list;
      for (auto a : allowed) {
        ok = ok || v == a;
        list += fmt::format("{}{}", list.empty() ? "" : ", ", a);
      }
      if (!ok) return error(key, fmt::format("must be one of {}, got \"{}\"", list, v));
    }
    out = v;
  }
  void read_ints(std::string_view key, std::vector<int>& out, long long lo, long long hi) {
    const toml::node* n = find(key);
    if (!n) return;
    const toml::array* a = n->as_array();
    if (!a) return error(key, fmt::format("expected an array of integers, got {}", type_name(*n)));
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
  // A table of strings to strings (e.g. symbols = { "BTC/USD" = "BTCUSD" }).
  void read(std::string_view key, std::map<std::string, std::string>& out) {
    const toml::node* n = find(key);
    if (!n) return;
    const toml::table* t = n->as_table();
    if (!t) return error(key, fmt::format("expected a table of strings, got {}", type_name(*n)));
    std::map<std::string, std::string> v;
    for (const auto& [k, item] : *t) {
      if (!item.is_string()) return error(key, fmt::format("{}: expected a string", k.str()));
      v.emplace(std::string(k.str()), item.as_string()->get());
    }
    out = std::move(v);
  }
  void read(std::string_view key, std::vector<std::string>& out, bool non_empty) {
    const toml::node* n = find(key);
    if (!n) return;
    const toml::array* a = n->as_array();
    if (!a) return error(key, fmt::format("expected an array of strings, got {}", type_name(*n)));
    std::vector<std::string> v;
    for (const auto& item : *a) {
      if (!item.is_string()) return error(key, "expected an array of strings");
      v.push_back(item.as_string()->get());
    }
    if (non_empty && v.empty()) return error(key, "must not be empty");
    out = std::move(v);
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
  std::set<std::string> seen_;
};

TableReader::Check positive() {
  return [](double v) { return v > 0 ? std::string() : std::string("must be > 0"); };
}
TableReader::Check non_negative() {
  return [](double v) { return v >= 0 ? std::string() : std::string("must be >= 0"); };
}

constexpr long long kMaxPort = 65535;

void read_engine(TableReader& r, EngineSection& s) {
  r.read("run_dir", s.run_dir);
  r.read("deployment", s.deployment, {"processes", "threads"});
  r.read("log_level", s.log_level, {"trace", "debug", "info", "warn", "error"});
  r.read_ints("cpus", s.cpus, 0, 1023);
}

void read_bus(TableReader& r, BusSection& s, std::vector<std::string>& errors) {
  r.read("transport", s.transport, {"ipc", "tcp", "inproc"});
  r.read("tcp_host", s.tcp_host);
  r.read_int("tcp_base_port", s.tcp_base_port, 1, kMaxPort - (kTcpPortOffsets - 1));
  r.read_int("send_hwm", s.send_hwm, 0, std::numeric_limits<int>::max());
  r.read_int("receive_hwm", s.receive_hwm, 0, std::numeric_limits<int>::max());
  TableReader c(r.subtable("curve"), r.key_path("curve"), errors);
  c.read("enabled", s.curve.enabled);
  c.read("public_key_file", s.curve.public_key_file);
  c.read("secret_key_file", s.curve.secret_key_file);
  c.read("server_public_key_file", s.curve.server_public_key_file);
  c.read("authorized_keys_file", s.curve.authorized_keys_file);
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

struct VenueDefaults {
  const char* name;
  const char* url;
  std::vector<std::string> channels, allowed_channels, feeds;
};

void read_venue(TableReader& parent, const VenueDefaults& d, VenueSection& s,
                std::vector<std::string>& errors) {
  TableReader v(parent.subtable(d.name), parent.key_path(d.name), errors);
  v.read("enabled", s.enabled);
  v.read("url", s.url);
  v.read("symbols", s.symbols);
  v.read("channels", s.channels, false);
  v.read("ca_file", s.ca_file);
  v.read("connect_timeout_s", s.connect_timeout_s, positive());
  v.read("idle_timeout_s", s.idle_timeout_s, positive());
  if (std::string_view(d.name) == "kraken") {
    v.read_int("book_depth", s.book_depth, 10, 1000);
    v.read_int("ohlc_interval_min", s.ohlc_interval_min, 1, 21600);
    if (s.book_depth != 10 && s.book_depth != 25 && s.book_depth != 100 && s.book_depth != 500 &&
        s.book_depth != 1000) {
      v.error("book_depth", fmt::format("must be 10, 25, 100, 500 or 1000, got {}", s.book_depth));
    }
  }
  if (!d.feeds.empty()) {
    s.feed = d.feeds.front();
    v.read("feed", s.feed);
    if (std::find(d.feeds.begin(), d.feeds.end(), s.feed) == d.feeds.end()) {
      v.error("feed",
              fmt::format("must be one of {}, got \"{}\"", fmt::join(d.feeds, ", "), s.feed));
    }
  }
  if (std::string_view(d.name) == "alpaca") {
    v.read("key_id_env", s.key_id_env);
    v.read("secret_env", s.secret_env);
  }
  v.report_unknown();
  if (s.url.empty()) {
    s.url = d.url;
    if (std::string_view(d.name) == "alpaca") {
      s.url = s.feed == "crypto" ? "wss://stream.data.alpaca.markets/v1beta3/crypto/us"
                                 : "wss://stream.data.alpaca.markets/v2/" + s.feed;
    } else if (std::string_view(d.name) == "coinbase" && s.feed == "advanced_trade") {
      s.url = "wss://advanced-trade-ws.coinbase.com";
    }
  }
  if (s.url.rfind("wss://", 0) != 0) {
    v.error("url", fmt::format("must be a wss:// address (TLS is required), got \"{}\"", s.url));
  }
  if (s.channels.empty()) {
    s.channels = d.channels;
    if (std::string_view(d.name) == "coinbase" && s.feed == "advanced_trade") {
      s.channels = {"market_trades", "ticker", "heartbeats"};
    }
  }
  for (const auto& c : s.channels) {
    const bool coinbase_at = std::string_view(d.name) == "coinbase" && s.feed == "advanced_trade";
    const std::vector<std::string> at{"market_trades", "ticker",     "ticker_batch",
                                      "level2",        "heartbeats", "candles"};
    const auto& allowed = coinbase_at ? at : d.allowed_channels;
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

void read_market_data(TableReader& r, MarketDataSection& s, std::vector<std::string>& errors) {
  r.read_int("publisher_id", s.publisher_id, 0, 1023);
  r.read_int("ops_port", s.ops_port, 0, kMaxPort);
  r.read("venue", s.venue, {"replay", "synthetic", "live"});
  r.read("bar_interval_s", s.bar_interval_s, positive());
  r.read("start_gate", s.start_gate);
  r.read("wait_for_downstream", s.wait_for_downstream);
  r.read("record_file", s.record_file);
  TableReader rp(r.subtable("replay"), r.key_path("replay"), errors);
  rp.read("file", s.replay.file);
  rp.read("format", s.replay.format, {"bars", "trades", "recorded"});
  rp.read("symbol", s.replay.symbol);
  rp.read("speed", s.replay.speed, non_negative());
  if (s.venue == "replay" && s.replay.format == "recorded" && s.replay.file.empty()) {
    rp.error("file", "format \"recorded\" needs the recording's path");
  }
  rp.report_unknown();
  TableReader sy(r.subtable("synthetic"), r.key_path("synthetic"), errors);
  sy.read("symbols", s.synthetic.symbols, true);
  sy.read("rate_per_s", s.synthetic.rate_per_s, positive());
  sy.read_int("seed", s.synthetic.seed, 0, std::numeric_limits<long long>::max());
  sy.read("start_price", s.synthetic.start_price, positive());
  sy.read("volatility", s.synthetic.volatility, non_negative());
  sy.read("duration_s", s.synthetic.duration_s, non_negative());
  sy.read("spread_bps", s.synthetic.spread_bps, non_negative());
  sy.report_unknown();
  read_venue(r,
             {"alpaca",
              "",
              {"trades", "quotes", "bars"},
              {"trades", "quotes", "bars", "updatedBars", "dailyBars", "statuses", "orderbooks"},
              {"iex", "sip", "crypto"}},
             s.alpaca, errors);
  read_venue(r,
             {"coinbase",
              "wss://ws-feed.exchange.coinbase.com",
              {"ticker", "matches", "heartbeat"},
              {"ticker", "matches", "heartbeat", "level2_batch"},
              {"exchange", "advanced_trade"}},
             s.coinbase, errors);
  read_venue(r,
             {"kraken",
              "wss://ws.kraken.com/v2",
              {"trade", "ticker", "book"},
              {"trade", "ticker", "book", "ohlc"},
              {}},
             s.kraken, errors);
  if (s.venue == "live" && !s.alpaca.enabled && !s.coinbase.enabled && !s.kraken.enabled) {
    r.error("venue",
            "\"live\" needs at least one of market_data.alpaca, .coinbase, .kraken "
            "with enabled = true");
  }
  for (const auto& sym : s.synthetic.symbols) {
    if (sym.empty() || sym.size() > 16) {
      sy.error("symbols", fmt::format("\"{}\" must be 1 to 16 characters", sym));
    }
  }
}

void read_signal_bridge(TableReader& r, SignalBridgeSection& s) {
  r.read_int("publisher_id", s.publisher_id, 0, 1023);
  r.read_int("ops_port", s.ops_port, 0, kMaxPort);
  r.read_int("rsi_period", s.rsi_period, 1, 100000);
  r.read_int("macd_fast", s.macd_fast, 1, 100000);
  r.read_int("macd_slow", s.macd_slow, 2, 100000);
  r.read_int("macd_signal", s.macd_signal, 1, 100000);
  r.read_int("sma_period", s.sma_period, 1, 100000);
  if (s.macd_fast >= s.macd_slow) {
    r.error("macd_fast", fmt::format("must be < macd_slow ({}), got {}", s.macd_slow, s.macd_fast));
  }
  r.read("strategies", s.strategies, false);
  for (const auto& name : s.strategies) {
    if (name != "macd_rsi")
      r.error("strategies", fmt::format("unknown strategy \"{}\" (known: macd_rsi)", name));
  }
  auto rsi_level = [](double v) {
    return v >= 0 && v <= 100 ? std::string() : std::string("must be in [0, 100]");
  };
  r.read("rsi_buy_below", s.rsi_buy_below, rsi_level);
  r.read("rsi_sell_above", s.rsi_sell_above, rsi_level);
  r.read("max_signal_age_ms", s.max_signal_age_ms, positive());
  r.read("strategy_keys", s.strategy_keys);
  for (const auto& [strategy, key] : s.strategy_keys) {
    if (key.size() != 40) {
      r.error("strategy_keys", fmt::format("{}: expected a 40-character Z85 public key", strategy));
    }
  }
}

void read_risk(TableReader& r, RiskSection& s) {
  r.read_int("publisher_id", s.publisher_id, 0, 1023);
  r.read_int("ops_port", s.ops_port, 0, kMaxPort);
  r.read("order_size", s.order_size, positive());
  r.read("order_type", s.order_type, {"market", "limit"});
  r.read("limit_offset_bps", s.limit_offset_bps, non_negative());
  r.read("max_order_qty", s.max_order_qty, positive());
  r.read("max_order_notional", s.max_order_notional, positive());
  r.read("max_position", s.max_position, positive());
  r.read("max_gross_exposure", s.max_gross_exposure, positive());
  r.read("price_band_pct", s.price_band_pct, positive());
  r.read_int("max_orders_per_s", s.max_orders_per_s, 1, 1000000);
  r.read("daily_loss_limit", s.daily_loss_limit, positive());
  r.read("stale_data_ms", s.stale_data_ms, non_negative());
  r.read("control_token_env", s.control_token_env);
}

void read_execution(TableReader& r, ExecutionSection& s) {
  r.read_int("publisher_id", s.publisher_id, 0, 1023);
  r.read_int("ops_port", s.ops_port, 0, kMaxPort);
  r.read("broker", s.broker, {"sim", "alpaca_paper"});
  r.read("slippage_bps", s.slippage_bps, non_negative());
  r.read("latency_ms", s.latency_ms, non_negative());
  r.read("partial_fill_ratio", s.partial_fill_ratio, [](double v) {
    return v >= 0 && v <= 1 ? std::string() : std::string("must be in [0, 1]");
  });
  r.read("journal", s.journal);
  r.read("alpaca_base_url", s.alpaca_base_url);
  r.read("allow_live_endpoint", s.allow_live_endpoint);
  const bool live = s.alpaca_base_url.find("paper-api.") == std::string::npos &&
                    s.alpaca_base_url.find("api.alpaca.markets") != std::string::npos;
  if (live && !s.allow_live_endpoint) {
    r.error("alpaca_base_url",
            "is Alpaca's live endpoint; set execution.allow_live_endpoint = true to trade real "
            "money");
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

ConfigResult parse(std::string_view toml_text, const Environment& env,
                   std::string_view source_name);

}  // namespace

ConfigResult parse_config(std::string_view toml_text, const Environment& env,
                          std::string_view source_name) {
  ConfigResult result = parse(toml_text, env, source_name);
  cap_lengths(result.errors);
  return result;
}

namespace {
ConfigResult parse(std::string_view toml_text, const Environment& env,
                   std::string_view source_name) {
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
  TableReader top(&root, "", errors);
  auto section = [&](const char* name) { return TableReader(top.subtable(name), name, errors); };
  TableReader engine = section("engine");
  read_engine(engine, cfg.engine);
  engine.report_unknown();
  TableReader bus = section("bus");
  read_bus(bus, cfg.bus, errors);
  bus.report_unknown();
  TableReader md = section("market_data");
  read_market_data(md, cfg.market_data, errors);
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
  return result;
}
}  // namespace

ConfigResult load_config(const std::string& path, const Environment& env) {
  std::ifstream in(path);
  if (!in) {
    ConfigResult r;
    r.errors.push_back(fmt::format("{}: cannot open the config file", path));
    return r;
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), env, path);
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

std::string journal_path(const EngineConfig& c) {
  const std::filesystem::path j(c.execution.journal);
  return j.is_absolute() ? j.string() : (std::filesystem::path(c.engine.run_dir) / j).string();
}

}  // namespace ztrade::ops
