#include <spdlog/sinks/stdout_color_sinks.h>

#include <fstream>
#include <stdexcept>

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

namespace {
std::string read_key(const std::string& path, const char* what) {
  std::ifstream in(path);
  std::string key;
  if (!in || !std::getline(in, key)) {
    throw std::runtime_error(std::string("bus.curve.") + what + ": cannot read " + path);
  }
  while (!key.empty() && (key.back() == '\r' || key.back() == ' ')) key.pop_back();
  if (key.size() != 40) {
    throw std::runtime_error(std::string("bus.curve.") + what + ": " + path +
                             " must hold a 40-character Z85 key");
  }
  return key;
}
}  // namespace

bus::CurveKeys curve_keys(const EngineConfig& c) {
  if (!c.bus.curve.enabled) return {};
  return {read_key(c.bus.curve.public_key_file, "public_key_file"),
          read_key(c.bus.curve.secret_key_file, "secret_key_file"),
          read_key(c.bus.curve.server_public_key_file, "server_public_key_file")};
}

}  // namespace ztrade::ops
