#pragma once
// The gateway component: subscribes to everything the engine publishes (bars, trades, quotes,
// features, signals, orders, execution reports, positions, risk refusals, heartbeats), keeps
// per-symbol state in bounded memory, writes bars and trades to its history database, runs the
// scanner, and serves all of it over REST, a WebSocket stream and the dashboard
// (gateway/server.hpp) - on its own thread and event loop. It only subscribes: publishers
// never wait on a subscriber (ZeroMQ PUB drops at its high-water mark, counted as gaps here),
// so nothing the gateway or its clients do can slow the trading path.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <zmq.hpp>

#include "bus/publisher.hpp"
#include "bus/subscriber.hpp"
#include "gateway/gateway_config.hpp"
#include "gateway/history.hpp"
#include "gateway/market_state.hpp"
#include "gateway/rest_api.hpp"
#include "gateway/scanner.hpp"
#include "gateway/server.hpp"
#include "gateway/stream_hub.hpp"
#include "gateway/tick_to_order.hpp"
#include "ops/component.hpp"
#include "ops/metrics.hpp"
#include "ops/ops_server.hpp"
#include "ops/wiring.hpp"

namespace ztrade::gateway {

// What the host hands the gateway besides its section: secrets from the environment and where
// each symbol's data comes from.
struct GatewaySecrets {
  std::string token;           // read-only
  std::string operator_token;  // kill switch and cancel-all through the API
  std::string control_token;   // risk's control token, to forward operator commands
};

class GatewayComponent {
 public:
  // Throws std::runtime_error for a missing token, a port in use or an unusable database.
  GatewayComponent(zmq::context_t& context, const ops::Wiring& wiring, const GatewayConfig& config,
                   GatewaySecrets secrets, std::map<std::string, std::string> venues);
  ~GatewayComponent();
  GatewayComponent(GatewayComponent&&) = delete;
  int run(const std::atomic<bool>& stop);
  [[nodiscard]] int port() const noexcept { return server_->port(); }

 private:
  ApiSources sources();  // what the REST API reads besides the market state
  void on_message(const bus::Message& m);
  void tick();
  void poll_risk_state();
  std::string send_control(std::string_view verb);
  std::string summary_extra() const;
  void publish_metrics();

  const GatewayConfig& config_;
  std::shared_ptr<spdlog::logger> log_;
  zmq::context_t& context_;
  ops::Wiring wiring_;
  GatewaySecrets secrets_;
  std::map<std::string, std::string> venues_;  // symbol -> venue
  std::string default_venue_;
  bus::Publisher pub_;  // heartbeats only
  bus::Subscriber sub_;
  ops::Heartbeat heartbeat_{"gateway"};
  ops::Upstreams upstreams_{{"market-data", "signal-bridge", "risk", "execution"}};
  MarketState state_;
  Scanner scanner_;
  std::unique_ptr<History> history_;
  StreamHub hub_;
  RestApi api_;
  boost::asio::io_context io_;
  std::unique_ptr<Server> server_;
  TickToOrder latency_;
  std::uint64_t scanner_pushed_ = 0;  // the scanner version last pushed
  std::string risk_state_ = "unknown";
  std::unique_ptr<zmq::socket_t> state_req_;  // risk's control socket, polled for STATE
  bool state_pending_ = false;
  std::chrono::steady_clock::time_point state_sent_{};
  ops::OpsEndpoint ops_;
};

}  // namespace ztrade::gateway
