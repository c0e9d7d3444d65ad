#pragma once
// The inline deployment (engine.deployment = "inline"): the four components on the calling
// thread with direct dispatch - a publish is handed to the subscribers in the process at once
// (bus/local_route.hpp), with no socket and no thread wake-up between components - while every
// publisher still binds its sockets, so observers outside (the launcher's tap, `ztrade tap`,
// CLI tools) see the same bus as in the other deployments.
//
// Market-data drives the thread: its source (replay, synthetic, live) publishes, and the
// waits between its events are lent to the other components (ticks, the kill switch's control
// socket, the ingress of external strategies, the broker's connections). One component
// failing stops all four, and the process exits non-zero naming it, as in the threads
// deployment.
#include "ops/config.hpp"

namespace ztrade::apps {

// Runs until SIGINT/SIGTERM (apps::g_stop); returns the process exit code.
int run_inline(const ops::EngineConfig& config);

}  // namespace ztrade::apps
