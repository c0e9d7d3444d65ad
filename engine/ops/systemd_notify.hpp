#pragma once
// systemd's notification protocol (Type=notify, WatchdogSec=), spoken directly: a datagram to
// the unix socket named by $NOTIFY_SOCKET. No libsystemd needed; without the variable (not
// under systemd) every call is a no-op.
#include <chrono>
#include <cstdint>
#include <string_view>

namespace ztrade::ops {

// Sends one notification ("READY=1", "STOPPING=1", "WATCHDOG=1", "STATUS=..."); returns false
// when not under systemd or the send failed.
bool sd_notify(std::string_view message) noexcept;

// Readiness and watchdog pings for a component's event loop: call tick(ready) every loop
// iteration; it sends READY=1 once, when `ready` first holds, and WATCHDOG=1 at half the
// interval systemd asked for ($WATCHDOG_USEC), so a stalled loop gets the service restarted.
class ServiceNotifier {
 public:
  ServiceNotifier();
  void tick(bool ready) noexcept;

 private:
  bool enabled_;
  bool ready_sent_ = false;
  std::chrono::steady_clock::duration watchdog_every_{};
  std::chrono::steady_clock::time_point last_ping_{};
};

}  // namespace ztrade::ops
