#include "apps/host.hpp"

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>

namespace ztrade::apps {

std::atomic<bool> g_stop{false};

namespace {
void on_signal(int) {
  g_stop.store(true);
}
}  // namespace

std::optional<ops::EngineConfig> load(int argc, char** argv, const char* program, int& exit_code) {
  std::string path;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--config" || arg == "-c") && i + 1 < argc) {
      path = argv[++i];
    } else if (arg.rfind("--config=", 0) == 0) {
      path = arg.substr(9);
    } else if (arg == "--help" || arg == "-h") {
      std::cout << "usage: " << program << " --config FILE\n"
                << "  FILE: the engine's TOML configuration (see docs/configuration.md).\n"
                << "  Any key can be overridden with ZTRADE__<section>__<key>=<value>.\n";
      exit_code = 0;
      return std::nullopt;
    } else {
      std::cerr << program << ": unknown argument '" << arg << "' (try --help)\n";
      exit_code = 2;
      return std::nullopt;
    }
  }
  if (path.empty()) {
    std::cerr << program << ": --config FILE is required (try --help)\n";
    exit_code = 2;
    return std::nullopt;
  }
  const ops::ConfigResult r = ops::load_config(path, ops::process_environment());
  if (!r.ok()) {
    std::cerr << program << ": invalid configuration (" << r.errors.size() << " problem"
              << (r.errors.size() == 1 ? "" : "s") << "):\n";
    for (const auto& e : r.errors) std::cerr << "  " << e << "\n";
    exit_code = 2;
    return std::nullopt;
  }
  return r.config;
}

void prepare(const ops::EngineConfig& config) {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  std::filesystem::create_directories(config.engine.run_dir);
}

std::string secret(const std::string& env_var) {
  const char* v = env_var.empty() ? nullptr : std::getenv(env_var.c_str());
  return v ? std::string(v) : std::string();
}

}  // namespace ztrade::apps
