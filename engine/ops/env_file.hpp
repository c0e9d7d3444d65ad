#pragma once
// Env files: KEY=VALUE lines holding secrets (API keys, the kill-switch token) for the
// environment of the engine's processes and tools. Blank lines and # comments are skipped, an
// `export ` prefix and matching quotes around a value are stripped. Values are never printed.
#include <string>
#include <utility>
#include <vector>

namespace ztrade::ops {

struct EnvFile {
  std::vector<std::pair<std::string, std::string>> vars;  // in file order
  std::string error;  // "PATH: cannot read" or "PATH:LINE: expected KEY=VALUE"; empty if read
};

EnvFile read_env_file(const std::string& path);

}  // namespace ztrade::ops
