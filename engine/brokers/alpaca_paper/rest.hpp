#pragma once
// Alpaca's trading REST API over one kept-alive HTTPS connection (Boost.Beast, OpenSSL:
// certificate and host name verified, SNI set), on the execution thread's io_context.
// Requests go out one at a time in the order they were made, each under a timeout that
// covers connecting; a connection that fails is closed and the next request opens another.
//
// Within the client: a token bucket keeps under `max_requests_per_min`; a 429 is retried after
// its Retry-After (or a backoff) whatever the method - Alpaca did not act on it - but only up
// to `max_retry_after_s`: a longer Retry-After fails the request with that reason rather than
// holding the queue (one `Retry-After: 3600` must not freeze every later order). A timeout, a
// lost connection or a 5xx is retried for GET and DELETE (repeating them changes nothing) and
// returned for POST, whose outcome is unknown: the caller looks the order up by its
// client_order_id before anything is sent again.
//
// Requests of one client go out one at a time, in order. What must never wait behind them
// (cancels, the kill switch) goes through a second client - its own connection and queue -
// that shares the first one's rate budget but may borrow from it (RestConfig::urgent): the
// account stays under its limit on average, and a cancel never waits for a token.
//
// Keys go into the two headers of each request and nowhere else: never logged.
#include <simdjson.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <spdlog/logger.h>
#include <boost/asio/io_context.hpp>

#include "venues/websocket/url.hpp"

namespace ztrade::brokers::alpaca_paper {

enum class Method : std::uint8_t { kGet, kPost, kDelete };

// The account's request budget, shared by the clients of one key (a token bucket).
struct RateBudget {
  explicit RateBudget(int requests_per_min)
      : per_min(requests_per_min),
        tokens(requests_per_min),
        refilled(std::chrono::steady_clock::now()) {}
  // Tokens now (refilled since the last look).
  double refill() noexcept;
  double per_min;
  double tokens;
  std::chrono::steady_clock::time_point refilled;
};

struct RestConfig {
  venues::websocket::Url base;  // https://host[:port]
  std::string ca_file;
  std::string key_id, secret;
  std::chrono::milliseconds timeout{5000};
  int max_requests_per_min = 200;
  int max_retries = 5;                 // for what may be retried (above)
  double max_retry_after_s = 60;       // a 429's Retry-After beyond this fails the request
  std::shared_ptr<RateBudget> budget;  // null: a budget of its own (max_requests_per_min)
  bool urgent = false;                 // takes a token even when the budget is spent (cancels)
  std::string name = "alpaca";         // in log lines: which client
};

struct Response {
  int status = 0;     // HTTP status; 0: no response (timeout, connection failure)
  std::string body;   // with simdjson::SIMDJSON_PADDING bytes of capacity after it
  std::string error;  // why there was no response
  int attempts = 0;
  double retry_after_s = -1;  // a 429's Retry-After
  simdjson::padded_string_view json() const noexcept {
    return simdjson::padded_string_view(body.data(), body.size(), body.capacity());
  }
  bool ok() const noexcept { return status >= 200 && status < 300; }
};

struct RestStats {
  std::uint64_t requests = 0;             // sent (retries included)
  std::uint64_t responses = 0;            // received, any status
  std::uint64_t timeouts = 0;             // no response in time (connections included)
  std::uint64_t rate_limited = 0;         // 429s received
  std::uint64_t server_errors = 0;        // 5xx received
  std::uint64_t throttled = 0;            // requests held back by the client's own limiter
  std::uint64_t retry_after_refused = 0;  // 429s whose Retry-After was beyond the cap
  std::uint64_t connects = 0;
  std::int64_t last_write_ns = 0;  // wall clock when a request's last byte went to the socket
};

class RestClient {
 public:
  using Done = std::function<void(Response&)>;
  RestClient(boost::asio::io_context& io, RestConfig config, std::shared_ptr<spdlog::logger> log);
  ~RestClient();
  RestClient(const RestClient&) = delete;
  RestClient& operator=(const RestClient&) = delete;

  // Queues a request (`target`: path and query, e.g. "/v2/orders"); `done` runs on the
  // io_context's thread with the final response.
  void request(Method method, std::string target, std::string body, Done done);
  // A string to build a request body in, with the capacity of a finished request's body: the
  // order path allocates no body once warm.
  std::string buffer();
  // Fails every queued request (done with status 0) and closes the connection.
  void stop();
  const RestStats& stats() const noexcept;
  std::size_t pending() const noexcept;
  // The rate budget this client spends (to share it with another client of the same key).
  std::shared_ptr<RateBudget> budget() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ztrade::brokers::alpaca_paper
