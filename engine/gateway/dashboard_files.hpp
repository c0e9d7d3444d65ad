#pragma once
// The dashboard's files (engine/gateway/dashboard), embedded in the executable at build time
// by cmake/EmbedFiles.cmake: served by the gateway at / with no files to install.
#include <span>

#include "gateway/server.hpp"

namespace ztrade::gateway {

[[nodiscard]] std::span<const StaticFile> dashboard_files() noexcept;

}  // namespace ztrade::gateway
