// The only translation unit that includes Boost.Beast for the ops endpoint (Beast is heavy to
// compile; keeping it here keeps the build fast).
#include "ops/ops_server.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <stdexcept>

namespace ztrade::ops {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct OpsServer::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  MetricsSnapshot& snapshot;
  explicit Impl(MetricsSnapshot& s) : snapshot(s) {}

  http::response<http::string_body> respond(const http::request<http::string_body>& req) {
    http::response<http::string_body> res;
    res.version(req.version());
    res.keep_alive(false);
    const std::string target(req.target());
    auto set = [&](http::status status, std::string body, const char* type) {
      res.result(status);
      res.set(http::field::content_type, type);
      res.body() = std::move(body);
    };
    std::lock_guard lock(snapshot.mutex);
    const bool fresh =
        snapshot.updated.time_since_epoch().count() != 0 &&
        std::chrono::steady_clock::now() - snapshot.updated < std::chrono::seconds(5);
    if (req.method() != http::verb::get) {
      set(http::status::method_not_allowed, "GET only\n", "text/plain");
    } else if (target == "/health" || target == "/live") {
      set(fresh ? http::status::ok : http::status::service_unavailable,
          fresh ? "ok\n" : "event loop stalled\n", "text/plain");
    } else if (target == "/ready") {
      const bool ok = fresh && snapshot.ready;
      set(ok ? http::status::ok : http::status::service_unavailable, ok ? "ready\n" : "not ready\n",
          "text/plain");
    } else if (target == "/metrics") {
      set(http::status::ok, snapshot.prometheus, "text/plain; version=0.0.4");
    } else if (target == "/status") {
      set(http::status::ok, snapshot.status_json, "application/json");
    } else {
      set(http::status::not_found, "try /health /ready /live /metrics /status\n", "text/plain");
    }
    res.prepare_payload();
    return res;
  }

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;  // closed: shutting down
      auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
      auto buffer = std::make_shared<beast::flat_buffer>();
      auto req = std::make_shared<http::request<http::string_body>>();
      stream->expires_after(std::chrono::seconds(5));  // a slow client cannot hold the thread
      http::async_read(
          *stream, *buffer, *req, [this, stream, buffer, req](beast::error_code rec, std::size_t) {
            if (rec) return;
            auto res = std::make_shared<http::response<http::string_body>>(respond(*req));
            http::async_write(*stream, *res, [stream, res](beast::error_code, std::size_t) {
              beast::error_code ignored;
              stream->socket().shutdown(tcp::socket::shutdown_send, ignored);
            });
          });
      accept();
    });
  }
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
