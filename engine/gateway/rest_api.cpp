#include "gateway/rest_api.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <exception>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <simdjson.h>

#include "features/feature_computer.hpp"
#include "gateway/history.hpp"
#include "gateway/json.hpp"
#include "gateway/scanner.hpp"
#include "gateway/views.hpp"
#include "ops/control_protocol.hpp"

namespace ztrade::gateway {

namespace {

constexpr std::int64_t kSecondNs = 1'000'000'000;
constexpr std::size_t kMaxBaseRows = 1'000'000;  // bars read to aggregate one answer, at most

std::string number(double v) {
  return json_number(v);
}

ApiResponse error(int status, std::string_view code, std::string_view message) {
  return {status, json_error(code, message)};
}

// Query parameters of a target ("?a=1&b=2"); the API's values need no percent-decoding.
std::map<std::string_view, std::string_view> query_of(std::string_view query) {
  std::map<std::string_view, std::string_view> out;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    out[pair.substr(0, eq)] = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
  }
  return out;
}

// An integer parameter in [lo, hi]; `fallback` when absent; nullopt (with `problem` set) when
// malformed or out of range.
std::optional<std::int64_t> int_param(const std::map<std::string_view, std::string_view>& q,
                                      std::string_view name, std::int64_t fallback, std::int64_t lo,
                                      std::int64_t hi, std::string& problem) {
  const auto it = q.find(name);
  if (it == q.end()) return fallback;
  std::int64_t v = 0;
  const auto [end, ec] =
      std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (ec != std::errc{} || end != it->second.data() + it->second.size() || v < lo || v > hi) {
    problem = fmt::format("{} must be an integer in [{}, {}]", name, lo, hi);
    return std::nullopt;
  }
  return v;
}

// The items of `ring` with times in [start, end], the last `limit` of them, oldest first.
template <class Ring, class Time>
std::vector<typename Ring::value_type> window(const Ring& ring, std::int64_t start,
                                              std::int64_t end, std::size_t limit, Time time_of) {
  std::vector<typename Ring::value_type> hits;
  for (auto it = ring.rbegin(); it != ring.rend() && hits.size() < limit; ++it) {
    const std::int64_t t = time_of(*it);
    if (t < start) break;  // time order: nothing earlier qualifies
    if (t <= end) hits.push_back(*it);
  }
  return {hits.rbegin(), hits.rend()};
}

// Bars merged into buckets of `interval_ns` aligned to the epoch (the input is oldest first).
std::vector<wire::BarMsg> aggregate(const std::vector<wire::BarMsg>& bars,
                                    std::int64_t interval_ns) {
  std::vector<wire::BarMsg> out;
  for (const wire::BarMsg& b : bars) {
    const std::int64_t bucket = b.start_ns - (b.start_ns % interval_ns + interval_ns) % interval_ns;
    if (out.empty() || out.back().start_ns != bucket) {
      out.push_back(b);
      out.back().start_ns = bucket;
      out.back().interval_ns = interval_ns;
      continue;
    }
    wire::BarMsg& a = out.back();
    a.high = std::max(a.high, b.high);
    a.low = std::min(a.low, b.low);
    a.close = b.close;
    a.volume += b.volume;
    a.trade_count += b.trade_count;
  }
  return out;
}

template <class T, class Json>
std::string array_of(const std::vector<T>& items, Json json) {
  std::string out = "[";
  for (const T& item : items) {
    if (out.size() > 1) out += ',';
    out += json(item);
  }
  return out + "]";
}

}  // namespace

