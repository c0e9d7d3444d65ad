#include "ops/systemd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace ztrade::ops {

bool sd_notify(std::string_view message) noexcept {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (path == nullptr || path[0] == '\0') return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::size_t len = std::strlen(path);
  if (len >= sizeof(addr.sun_path)) return false;
  std::memcpy(addr.sun_path, path, len);
  if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const auto addr_len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + len);
  const ssize_t sent = ::sendto(fd, message.data(), message.size(), MSG_NOSIGNAL,
                                reinterpret_cast<const sockaddr*>(&addr), addr_len);
  ::close(fd);
  return sent == static_cast<ssize_t>(message.size());
}

ServiceNotifier::ServiceNotifier() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  enabled_ = socket != nullptr && socket[0] != '\0';
  if (const char* usec = std::getenv("WATCHDOG_USEC")) {
    const long long us = std::atoll(usec);
    if (us > 0) watchdog_every_ = std::chrono::microseconds(us / 2);
  }
}

void ServiceNotifier::tick(bool ready) noexcept {
  if (!enabled_) return;
  if (ready && !ready_sent_) ready_sent_ = sd_notify("READY=1");
  if (watchdog_every_.count() > 0) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ping_ >= watchdog_every_) {
      last_ping_ = now;
      sd_notify("WATCHDOG=1");
    }
  }
}

}  // namespace ztrade::ops
