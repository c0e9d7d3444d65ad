#pragma once
// The gateway's REST API: a request (method, target, Authorization header, body) in, a JSON
// response out, answered from MarketState, the history database and the scanner. One table of
// routes serves the dispatch and the OpenAPI document (/v1/openapi.json), so the two cannot
// drift. Transport-free: the HTTP server hands requests here.
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "gateway/market_state.hpp"

namespace ztrade::gateway {

class History;
class Scanner;

struct ApiRequest {
  std::string_view method;         // GET, POST
  std::string_view target;         // path and query, e.g. /v1/bars/AAPL?limit=100
  std::string_view authorization;  // the Authorization header ("Bearer <token>")
  std::string_view body;           // POST only
};

struct ApiResponse {
  int status = 200;
  std::string body;  // JSON
};

// A GET request as its route receives it: checked and parsed once, before dispatch.
struct ApiCall {
  std::string_view symbol;   // a per-symbol route's {symbol}, else empty
  const SymbolState* state;  // that symbol's live state, when the gateway has seen it
  std::size_t limit;         // `limit` (1 .. RestApi::kMaxLimit, default 1000)
  std::int64_t start, end;   // `start`, `end` (ns since the epoch)
  std::int64_t interval_ns;  // `interval` (seconds, as ns; 0: the bars' own)
  std::string_view source;   // `source`: auto, memory or history
};

class RestApi;

// One endpoint: its method and path (with {symbol} where it takes one), what it answers, its
// query parameters, whether it needs the operator token, whether the history can answer it for
// a symbol the gateway has not seen live - and the member that answers it. The dispatch and the
// OpenAPI document both read this table.
struct Route {
  std::string_view method;
  std::string_view path;
  std::string_view summary;
  std::string_view parameters;  // comma-separated query parameters, "" for none
  bool operator_only = false;
  bool from_history = false;
  ApiResponse (RestApi::*answer)(const ApiCall&) const = nullptr;  // GET routes
};

// What the API reads besides MarketState; each may be absent.
struct ApiSources {
  std::string operator_token;  // empty: operator requests are refused
  const History* history = nullptr;
  const Scanner* scanner = nullptr;
  // Sends a kill-switch verb (HALT, REDUCE, RESUME, CANCEL_ALL) to risk: its reply.
  std::function<std::string(std::string_view verb)> control;
  // JSON members added to /v1/summary (latency percentiles, gaps, risk state).
  std::function<std::string()> summary_extra;
  // The venue a symbol's data comes from.
  std::function<std::string(std::string_view symbol)> venue_of;
};

class RestApi {
 public:
  static constexpr std::size_t kMaxLimit = 5000;  // items one request returns at most

  // `token`: the read-only bearer token (empty: every request is refused).
  RestApi(const MarketState& state, std::string token, ApiSources sources = {})
      : state_(state), token_(std::move(token)), sources_(std::move(sources)) {}

  [[nodiscard]] ApiResponse handle(const ApiRequest& request) const;
  [[nodiscard]] static std::span<const Route> routes() noexcept;
  [[nodiscard]] static std::string openapi();

 private:
  static const Route kRoutes[12];
  // The GET routes' answers (kRoutes).
  ApiResponse symbols(const ApiCall& c) const;
  ApiResponse bars(const ApiCall& c) const;
  ApiResponse trades(const ApiCall& c) const;
  ApiResponse quote(const ApiCall& c) const;
  ApiResponse features(const ApiCall& c) const;
  ApiResponse positions(const ApiCall& c) const;
  ApiResponse pnl(const ApiCall& c) const;
  ApiResponse orders(const ApiCall& c) const;
  ApiResponse summary(const ApiCall& c) const;
  ApiResponse scanner(const ApiCall& c) const;
  ApiResponse openapi_json(const ApiCall& c) const;
  ApiResponse control(const ApiRequest& request) const;
  ApiResponse bars_between(std::string_view symbol, const SymbolState* s, std::int64_t start,
                           std::int64_t end, std::size_t limit, std::int64_t interval_ns,
                           std::string_view source) const;
  ApiResponse trades_between(std::string_view symbol, const SymbolState* s, std::int64_t start,
                             std::int64_t end, std::size_t limit, std::string_view source) const;
  // /v1/positions and /v1/pnl: the positions' JSON rows, and their realized/unrealized sums.
  std::string position_rows(double& realized, double& unrealized) const;

  const MarketState& state_;
  std::string token_;
  ApiSources sources_;
};

}  // namespace ztrade::gateway