// Query parameters: integers unless typed ":string".
const Route RestApi::kRoutes[12] = {
    {"GET", "/v1/symbols", "every symbol seen (and in the history), with its venue and counts", "",
     false, false, &RestApi::symbols},
    {"GET", "/v1/bars/{symbol}",
     "bars, oldest first: the last `limit` in [start, end] (ns since epoch), aggregated to "
     "`interval` seconds; source memory, history or auto; gaps the history knows of",
     "limit,start,end,interval,source:string", false, true, &RestApi::bars},
    {"GET", "/v1/trades/{symbol}", "trades, oldest first: the last `limit` in [start, end]",
     "limit,start,end,source:string", false, true, &RestApi::trades},
    {"GET", "/v1/quote/{symbol}", "the latest quote", "", false, false, &RestApi::quote},
    {"GET", "/v1/features/{symbol}", "the latest features, by name", "", false, false,
     &RestApi::features},
    {"GET", "/v1/positions", "the engine's positions", "", false, false, &RestApi::positions},
    {"GET", "/v1/orders", "open orders, then recent finished ones", "limit", false, false,
     &RestApi::orders},
    {"GET", "/v1/pnl", "realized and unrealized P&L, in total and by symbol", "", false, false,
     &RestApi::pnl},
    {"GET", "/v1/summary",
     "message counts, gaps, tick-to-order latency percentiles, risk state, history and stream", "",
     false, false, &RestApi::summary},
    {"GET", "/v1/scanner", "gainers, losers, most active, unusual volume, breakouts, RSI, MACD", "",
     false, false, &RestApi::scanner},
    {"GET", "/v1/openapi.json", "this API, as OpenAPI 3", "", false, false, &RestApi::openapi_json},
    {"POST", "/v1/control",
     "operator token: {\"command\": HALT | REDUCE | RESUME | CANCEL_ALL}: the kill switch", "",
     true},
};

std::span<const Route> RestApi::routes() noexcept {
  return kRoutes;
}

std::string RestApi::openapi() {
  std::map<std::string_view, std::string> paths;  // path -> its operations
  for (const Route& r : kRoutes) {
    std::string params;
    if (r.path.find("{symbol}") != std::string_view::npos) {
      params += R"({"name":"symbol","in":"path","required":true,"schema":{"type":"string"}})";
    }
    std::string_view rest = r.parameters;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      std::string_view p = rest.substr(0, comma);
      const auto colon = p.find(':');
      const std::string_view type =
          colon == std::string_view::npos ? "integer" : p.substr(colon + 1);
      p = p.substr(0, colon);
      if (!params.empty()) params += ',';
      params += fmt::format(R"({{"name":{},"in":"query","schema":{{"type":{}}}}})", json_string(p),
                            json_string(type));
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
    std::string method(r.method);
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string& ops = paths[r.path];
    if (!ops.empty()) ops += ',';
    ops += fmt::format(
        R"({}:{{"summary":{},"parameters":[{}],"security":[{{"{}":[]}}],{})"
        R"("responses":{{"200":{{"description":"JSON"}},"4XX":{{"description":"an error: )"
        R"({{\"error\":{{\"code\",\"message\"}}}}"}}}}}})",
        json_string(method), json_string(r.summary), params,
        r.operator_only ? "operator" : "bearer",
        r.method == "POST"
            ? R"("requestBody":{"required":true,"content":{"application/json":{"schema":{"type":"object","properties":{"command":{"type":"string","enum":["HALT","REDUCE","RESUME","CANCEL_ALL"]}}}}}},)"
            : "");
  }
  std::string out;
  for (const auto& [path, ops] : paths) {
    if (!out.empty()) out += ',';
    out += fmt::format("{}:{{{}}}", json_string(path), ops);
  }
  return fmt::format(
      R"({{"openapi":"3.0.3","info":{{"title":"ztrade gateway","version":"1"}},)"
      R"("components":{{"securitySchemes":{{"bearer":{{"type":"http","scheme":"bearer"}},)"
      R"("operator":{{"type":"http","scheme":"bearer"}}}}}},"paths":{{{}}}}})",
      out);
}

