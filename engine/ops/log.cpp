#include <spdlog/sinks/stdout_color_sinks.h>

#include "ops/component.hpp"

namespace ztrade::ops {

std::shared_ptr<spdlog::logger> make_logger(const std::string& component,
                                            const std::string& level) {
  // stderr, one line per event: time, level, component, message (key=value pairs).
  auto logger = spdlog::get(component);
  if (!logger) logger = spdlog::stderr_color_mt(component);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %^%l%$ [%n] %v", spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(level));
  return logger;
}

}  // namespace ztrade::ops
