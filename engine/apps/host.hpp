#pragma once
// What every engine executable's main() shares: command-line parsing (--config FILE), config
// loading with every error listed, SIGINT/SIGTERM handling, and the run directory.
#include <atomic>
#include <cstdio>
#include <exception>
#include <initializer_list>
#include <optional>
#include <string>

#include <zmq.hpp>

#include "core/secret.hpp"
#include "ops/component.hpp"
#include "ops/config.hpp"
#include "ops/host_wiring.hpp"

namespace ztrade::apps {

// Set by SIGINT/SIGTERM; components poll it.
extern std::atomic<bool> g_stop;

// Parses argv, loads and validates the config (with ZTRADE__* overrides), prints problems to
// stderr. Returns nothing when the process should exit (exit_code says with what).
std::optional<ops::EngineConfig> load(int argc, char** argv, const char* program, int& exit_code);

// Installs the signal handlers, creates engine.run_dir (mode 0700), takes the run directory's
// lock for each of `components` and applies engine.cpus. False (with the reason on stderr)
// when the process cannot run as configured - e.g. the same component already runs on this
// run directory: a second one would re-bind its ipc sockets and take them from the first.
bool prepare(const ops::EngineConfig& config, const char* program,
             std::initializer_list<const char*> components);

// The whole main() of a one-component executable: load the config, prepare, build the
// component with make(context, config, wiring) - handing it its own section and the wiring -
// and run it until SIGINT/SIGTERM.
template <class Make>
int host(int argc, char** argv, const char* program, const char* name, Make make) {
  int rc = 0;
  const auto config = load(argc, argv, program, rc);
  if (!config) return rc;
  if (!prepare(*config, program, {name})) return 1;
  try {
    const ops::Wiring wiring = ops::wiring_for(*config);
    zmq::context_t context;
    const auto authenticator = ops::start_authenticator(context, *config);
    auto component = make(context, *config, wiring);
    return component.run(g_stop);
  } catch (const std::exception& e) {
    // A socket that cannot bind, an unreadable journal, ...: say what, exit non-zero.
    std::fprintf(stderr, "%s: %s\n", program, e.what());
    return 1;
  }
}

}  // namespace ztrade::apps