ApiResponse RestApi::bars_between(std::string_view symbol, const SymbolState* s, std::int64_t start,
                                  std::int64_t end, std::size_t limit, std::int64_t interval_ns,
                                  std::string_view source) const {
  // The stored bars' length: memory's, else the database's newest.
  std::int64_t base = s && !s->bars.empty() ? s->bars.back().interval_ns : 0;
  if (base == 0 && sources_.history) {
    const auto last = sources_.history->bars(symbol, 0, INT64_MIN, INT64_MAX, 1);
    if (!last.empty()) base = last.back().interval_ns;
  }
  std::vector<wire::BarMsg> rows;
  std::size_t want = limit;
  if (interval_ns > 0 && base > 0) {
    if (interval_ns % base != 0) {
      return error(400, "bad_parameter",
                   fmt::format("interval must be a multiple of the bars' {} s", base / kSecondNs));
    }
    want = std::min(kMaxBaseRows, limit * static_cast<std::size_t>(interval_ns / base));
  }
  std::string_view used = "memory";
  if (s && source != "history") {
    rows = window(s->bars, start, end, want, [](const wire::BarMsg& b) { return b.start_ns; });
  }
  if (sources_.history && source == "history") {
    rows = sources_.history->bars(symbol, base, start, end, want);
    used = "history";
  } else if (sources_.history && source == "auto" && rows.size() < want) {
    // What memory no longer (or never) held comes from the database: rows before memory's
    // oldest, then memory's.
    const std::int64_t oldest = s && !s->bars.empty() ? s->bars.front().start_ns : INT64_MAX;
    if (start < oldest) {
      auto older = sources_.history->bars(symbol, base, start, std::min(end, oldest - 1),
                                          want - rows.size());
      if (!older.empty()) {
        used = rows.empty() ? "history" : "history+memory";
        older.insert(older.end(), rows.begin(), rows.end());
        rows = std::move(older);
      }
    }
  }
  if (base == 0 && !rows.empty()) base = rows.back().interval_ns;
  if (interval_ns > 0 && base > 0 && interval_ns != base) {
    if (interval_ns % base != 0) {
      return error(400, "bad_parameter",
                   fmt::format("interval must be a multiple of the bars' {} s", base / kSecondNs));
    }
    rows = aggregate(rows, interval_ns);
    if (rows.size() > limit)
      rows.erase(rows.begin(), rows.end() - static_cast<std::ptrdiff_t>(limit));
  }
  // The next page ends before the first bar returned; null when this page was not full.
  const std::string next =
      rows.size() == limit && !rows.empty() ? std::to_string(rows.front().start_ns - 1) : "null";
  // Stretches the history knows bars are missing from (the gateway was down).
  std::string gaps;
  if (sources_.history && !rows.empty()) {
    for (const auto& g :
         sources_.history->gaps(symbol, rows.front().start_ns, rows.back().start_ns)) {
      gaps += fmt::format(R"({}{{"start_ns":{},"end_ns":{}}})", gaps.empty() ? "" : ",", g.start_ns,
                          g.end_ns);
    }
  }
  return {200, fmt::format(R"({{"symbol":{},"source":"{}","bars":{},"gaps":[{}],"next_end":{}}})",
                           json_string(symbol), used, array_of(rows, bar_json), gaps, next)};
}

ApiResponse RestApi::trades_between(std::string_view symbol, const SymbolState* s,
                                    std::int64_t start, std::int64_t end, std::size_t limit,
                                    std::string_view source) const {
  std::vector<wire::TradeMsg> rows;
  std::string_view used = "memory";
  if (s && source != "history") {
    rows =
        window(s->trades, start, end, limit, [](const wire::TradeMsg& t) { return t.exchange_ns; });
  }
  if (sources_.history && source == "history") {
    rows = sources_.history->trades(symbol, start, end, limit);
    used = "history";
  } else if (sources_.history && source == "auto" && rows.size() < limit) {
    const std::int64_t oldest = s && !s->trades.empty() ? s->trades.front().exchange_ns : INT64_MAX;
    if (start < oldest) {
      auto older =
          sources_.history->trades(symbol, start, std::min(end, oldest - 1), limit - rows.size());
      if (!older.empty()) {
        used = rows.empty() ? "history" : "history+memory";
        older.insert(older.end(), rows.begin(), rows.end());
        rows = std::move(older);
      }
    }
  }
  const std::string next =
      rows.size() == limit && !rows.empty() ? std::to_string(rows.front().exchange_ns - 1) : "null";
  return {200, fmt::format(R"({{"symbol":{},"source":"{}","trades":{},"next_end":{}}})",
                           json_string(symbol), used, array_of(rows, trade_json), next)};
}

