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
// iteration. The notifiers of one process form a group (the threads deployment hosts four
// components): READY=1 is sent once, when every live notifier of the process is ready, and
// WATCHDOG=1 at half the interval systemd asked for ($WATCHDOG_USEC) only while every one of
// them has ticked within that interval - so one stalled or failed component loop gets the
// service restarted even while the others run.
class ServiceNotifier {
 public:
  ServiceNotifier();
  ~ServiceNotifier();
  ServiceNotifier(const ServiceNotifier&) = delete;
  ServiceNotifier& operator=(const ServiceNotifier&) = delete;
  void tick(bool ready) noexcept;

 private:
  bool enabled_;
  int slot_ = -1;  // in the process's group; -1: not under systemd
  std::chrono::steady_clock::duration watchdog_every_{};
};

}  // namespace ztrade::ops
