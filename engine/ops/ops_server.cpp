// The only translation unit that includes Boost.Beast for the ops endpoint (Beast is heavy to
// compile; keeping it here keeps the build fast).
#include "ops/ops_server.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "ops/component.hpp"
#include "ops/log_limit.hpp"

namespace ztrade::ops {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// What a client can cost the process: at most kMaxConnections at a time (more are accepted
// and closed at once), a header of at most kMaxHeader bytes and no body (a GET has none; one
// with a body is refused before the body is read), 5 s to send its request.
constexpr int kMaxConnections = 32;
constexpr std::uint32_t kMaxHeader = 8 * 1024;

struct OpsServer::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  asio::steady_timer rearm{io};
  std::chrono::milliseconds backoff{0};
  MetricsSnapshot& snapshot;
  int active = 0;  // connections being served (the io thread only)
  std::atomic<std::uint64_t> accept_errors{0}, refused{0}, bad_requests{0};
  explicit Impl(MetricsSnapshot& s) : snapshot(s) {}

  // "/health", "/health/", "/health?x=1" are one resource.
  static std::string_view path_of(std::string_view target) {
    target = target.substr(0, target.find_first_of("?#"));
    while (target.size() > 1 && target.back() == '/') target.remove_suffix(1);
    return target;
  }

  std::string own_metrics() const {
    return fmt::format(
        "ztrade_ops_accept_errors_total {}\nztrade_ops_connections_refused_total {}\n"
        "ztrade_ops_bad_requests_total {}\n",
        accept_errors.load(), refused.load(), bad_requests.load());
  }

  http::response<http::string_body> respond(http::verb method, std::string_view target,
                                            unsigned version) {
    http::response<http::string_body> res;
    res.version(version);
    res.keep_alive(false);
    auto set = [&](http::status status, std::string body, const char* type) {
      res.result(status);
      res.set(http::field::content_type, type);
      res.body() = std::move(body);
    };
    const std::string_view path = path_of(target);
    std::lock_guard lock(snapshot.mutex);
    const bool fresh =
        snapshot.updated.time_since_epoch().count() != 0 &&
        std::chrono::steady_clock::now() - snapshot.updated < std::chrono::seconds(5);
    if (method != http::verb::get && method != http::verb::head) {
      set(http::status::method_not_allowed, "GET only\n", "text/plain");
      res.set(http::field::allow, "GET, HEAD");
    } else if (path == "/health" || path == "/live") {
      set(fresh ? http::status::ok : http::status::service_unavailable,
          fresh ? "ok\n" : "event loop stalled\n", "text/plain");
    } else if (path == "/ready") {
      const bool ok = fresh && snapshot.ready;
      set(ok ? http::status::ok : http::status::service_unavailable, ok ? "ready\n" : "not ready\n",
          "text/plain");
    } else if (path == "/metrics") {
      set(http::status::ok, snapshot.prometheus + own_metrics(), "text/plain; version=0.0.4");
    } else if (path == "/status") {
      // Before the component's first snapshot there is no status: 503 with a JSON reason, never
      // a 200 whose empty body is not JSON.
      if (snapshot.status_json.empty()) {
        set(http::status::service_unavailable,
            R"({"error":{"code":"starting","message":"no status yet: the component is starting"}})",
            "application/json");
      } else {
        set(http::status::ok, snapshot.status_json, "application/json");
      }
    } else {
      set(http::status::not_found, "try /health /ready /live /metrics /status\n", "text/plain");
    }
    res.prepare_payload();
    return res;
  }

  static void send(const std::shared_ptr<beast::tcp_stream>& stream,
                   std::shared_ptr<http::response<http::string_body>> res,
                   std::shared_ptr<int> done) {
    http::async_write(*stream, *res, [stream, res, done](beast::error_code, std::size_t) {
      beast::error_code ignored;
      stream->socket().shutdown(tcp::socket::shutdown_send, ignored);
    });
  }

  void serve(tcp::socket socket) {
    ++active;
    // Decrements `active` when the last handler holding it is gone.
    auto done = std::shared_ptr<int>(new int(0), [this](int* p) {
      --active;
      delete p;
    });
    auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
    auto buffer = std::make_shared<beast::flat_buffer>(kMaxHeader);
    auto parser = std::make_shared<http::request_parser<http::empty_body>>();
    parser->header_limit(kMaxHeader);
    parser->body_limit(0);
    stream->expires_after(std::chrono::seconds(5));  // a slow client cannot hold a connection
    http::async_read_header(
        *stream, *buffer, *parser,
        [this, stream, buffer, parser, done](beast::error_code ec, std::size_t) {
          const auto& req = parser->get();
          const bool has_body =
              !ec && (parser->content_length().value_or(0) > 0 || parser->chunked());
          if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
              ec == asio::error::connection_reset) {
            return;  // the client went away or never finished: nothing to answer
          }
          if (ec || has_body) {
            ++bad_requests;
            const bool too_large = has_body || ec == http::error::body_limit;
            auto res = std::make_shared<http::response<http::string_body>>(
                too_large ? http::status::payload_too_large : http::status::bad_request, 11);
            res->set(http::field::content_type, "text/plain");
            res->body() = too_large ? std::string("a request here has no body\n")
                                    : "bad request: " + ec.message() + "\n";
            res->keep_alive(false);
            res->prepare_payload();
            send(stream, res, done);
            return;
          }
          send(stream,
               std::make_shared<http::response<http::string_body>>(
                   respond(req.method(), req.target(), req.version())),
               done);
        });
  }

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;  // shutting down
      if (ec) {
        // Out of file descriptors (EMFILE), or the like: keep the endpoint alive - try again
        // after a pause that grows to 1 s, and say so once a second at most.
        ++accept_errors;
        backoff = std::min(std::chrono::milliseconds(1000),
                           std::max(std::chrono::milliseconds(10), backoff * 2));
        accept_log.warn(*log, "ops endpoint: accept failed ({}); retrying in {} ms", ec.message(),
                        backoff.count());
        rearm.expires_after(backoff);
        rearm.async_wait([this](beast::error_code wec) {
          if (!wec) accept();
        });
        return;
      }
      backoff = std::chrono::milliseconds(0);
      if (active >= kMaxConnections) {
        ++refused;
        beast::error_code ignored;
        socket.close(ignored);
      } else {
        serve(std::move(socket));
      }
      accept();
    });
  }
  LogLimiter accept_log;
  std::shared_ptr<spdlog::logger> log = make_logger("ops-http", "info");
};

OpsServer::OpsServer(int port, MetricsSnapshot& snapshot, const std::string& address)
    : impl_(std::make_unique<Impl>(snapshot)) {
  try {
    const tcp::endpoint ep(asio::ip::make_address(address), static_cast<unsigned short>(port));
    impl_->acceptor.open(ep.protocol());
    impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
    impl_->acceptor.bind(ep);
    impl_->acceptor.listen();
    port_ = impl_->acceptor.local_endpoint().port();
  } catch (const std::exception& e) {
    throw std::runtime_error("ops endpoint: cannot listen on " + address + ":" +
                             std::to_string(port) + ": " + e.what());
  }
  impl_->accept();
  thread_ = std::thread([this] { impl_->io.run(); });
}

OpsServer::~OpsServer() {
  asio::post(impl_->io, [this] {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
    impl_->io.stop();
  });
  if (thread_.joinable()) thread_.join();
}

}  // namespace ztrade::ops
