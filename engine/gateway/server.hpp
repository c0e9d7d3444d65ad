#pragma once
// The gateway's HTTP and WebSocket server (Boost.Beast), on the gateway's own io_context: the
// REST API, the push stream at /v1/stream and the dashboard's files. It enforces what a
// client may cost - connections at once, requests per second per address, header and body
// sizes, a read deadline, a bounded queue per stream client - and answers every refusal with a
// JSON error, never by failing the process. TLS (https/wss) when a certificate is configured.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>

#include "gateway/gateway_config.hpp"
#include "gateway/rest_api.hpp"
#include "gateway/stream_hub.hpp"

namespace ztrade::gateway {

// A file the server serves as is (the dashboard, embedded in the executable).
struct StaticFile {
  std::string_view path;  // "/", "/app.js", ...
  std::string_view content_type;
  std::string_view bytes;
};

struct ServerStats {
  std::uint64_t requests = 0, refused_connections = 0, rate_limited = 0, bad_requests = 0,
                too_large = 0, stream_connects = 0, slow_disconnects = 0, tls_failures = 0;
  std::size_t connections = 0, stream_clients = 0;
};

class Server {
 public:
  using Rest = std::function<ApiResponse(const ApiRequest&)>;
  // Binds config.bind:config.port (0: any free port, see port()). Throws std::runtime_error
  // when it cannot bind or the TLS files cannot be read.
  Server(boost::asio::io_context& io, const GatewayConfig& config, Rest rest, StreamHub& hub,
         std::string stream_token, std::span<const StaticFile> files);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  [[nodiscard]] int port() const noexcept;
  // An update to every stream client that wants it.
  void push(Channel c, std::string_view symbol, const Payload& p);
  // Conflated values out to their clients; due every few milliseconds.
  void flush_conflated();
  [[nodiscard]] ServerStats stats() const noexcept;
  [[nodiscard]] bool has_stream_clients() const noexcept;
  // Stops accepting and closes every connection.
  void stop();

  struct Impl;  // public so the sessions in server.cpp can name it; defined there only

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace ztrade::gateway
