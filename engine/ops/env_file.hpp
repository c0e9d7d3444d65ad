#pragma once
// Env files: KEY=VALUE lines holding secrets (API keys, the kill-switch token) for the
// environment of the engine's processes and tools. Blank lines and # comments are skipped, an
// `export ` prefix and matching quotes around a value are stripped. Values are never printed:
// an error names the file and the line, never what the line holds.
//
// What is refused, each with its own message: anything but a regular file (a directory, a
// FIFO, /dev/zero), a file over kMaxEnvFileBytes, a byte-order mark, `KEY = value` (spaces
// around '='), a key that is not a shell variable name.
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace ztrade::ops {

// An env file holds a few secrets: anything larger is a mistake (the wrong file).
inline constexpr std::size_t kMaxEnvFileBytes = 4u << 20;

struct EnvFile {
  std::vector<std::pair<std::string, std::string>> vars;  // in file order
  std::string error;  // "env file PATH: why" or "PATH:LINE: why"; empty if read
};

[[nodiscard]] EnvFile read_env_file(const std::string& path);

// Adds the variables to this process's environment at once (variables already set win; of a
// key repeated in the file, the first). Linear in the size of the environment and the file,
// where one setenv per variable would be quadratic.
void add_to_environment(const EnvFile& file);

}  // namespace ztrade::ops
