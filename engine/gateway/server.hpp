#pragma once
// The gateway's HTTP and WebSocket server (Boost.Beast), on the gateway's own io_context: the
// REST API, the push stream at /v1/stream and the dashboard's files. It enforces what a
// client may cost - connections at once, requests per second per address, header and body
// sizes, a read deadline, a bounded queue per stream client - and answers every refusal with a
// JSON error, never by failing the process. TLS (https/wss) when a certificate is configured.
//
// What no client can take from the others: a stream client that sends and never reads stops
// being read once kMaxReplyBytes of answers wait for it (TCP pushes back; nothing more is
// queued) and is dropped when its updates fall client_queue behind; a stream connection that
// has not authenticated within kAuthDeadline is closed, and such connections hold at most a
// quarter of max_connections - the rest is kept for authenticated clients; requests without
// a valid token are rate-limited apart from authenticated ones (a token-less flood from an
// address does not lock out the dashboard at the same address).
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
                too_large = 0, stream_connects = 0, slow_disconnects = 0, tls_failures = 0,
                auth_timeouts = 0, unauthenticated_refused = 0, reads_paused = 0;
  std::size_t connections = 0, stream_clients = 0, unauthenticated_streams = 0;
};

class Server {
 public:
  using Rest = std::function<ApiResponse(const ApiRequest&)>;
  // Binds config.bind:config.port (0: any free port, see port()). Throws std::runtime_error
  // when it cannot bind or the TLS files cannot be read.
  // `stream_token` and `operator_token`: what counts as authenticated for the rate limit
  // (the REST API itself checks them again, per route).
  Server(boost::asio::io_context& io, const GatewayConfig& config, Rest rest, StreamHub& hub,
         std::string stream_token, std::span<const StaticFile> files,
         std::string operator_token = {});
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
