#include "ops/host_wiring.hpp"

#include <fstream>
#include <set>
#include <stdexcept>

#include "ops/component.hpp"

namespace ztrade::ops {

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

std::unique_ptr<bus::ZapAuthenticator> start_authenticator(zmq::context_t& context,
                                                           const EngineConfig& c) {
  const auto& file = c.bus.curve.authorized_keys_file;
  if (!c.bus.curve.enabled || file.empty()) return nullptr;
  std::set<std::string> allowed{read_key(c.bus.curve.public_key_file, "public_key_file")};
  std::ifstream in(file);
  if (!in) throw std::runtime_error("bus.curve.authorized_keys_file: cannot read " + file);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    const auto start = line.find_first_not_of(' ');
    if (start == std::string::npos || line[start] == '#') continue;
    line = line.substr(start);
    if (line.size() != 40) {
      throw std::runtime_error("bus.curve.authorized_keys_file: " + file + ":" + std::to_string(n) +
                               ": expected a 40-character Z85 public key");
    }
    allowed.insert(line);
  }
  auto log = make_logger("auth", c.engine.log_level);
  log->info("CURVE clients restricted to {} key(s) from {}", allowed.size(), file);
  return std::make_unique<bus::ZapAuthenticator>(
      context, std::move(allowed), [log](std::string_view key, std::string_view address) {
        // The key is public; logging it tells the operator which one to add.
        log->warn("refused a CURVE client with key {} from {}", key.empty() ? "(none)" : key,
                  address.empty() ? "(local)" : address);
      });
}

bus::CurveKeys curve_keys(const EngineConfig& c) {
  if (!c.bus.curve.enabled) return {};
  return {read_key(c.bus.curve.public_key_file, "public_key_file"),
          read_key(c.bus.curve.secret_key_file, "secret_key_file"),
          read_key(c.bus.curve.server_public_key_file, "server_public_key_file")};
}

Wiring wiring_for(const EngineConfig& c) {
  return Wiring{endpoints_for(c), c.engine.run_dir,  c.engine.log_level,
                c.bus.send_hwm,   c.bus.receive_hwm, curve_keys(c)};
}

}  // namespace ztrade::ops
