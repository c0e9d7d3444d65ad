#pragma once
// Secrets (API keys, the kill-switch token) come from the environment - set directly or by an
// env file the host loads - never from the config, and are never logged.
#include <cstdlib>
#include <string>

namespace ztrade::core {

// The value of environment variable `name`; empty when it is unset (or `name` is empty).
inline std::string secret_from_env(const std::string& name) {
  const char* v = name.empty() ? nullptr : std::getenv(name.c_str());
  return v ? std::string(v) : std::string();
}

}  // namespace ztrade::core