ApiResponse RestApi::control(const ApiRequest& request) const {
  constexpr std::string_view kBearer = "Bearer ";
  const std::string_view auth = request.authorization;
  if (!auth.starts_with(kBearer) ||
      !ops::token_matches(auth.substr(kBearer.size()), sources_.operator_token)) {
    return error(403, "forbidden", "the operator token is required");
  }
  simdjson::ondemand::parser parser;
  const simdjson::padded_string body(request.body);
  simdjson::ondemand::document doc;
  std::string_view command;
  if (parser.iterate(body).get(doc) || doc["command"].get_string().get(command)) {
    return error(400, "bad_request", R"(expected {"command": "HALT|REDUCE|RESUME|CANCEL_ALL"})");
  }
  const ops::ControlVerb verb = ops::parse_control(command).verb;
  if (verb == ops::ControlVerb::kUnknown || verb == ops::ControlVerb::kState ||
      command != ops::verb_name(verb)) {
    return error(400, "bad_command", "command must be HALT, REDUCE, RESUME or CANCEL_ALL");
  }
  if (!sources_.control) return error(503, "no_control", "the gateway cannot reach risk");
  const std::string reply = sources_.control(ops::verb_name(verb));
  if (!reply.starts_with("OK")) return error(502, "control_failed", reply);
  return {200,
          fmt::format(R"({{"command":{},"reply":{}}})", json_string(command), json_string(reply))};
}

