#pragma once
#include <zmq.hpp>

#include "bus/endpoint.hpp"

namespace ztrade::bus {
// Applies CURVE keys to a socket: as server when `server`, else as client. No-op without keys.
// Throws std::invalid_argument for keys that are not 40-character Z85 strings.
void apply_curve(zmq::socket_t& socket, const CurveKeys& keys, bool server);
}  // namespace ztrade::bus
