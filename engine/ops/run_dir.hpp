#pragma once
// Files a config section names (execution.journal, market_data.record_file) live under
// engine.run_dir unless given as absolute paths.
#include <filesystem>
#include <string>

namespace ztrade::ops {

inline std::string under_run_dir(const std::string& run_dir, const std::string& path) {
  const std::filesystem::path p(path);
  return p.is_absolute() ? p.string() : (std::filesystem::path(run_dir) / p).string();
}

}  // namespace ztrade::ops
