#pragma once
// What a component takes from the engine besides its own config section: where its sockets
// are, how they are sized and secured, where its files live and how much it logs. The host
// (apps/host.hpp, apps/engine/main.cpp) builds it once from the whole config with
// ops::wiring_for (ops/host_wiring.hpp); a component never sees the whole config, only this
// and its own section.
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "bus/publisher.hpp"
#include "bus/subscriber.hpp"
#include "ops/endpoints.hpp"
#include "ops/run_dir.hpp"

namespace ztrade::ops {

struct Wiring {
  Endpoints endpoints;
  std::string run_dir;    // engine.run_dir
  std::string log_level;  // engine.log_level
  int send_hwm = 100000;  // bus.send_hwm
  int receive_hwm = 100000;
  bus::CurveKeys curve;  // bus.curve's keys, read once; empty when CURVE is off
  // The inline deployment: components on one thread exchange messages through this route
  // (bus/local_route.hpp) instead of sockets; publishers still bind, for observers.
  bus::LocalRoute* local = nullptr;

  // A file named in a section: relative paths are under engine.run_dir.
  [[nodiscard]] std::string in_run_dir(const std::string& path) const {
    return under_run_dir(run_dir, path);
  }

  // Socket settings shared by every component. Bound sockets are CURVE servers, connecting
  // ones clients, when bus.curve.enabled.
  [[nodiscard]] bus::PublisherConfig publisher(const std::string& endpoint,
                                               const std::string& also_bind) const {
    bus::PublisherConfig p;
    p.endpoint = endpoint;
    p.also_bind = also_bind;
    p.send_hwm = send_hwm;
    p.curve = curve;
    p.local = local;
    return p;
  }
  [[nodiscard]] bus::SubscriberConfig subscriber(
      std::vector<std::string> from, std::initializer_list<std::string_view> topics) const {
    bus::SubscriberConfig s;
    s.endpoints = std::move(from);
    s.topics.assign(topics.begin(), topics.end());
    s.receive_hwm = receive_hwm;
    s.curve = curve;
    s.local = local;
    return s;
  }
};

}  // namespace ztrade::ops
