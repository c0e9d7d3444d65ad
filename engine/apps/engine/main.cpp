// ztrade-engine: the four components as threads of one process over inproc:// - the same
// components as the four executables, chosen by engine.deployment = "threads" - or, with
// engine.deployment = "inline", all four on one thread with direct dispatch
// (apps/inline_host.hpp).
//
// One process is one service: when any trading component fails (an unreadable replay file, a
// venue that refuses the keys, an exception), every other component is stopped too and the
// process exits non-zero naming the one that failed - never a process that looks alive with a
// dead part inside it. Readiness and the systemd watchdog likewise cover all four
// (ServiceNotifier). The gateway only observes: its failure is reported at once and stops
// nothing - trading goes on - and the process exits kGatewayFailedExit at the end to say so.
#include <array>
#include <cstdio>
#include <memory>
#include <optional>
#include <string_view>
#include <thread>

#include "apps/gateway_secrets.hpp"
#include "apps/host.hpp"
#include "apps/inline_host.hpp"
#include "execution/execution_component.hpp"
#include "gateway/gateway_component.hpp"
#include "market_data/market_data_component.hpp"
#include "risk/risk_component.hpp"
#include "signals/signal_bridge_component.hpp"

namespace {

struct Outcome {
  std::string_view name;
  int code = 0;
  std::string error;  // an exception's text
};

// The exit status of a session whose trading ran to its end while the gateway had failed.
constexpr int kGatewayFailedExit = 3;

// Runs one component; a failure of a trading component stops the others, a failure of the
// gateway (an observer) stops nothing and is said at once.
template <class Component>
void run_component(Component& component, Outcome& out, bool stops_others = true) {
  try {
    out.code = component.run(ztrade::apps::g_stop);
  } catch (const std::exception& e) {
    out.code = 1;
    out.error = e.what();
  } catch (...) {
    out.code = 1;
    out.error = "an exception that is not a std::exception";
  }
  if (out.code == 0) return;
  if (stops_others) {
    ztrade::apps::g_stop.store(true);
  } else {
    std::fprintf(stderr, "ztrade-engine: %.*s failed (exit %d)%s%s; trading continues without it\n",
                 static_cast<int>(out.name.size()), out.name.data(), out.code,
                 out.error.empty() ? "" : ": ", out.error.c_str());
  }
}

// The gateway's failure, said again at the end: the exit status for a session whose trading
// succeeded (`rc` 0) but whose gateway did not.
int with_gateway(int rc, const Outcome& gateway) {
  if (gateway.code == 0 || rc != 0) return rc;
  std::fprintf(stderr,
               "ztrade-engine: the gateway failed during the session (%s); trading ran to its end "
               "(exit %d)\n",
               gateway.error.empty() ? "see above" : gateway.error.c_str(), kGatewayFailedExit);
  return kGatewayFailedExit;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ztrade;
  int rc = 0;
  auto config = apps::load(argc, argv, "ztrade-engine", rc);
  if (!config) return rc;
  if (config->engine.deployment != "inline") config->engine.deployment = "threads";
  if (!apps::prepare(*config, "ztrade-engine",
                     {"execution", "risk", "signal-bridge", "market-data"}) ||
      (config->gateway.enabled && !apps::prepare(*config, "ztrade-engine", {"gateway"}))) {
    return 1;
  }
  if (config->engine.deployment == "inline") {
    // The gateway is not part of the inline cascade: a thread of its own that subscribes to
    // the sockets the inline components write for observers.
    try {
      zmq::context_t context;
      const auto authenticator = ops::start_authenticator(context, *config);
      std::optional<gateway::GatewayComponent> gateway;
      if (config->gateway.enabled) {
        ops::Wiring w = ops::wiring_for(*config);
        const auto& x = w.endpoints.external;
        w.endpoints = {x.market_data,
                       x.market_data_control,
                       x.signals,
                       x.signal_ingress,
                       x.risk,
                       x.risk_control,
                       x.execution,
                       x.gateway,
                       {}};
        gateway.emplace(context, w, config->gateway, apps::gateway_secrets(*config),
                        apps::symbol_venues(*config));
      }
      Outcome outcome{"gateway", 0, {}};
      std::jthread gateway_thread;
      if (gateway) {
        gateway_thread = std::jthread([&] { run_component(*gateway, outcome, false); });
      }
      const int inline_rc = apps::run_inline(*config);
      apps::g_stop.store(true);
      if (gateway_thread.joinable()) gateway_thread.join();
      return with_gateway(inline_rc, outcome);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "ztrade-engine: %s\n", e.what());
      return 1;
    }
  }
  try {
    const auto wiring = ops::wiring_for(*config);
    zmq::context_t context;
    const auto authenticator = ops::start_authenticator(context, *config);
    // Publishers bind before anyone connects (inproc requires it in older libzmq). Each
    // component gets the wiring and its own section only.
    execution::ExecutionComponent execution(context, wiring, config->execution);
    risk::RiskComponent risk(context, wiring, config->risk,
                             core::secret_from_env(config->risk.control_token_env));
    signals::SignalBridgeComponent bridge(context, wiring, config->signal_bridge, config->strategy);
    market_data::MarketDataComponent market(context, wiring, config->market_data,
                                            ops::lockstep(*config));
    // The gateway, when enabled, is a fifth thread: it only subscribes.
    std::optional<gateway::GatewayComponent> gateway;
    if (config->gateway.enabled) {
      gateway.emplace(context, wiring, config->gateway, apps::gateway_secrets(*config),
                      apps::symbol_venues(*config));
    }
    std::array<Outcome, 5> outcomes{{{"execution", 0, {}},
                                     {"risk", 0, {}},
                                     {"signal-bridge", 0, {}},
                                     {"market-data", 0, {}},
                                     {"gateway", 0, {}}}};
    {
      std::array<std::jthread, 4> threads{
          std::jthread([&] { run_component(execution, outcomes[0]); }),
          std::jthread([&] { run_component(risk, outcomes[1]); }),
          std::jthread([&] { run_component(bridge, outcomes[2]); }),
          std::jthread([&] { run_component(market, outcomes[3]); }),
      };
      std::jthread gateway_thread;
      if (gateway) {
        gateway_thread = std::jthread([&] { run_component(*gateway, outcomes[4], false); });
      }
    }
    for (std::size_t i = 0; i < 4; ++i) {
      const Outcome& o = outcomes[i];
      if (o.code == 0) continue;
      std::fprintf(stderr, "ztrade-engine: %.*s failed (exit %d)%s%s; stopped every component\n",
                   static_cast<int>(o.name.size()), o.name.data(), o.code,
                   o.error.empty() ? "" : ": ", o.error.c_str());
      return o.code;
    }
    return with_gateway(0, outcomes[4]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ztrade-engine: %s\n", e.what());
    return 1;
  }
}
