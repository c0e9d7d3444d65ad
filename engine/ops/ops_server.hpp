#pragma once
// The HTTP ops endpoint of a process (Boost.Beast, on its own thread): /health and /live (the
// event loop has refreshed its metrics in the last 5 s), /ready (the component is ready),
// /metrics (Prometheus text) and /status (JSON). It only reads MetricsSnapshot, never the
// component's state, so it adds no locking to the hot path. Port 0 disables it.
#include <memory>
#include <string>
#include <thread>

#include "ops/metrics.hpp"

namespace ztrade::ops {

class OpsServer {
 public:
  // Binds 127.0.0.1:port (or `address`); throws std::runtime_error if it cannot.
  OpsServer(int port, MetricsSnapshot& snapshot, const std::string& address = "127.0.0.1");
  ~OpsServer();
  OpsServer(const OpsServer&) = delete;
  OpsServer& operator=(const OpsServer&) = delete;
  int port() const noexcept { return port_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace ztrade::ops
