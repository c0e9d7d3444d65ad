#pragma once
// How a host (an engine executable's main, or the Python module's config view) derives what
// components are given from the whole config: the endpoints, the wiring and the CURVE
// authenticator. Components themselves include only ops/wiring.hpp and their own section.
#include <memory>

#include <zmq.hpp>

#include "bus/zap_authenticator.hpp"
#include "ops/config.hpp"
#include "ops/wiring.hpp"

namespace ztrade::ops {

// The CURVE keys of bus.curve, read from their files (Z85 text, first line); empty keys when
// CURVE is off. Throws std::runtime_error naming the file if one is missing or malformed.
bus::CurveKeys curve_keys(const EngineConfig& c);

// With bus.curve.authorized_keys_file set, starts the ZAP handler that admits only the
// engine's own key and the listed ones on `context` (one per context: per process, or one for
// the threads deployment); nullptr otherwise. Throws std::runtime_error for an unreadable
// file or a malformed key (with its line number).
std::unique_ptr<bus::ZapAuthenticator> start_authenticator(zmq::context_t& context,
                                                           const EngineConfig& c);

// The wiring of `c`: its endpoints (ops/endpoints.hpp) and bus settings. Reads the CURVE key
// files; throws std::runtime_error naming a file that is missing or malformed.
Wiring wiring_for(const EngineConfig& c);

}  // namespace ztrade::ops