ApiResponse RestApi::handle(const ApiRequest& request) const {
  const auto qpos = request.target.find('?');
  const std::string_view path = request.target.substr(0, qpos);
  if (request.method == "POST" && path == "/v1/control") return control(request);
  constexpr std::string_view kBearer = "Bearer ";
  const std::string_view auth = request.authorization;
  if (!auth.starts_with(kBearer) || !ops::token_matches(auth.substr(kBearer.size()), token_)) {
    return error(401, "unauthorized", "a valid bearer token is required");
  }
  if (request.method != "GET") return error(405, "method_not_allowed", "only GET is served here");
  const auto query = query_of(qpos == std::string_view::npos ? std::string_view{}
                                                             : request.target.substr(qpos + 1));
  std::string problem;
  const auto limit = int_param(query, "limit", 1000, 1, kMaxLimit, problem);
  const auto start = int_param(query, "start", INT64_MIN, INT64_MIN, INT64_MAX, problem);
  const auto end = int_param(query, "end", INT64_MAX, INT64_MIN, INT64_MAX, problem);
  const auto interval = int_param(query, "interval", 0, 0, 31 * 86'400, problem);
  if (!limit || !start || !end || !interval) return error(400, "bad_parameter", problem);
  const auto source_it = query.find("source");
  const std::string_view source = source_it == query.end() ? "auto" : source_it->second;
  if (source != "auto" && source != "memory" && source != "history") {
    return error(400, "bad_parameter", "source must be auto, memory or history");
  }

  // The route: its path as written, or with {symbol} standing for one path segment.
  constexpr std::string_view kSymbol = "{symbol}";
  const Route* route = nullptr;
  std::string_view symbol;
  for (const Route& r : kRoutes) {
    if (r.method != "GET") continue;
    const auto hole = r.path.find(kSymbol);
    if (hole == std::string_view::npos) {
      if (path == r.path) route = &r;
    } else if (path.starts_with(r.path.substr(0, hole))) {
      route = &r;
      symbol = path.substr(hole);
      if (symbol.empty() || symbol.size() > 16 || symbol.find('/') != std::string_view::npos) {
        return error(404, "not_found", "no such endpoint");
      }
    }
    if (route) break;
  }
  if (!route) return error(404, "not_found", "no such endpoint");
  const SymbolState* s = symbol.empty() ? nullptr : state_.symbol(symbol);
  if (!symbol.empty() && !s && !(route->from_history && sources_.history)) {
    return error(404, "unknown_symbol", fmt::format("no data for {}", json_string(symbol)));
  }
  try {
    return (this->*route->answer)(ApiCall{symbol, s, static_cast<std::size_t>(*limit), *start, *end,
                                          *interval * kSecondNs, source});
  } catch (const std::exception& e) {
    // The history database busy or unreadable: a clear error, the gateway goes on.
    return error(503, "unavailable", e.what());
  }
}

ApiResponse RestApi::symbols(const ApiCall&) const {
  std::map<std::string, std::string> rows;
  for (const auto& [sym, st] : state_.symbols()) {
    rows[sym] = fmt::format(R"("bars":{},"trades":{},"quotes":{},"live":true)", st.bar_count,
                            st.trade_count, st.quote_count);
  }
  if (sources_.history) {
    // From memory: the history's symbols are read once at start and kept up to date.
    for (const auto& sym : sources_.history->symbols()) rows.try_emplace(sym, R"("live":false)");
  }
  std::string out = "[";
  for (const auto& [sym, fields] : rows) {
    if (out.size() > 1) out += ',';
    out += fmt::format(R"({{"symbol":{},"venue":{},{}}})", json_string(sym),
                       json_string(sources_.venue_of ? sources_.venue_of(sym) : ""), fields);
  }
  return {200, out + "]"};
}

// A symbol the gateway never saw live, with nothing in the history either: unknown.
static ApiResponse unknown_if_empty(ApiResponse r, const ApiCall& c) {
  if (!c.state && r.body.find(R"(":[],)") != std::string::npos) {
    return error(404, "unknown_symbol", fmt::format("no data for {}", json_string(c.symbol)));
  }
  return r;
}

ApiResponse RestApi::bars(const ApiCall& c) const {
  return unknown_if_empty(
      bars_between(c.symbol, c.state, c.start, c.end, c.limit, c.interval_ns, c.source), c);
}

ApiResponse RestApi::trades(const ApiCall& c) const {
  return unknown_if_empty(trades_between(c.symbol, c.state, c.start, c.end, c.limit, c.source), c);
}

ApiResponse RestApi::quote(const ApiCall& c) const {
  if (!c.state->quote) return error(404, "no_quote", "no quote seen for this symbol");
  return {200, quote_json(*c.state->quote)};
}

ApiResponse RestApi::features(const ApiCall& c) const {
  if (!c.state->features) {
    return error(404, "no_features", "no features computed for this symbol");
  }
  return {200, features_json(*c.state->features)};
}

std::string RestApi::position_rows(double& realized, double& unrealized) const {
  std::string rows;
  for (const auto& [sym, p] : state_.positions()) {
    if (!rows.empty()) rows += ',';
    rows += position_json(p);
    realized += p.realized_pnl;
    unrealized += p.unrealized_pnl;
  }
  return rows;
}

ApiResponse RestApi::positions(const ApiCall&) const {
  double realized = 0, unrealized = 0;
  std::string out = "[";
  out += position_rows(realized, unrealized);
  out += ']';
  return {200, std::move(out)};
}

ApiResponse RestApi::pnl(const ApiCall&) const {
  double realized = 0, unrealized = 0;
  const std::string rows = position_rows(realized, unrealized);
  return {200,
          fmt::format(R"({{"realized":{},"unrealized":{},"total":{},"by_symbol":[{}]}})",
                      number(realized), number(unrealized), number(realized + unrealized), rows)};
}

ApiResponse RestApi::orders(const ApiCall& c) const {
  std::string out = "[";
  std::size_t k = 0;
  for (const OrderView* o : state_.orders()) {
    if (k++ == c.limit) break;
    if (out.size() > 1) out += ',';
    out += order_json(*o);
  }
  return {200, out + "]"};
}

ApiResponse RestApi::summary(const ApiCall&) const {
  std::string counts;
  const auto& by_type = state_.counts();
  for (std::size_t type = 1; type < by_type.size(); ++type) {
    if (by_type[type] == 0) continue;
    if (!counts.empty()) counts += ',';
    counts += fmt::format("{}:{}", json_string(wire::type_name(static_cast<wire::MsgType>(type))),
                          by_type[type]);
  }
  const std::string extra = sources_.summary_extra ? sources_.summary_extra() : "";
  return {200, fmt::format(R"({{"messages":{{{}}},"symbols":{},"symbols_dropped":{},)"
                           R"("orders":{},"risk_rejects":{}{}{}}})",
                           counts, state_.symbols().size(), state_.symbols_dropped(),
                           state_.orders().size(), state_.risk_rejects(), extra.empty() ? "" : ",",
                           extra)};
}

ApiResponse RestApi::scanner(const ApiCall&) const {
  if (!sources_.scanner) return error(404, "no_scanner", "the scanner is not running");
  return {200, sources_.scanner->results_json()};
}

ApiResponse RestApi::openapi_json(const ApiCall&) const {
  return {200, openapi()};
}

}  // namespace ztrade::gateway
