#pragma once
// Where a bus socket binds or connects, and how: an endpoint string (ipc://, tcp:// or
// inproc://), high-water marks, and optional CURVE keys (read from files by the config loader).
#include <string>
#include <vector>

namespace ztrade::bus {

class LocalRoute;  // bus/local_route.hpp

struct CurveKeys {
  // Z85-encoded 40-character keys. Empty public_key: CURVE off.
  std::string public_key;
  std::string secret_key;
  std::string server_public_key;  // for a connecting (client) socket
};

struct PublisherConfig {
  std::string endpoint;   // bind address, e.g. ipc:///run/ztrade/md.sock
  std::string also_bind;  // optional second address (threads deployment: ipc for tools)
  int send_hwm = 100000;
  CurveKeys curve;  // a PUB with CURVE keys is a CURVE server
  // The inline deployment: every publish is also handed to this route's in-process
  // subscribers (the socket still binds, for observers outside the process).
  LocalRoute* local = nullptr;
};

struct SubscriberConfig {
  std::vector<std::string> endpoints;  // connect addresses (one per upstream publisher)
  std::vector<std::string> topics;     // prefixes; empty = everything
  int receive_hwm = 100000;
  CurveKeys curve;  // client keys + server_public_key
  // The inline deployment: receive from this route's in-process publishers at `endpoints`
  // instead of connecting to them.
  LocalRoute* local = nullptr;
};

}  // namespace ztrade::bus
