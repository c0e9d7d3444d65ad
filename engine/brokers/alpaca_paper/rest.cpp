#include "brokers/alpaca_paper/rest.hpp"

#include <algorithm>
#include <charconv>
#include <deque>
#include <iterator>
#include <vector>

#include <fmt/format.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "bus/publisher.hpp"
#include "venues/websocket/tls.hpp"

namespace ztrade::brokers::alpaca_paper {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

std::string_view method_name(Method m) {
  switch (m) {
    case Method::kPost:
      return "POST";
    case Method::kDelete:
      return "DELETE";
    case Method::kGet:
      break;
  }
  return "GET";
}

// Retry-After in seconds (Alpaca and our test server send an integer); -1 when absent.
double retry_after_s(const http::response<http::string_body>& r) {
  const auto it = r.find(http::field::retry_after);
  if (it == r.end()) return -1;
  const auto v = it->value();
  int s = 0;
  const auto res = std::from_chars(v.data(), v.data() + v.size(), s);
  return res.ec == std::errc{} && s >= 0 ? s : -1;
}
}  // namespace

struct RestClient::Impl {
  using Stream = beast::ssl_stream<beast::tcp_stream>;
  struct Pending {
    Method method;
    std::string target, body;
    Done done;
  };

  Impl(asio::io_context& i, RestConfig c, std::shared_ptr<spdlog::logger> l)
      : io(i), config(std::move(c)), log(std::move(l)), timer(i) {
    if (!config.budget) config.budget = std::make_shared<RateBudget>(config.max_requests_per_min);
    venues::websocket::configure_client_tls(ssl_ctx, config.ca_file, "alpaca");
    host_header = config.base.port == 443
                      ? config.base.host
                      : config.base.host + ":" + std::to_string(config.base.port);
    // The base URL's path ("https://host/prefix") prefixes every target.
    prefix = config.base.target == "/" ? "" : config.base.target;
    if (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  }

  asio::awaitable<void> run();
  asio::awaitable<bool> connect(std::string& error);
  asio::awaitable<void> once(Pending& p, Response& out);
  asio::awaitable<void> throttle();
  void close() {
    if (!stream) return;
    boost::system::error_code ignored;
    beast::get_lowest_layer(*stream).socket().close(ignored);
    stream.reset();
  }

  asio::io_context& io;
  RestConfig config;
  std::shared_ptr<spdlog::logger> log;
  ssl::context ssl_ctx{ssl::context::tls_client};
  std::unique_ptr<Stream> stream;
  beast::flat_buffer buffer;
  asio::steady_timer timer;
  std::deque<Pending> queue;
  bool running = false;
  asio::steady_timer idle{io};     // the request loop waits here while the queue is empty
  std::string wire;                // the request being sent, as bytes
  std::vector<std::string> spare;  // finished requests' bodies, for buffer()
  bool stopped = false;
  std::string host_header, prefix;
  RestStats stats;
};

double RateBudget::refill() noexcept {
  const auto now = std::chrono::steady_clock::now();
  tokens = std::min(per_min,
                    tokens + std::chrono::duration<double>(now - refilled).count() * per_min / 60);
  refilled = now;
  return tokens;
}

asio::awaitable<void> RestClient::Impl::throttle() {
  RateBudget& b = *config.budget;
  const double rate_per_s = b.per_min / 60.0;
  // An urgent request (a cancel) borrows: the budget goes below zero and the other client
  // waits the longer. The account stays under its limit on average; a cancel never waits.
  while (!config.urgent && b.refill() < 1) {
    ++stats.throttled;
    timer.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>((1 - b.tokens) / rate_per_s)));
    co_await timer.async_wait(kNoThrow);
    if (stopped) co_return;
  }
  if (config.urgent) b.refill();
  b.tokens -= 1;
}

asio::awaitable<bool> RestClient::Impl::connect(std::string& error) {
  tcp::resolver resolver(io);
  auto [rec, endpoints] =
      co_await resolver.async_resolve(config.base.host, std::to_string(config.base.port), kNoThrow);
  if (rec) {
    error = "resolve " + config.base.host + ": " + rec.message();
    co_return false;
  }
  auto s = std::make_unique<Stream>(io, ssl_ctx);
  auto& tcp_layer = beast::get_lowest_layer(*s);
  tcp_layer.expires_after(config.timeout);
  auto [cec, ep] = co_await tcp_layer.async_connect(endpoints, kNoThrow);
  if (cec) {
    error = "connect " + host_header + ": " + cec.message();
    co_return false;
  }
  if (!venues::websocket::expect_host(*s, config.base.host)) {
    error = "TLS: cannot set SNI host name";
    co_return false;
  }
  auto [hec] = co_await s->async_handshake(ssl::stream_base::client, kNoThrow);
  if (hec) {
    error = "TLS handshake with " + host_header + ": " + hec.message();
    co_return false;
  }
  stream = std::move(s);
  buffer.clear();
  ++stats.connects;
  co_return true;
}

