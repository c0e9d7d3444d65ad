#pragma once
// One WebSocket connection to a venue, kept up: TLS (certificate and host name verified
// against the system store or a configured CA file, SNI set), the WebSocket upgrade,
// keep-alive pings with a staleness timeout, and reconnects with exponential backoff and
// jitter. The protocol (auth, subscriptions, what frames mean) lives in a Handler: it is told
// when a connection opens - and re-authenticates and resubscribes everything there - and gets
// every text frame, padded for simdjson, with its receive time.
//
// Runs on the caller's io_context (the market-data thread): handlers are called on that
// thread and nothing here locks. Beast and OpenSSL stay inside client.cpp.
#include <simdjson.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <spdlog/logger.h>
#include <boost/asio/io_context.hpp>

#include "venues/websocket/url.hpp"

namespace ztrade::venues::websocket {

struct ClientConfig {
  std::string name;  // for logs and metrics, e.g. "kraken"
  Url url;
  std::string ca_file;  // PEM bundle to trust instead of the system store (private gateways, tests)
  std::chrono::milliseconds connect_timeout{10'000};  // TCP + TLS + upgrade
  // No frame (data, pong or heartbeat) for this long: send a ping; no answer within as long
  // again: the connection is stale and is dropped and re-established.
  std::chrono::milliseconds idle_timeout{10'000};
  std::chrono::milliseconds backoff_initial{250};
  std::chrono::milliseconds backoff_max{30'000};
  // Hand binary frames to the handler like text ones: Alpaca's paper trading stream sends its
  // JSON in binary frames. Off: binary frames are counted and ignored (we never ask for
  // MessagePack).
  bool binary_as_text = false;
};

struct ConnectionStats {
  bool connected = false;
  std::uint64_t connects = 0;       // successful upgrades
  std::uint64_t attempts = 0;       // connection attempts, successful or not
  std::uint64_t disconnects = 0;    // connections lost or dropped (stale, error, resync)
  std::uint64_t stale = 0;          // of those, dropped as stale (no frame, no pong in time)
  std::uint64_t frames = 0;         // frames handed to the handler
  std::uint64_t binary_frames = 0;  // binary frames received (ignored unless binary_as_text)
  std::uint64_t bytes = 0;
  std::uint64_t sent = 0;          // frames sent
  std::int64_t last_frame_ns = 0;  // wall clock of the last frame received
  std::string last_error;          // why the last connection ended or failed
};

class Client;

class Handler {
 public:
  virtual ~Handler() = default;
  // A new connection is up: authenticate and subscribe (everything, every time).
  virtual void on_open(Client& client) = 0;
  // One text frame: `frame` has SIMDJSON_PADDING readable bytes after it, valid until return.
  virtual void on_frame(Client& client, simdjson::padded_string_view frame,
                        std::int64_t receive_ns) = 0;
  // The connection ended (the client reconnects unless stopped).
  virtual void on_close(Client& client, std::string_view reason) = 0;
};

class Client {
 public:
  Client(boost::asio::io_context& io, ClientConfig config, Handler& handler,
         std::shared_ptr<spdlog::logger> log);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  void start();
  // Closes the connection and stops reconnecting (shutdown, or an error retrying cannot fix).
  void stop(std::string_view why = "stopped");
  // Sends a text frame on the current connection; dropped (false) when not connected - the
  // handler resends its state from on_open.
  bool send(std::string text);
  // Drops the current connection; the client reconnects after the backoff delay.
  void reconnect(std::string_view why);
  // The connection proved healthy (e.g. subscribed): the next outage starts the backoff over.
  void healthy();

  const ClientConfig& config() const noexcept;
  const ConnectionStats& stats() const noexcept;
  bool stopped() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ztrade::venues::websocket
