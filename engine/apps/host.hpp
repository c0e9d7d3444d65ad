#pragma once
// What every engine executable's main() shares: command-line parsing (--config FILE), config
// loading with every error listed, SIGINT/SIGTERM handling, and the run directory.
#include <atomic>
#include <optional>
#include <string>

#include "ops/config.hpp"

namespace ztrade::apps {

// Set by SIGINT/SIGTERM; components poll it.
extern std::atomic<bool> g_stop;

// Parses argv, loads and validates the config (with ZTRADE__* overrides), prints problems to
// stderr. Returns nothing when the process should exit (exit_code says with what).
std::optional<ops::EngineConfig> load(int argc, char** argv, const char* program, int& exit_code);

// Installs the signal handlers and creates engine.run_dir.
void prepare(const ops::EngineConfig& config);

// Reads a secret from the environment (never logged).
std::string secret(const std::string& env_var);

}  // namespace ztrade::apps