asio::awaitable<void> RestClient::Impl::once(Pending& p, Response& out) {
  out.status = 0;
  out.body.clear();
  out.error.clear();
  out.retry_after_s = -1;
  ++out.attempts;
  if (!stream) {
    if (!co_await connect(out.error)) {
      ++stats.timeouts;
      close();
      co_return;
    }
  }
  // The request as bytes, in one buffer kept across requests: nothing allocated per request
  // once it has grown to the largest (Beast's request object would allocate every field).
  wire.clear();
  auto out_it = std::back_inserter(wire);
  fmt::format_to(out_it,
                 "{} {}{} HTTP/1.1\r\nHost: {}\r\nUser-Agent: ztrade\r\n"
                 "Connection: keep-alive\r\n",
                 method_name(p.method), prefix, p.target, host_header);
  wire += "APCA-API-KEY-ID: ";
  wire += config.key_id;
  wire += "\r\nAPCA-API-SECRET-KEY: ";
  wire += config.secret;
  if (p.body.empty()) {
    wire += "\r\n\r\n";
  } else {
    fmt::format_to(out_it, "\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                   p.body.size());
    wire += p.body;
  }
  auto& tcp_layer = beast::get_lowest_layer(*stream);
  tcp_layer.expires_after(config.timeout);
  ++stats.requests;
  auto [wec, wn] = co_await asio::async_write(*stream, asio::buffer(wire), kNoThrow);
  stats.last_write_ns = bus::wall_clock_ns();
  if (wec) {
    out.error = "send: " + wec.message();
    ++stats.timeouts;
    close();
    co_return;
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(64u << 20);
  auto [rec, rn] = co_await http::async_read(*stream, buffer, parser, kNoThrow);
  if (rec) {
    out.error = rec == beast::error::timeout ? "timed out" : "receive: " + rec.message();
    ++stats.timeouts;
    close();
    co_return;
  }
  tcp_layer.expires_never();
  ++stats.responses;
  auto response = parser.release();
  out.status = static_cast<int>(response.result_int());
  out.body = std::move(response.body());
  out.body.reserve(out.body.size() + simdjson::SIMDJSON_PADDING);
  if (out.status == 429) {
    ++stats.rate_limited;
    out.retry_after_s = retry_after_s(response);
  }
  if (out.status >= 500) ++stats.server_errors;
  if (!response.keep_alive()) close();
}

asio::awaitable<void> RestClient::Impl::run() {
  // One loop for the client's life (started with the first request): no coroutine is made per
  // request. It sleeps on `idle` while there is nothing to send.
  while (!stopped) {
    if (queue.empty()) {
      idle.expires_at(asio::steady_timer::time_point::max());
      co_await idle.async_wait(kNoThrow);
      continue;
    }
    Pending& p = queue.front();
    Response out;
    const bool idempotent = p.method != Method::kPost;
    for (;;) {
      co_await throttle();
      if (stopped) break;
      co_await once(p, out);
      if (stopped) break;
      std::chrono::milliseconds wait{0};
      if (out.status == 429) {
        const double after = out.retry_after_s;
        if (after > config.max_retry_after_s) {
          // Waiting it out would hold every later request of this queue: fail this one.
          out.error = fmt::format(
              "rate limited (429) with Retry-After {} s, beyond max_retry_after_s ({} s)", after,
              config.max_retry_after_s);
          ++stats.retry_after_refused;
          break;
        }
        wait = after >= 0 ? std::chrono::milliseconds(static_cast<long>(after * 1000))
                          : std::chrono::milliseconds(500 << std::min(out.attempts, 6));
        out.error = "rate limited (429)";
      } else if (idempotent && (out.status == 0 || out.status >= 500)) {
        wait = std::chrono::milliseconds(100 << std::min(out.attempts, 6));
      } else {
        break;
      }
      if (out.attempts > config.max_retries) break;
      log->warn("{}: {} {}: {}; retrying in {} ms (attempt {})", config.name, method_name(p.method),
                p.target, out.status ? std::to_string(out.status) : out.error, wait.count(),
                out.attempts);
      timer.expires_after(wait);
      co_await timer.async_wait(kNoThrow);
      if (stopped) break;
    }
    if (stopped) break;
    Pending done = std::move(queue.front());
    queue.pop_front();
    done.done(out);
    if (spare.size() < 8) spare.push_back(std::move(done.body));
  }
}

RestClient::RestClient(asio::io_context& io, RestConfig config, std::shared_ptr<spdlog::logger> log)
    : impl_(std::make_unique<Impl>(io, std::move(config), std::move(log))) {}

RestClient::~RestClient() = default;

void RestClient::request(Method method, std::string target, std::string body, Done done) {
  if (impl_->stopped) {
    Response r;
    r.error = "stopped";
    done(r);
    return;
  }
  impl_->queue.push_back({method, std::move(target), std::move(body), std::move(done)});
  if (!impl_->running) {
    impl_->running = true;
    asio::co_spawn(impl_->io, impl_->run(), asio::detached);
  } else if (impl_->queue.size() == 1) {
    impl_->idle.cancel();  // wakes the loop
  }
}

void RestClient::stop() {
  impl_->stopped = true;
  impl_->timer.cancel();
  impl_->idle.cancel();
  impl_->close();
  auto queue = std::move(impl_->queue);
  impl_->queue.clear();
  for (auto& p : queue) {
    Response r;
    r.error = "stopped";
    p.done(r);
  }
}

std::string RestClient::buffer() {
  if (impl_->spare.empty()) return {};
  std::string b = std::move(impl_->spare.back());
  impl_->spare.pop_back();
  b.clear();
  return b;
}

const RestStats& RestClient::stats() const noexcept {
  return impl_->stats;
}
std::size_t RestClient::pending() const noexcept {
  return impl_->queue.size();
}
std::shared_ptr<RateBudget> RestClient::budget() const noexcept {
  return impl_->config.budget;
}

}  // namespace ztrade::brokers::alpaca_paper
