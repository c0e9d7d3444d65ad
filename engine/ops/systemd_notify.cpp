#include "ops/systemd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
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

namespace {
// The process's notifiers. Slots are never reused; a process has a handful of components.
constexpr int kMaxMembers = 64;
struct Group {
  std::atomic<int> members{0};
  std::array<std::atomic<bool>, kMaxMembers> alive{};
  std::array<std::atomic<bool>, kMaxMembers> ready{};
  std::array<std::atomic<std::int64_t>, kMaxMembers> last_tick_ns{};
  std::atomic<bool> ready_sent{false};
  std::atomic<std::int64_t> last_ping_ns{INT64_MIN / 2};
};
Group& group() {
  static Group g;
  return g;
}
std::int64_t steady_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

ServiceNotifier::ServiceNotifier() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  enabled_ = socket != nullptr && socket[0] != '\0';
  if (const char* usec = std::getenv("WATCHDOG_USEC")) {
    const long long us = std::atoll(usec);
    if (us > 0) watchdog_every_ = std::chrono::microseconds(us / 2);
  }
  if (!enabled_) return;
  Group& g = group();
  const int slot = g.members.fetch_add(1);
  if (slot >= kMaxMembers) return;  // beyond the group: notifies on its own terms only
  slot_ = slot;
  g.last_tick_ns[slot_] = steady_ns();
  g.alive[slot_] = true;
}

ServiceNotifier::~ServiceNotifier() {
  if (slot_ < 0) return;
  Group& g = group();
  g.alive[slot_] = false;
  const int n = std::min(g.members.load(), kMaxMembers);
  bool any = false;
  for (int i = 0; i < n; ++i) any = any || g.alive[i];
  if (!any) g.ready_sent = false;  // the group is gone (tests build several in one process)
}

void ServiceNotifier::tick(bool ready) noexcept {
  if (!enabled_) return;
  Group& g = group();
  const std::int64_t now = steady_ns();
  if (slot_ >= 0) {
    g.ready[slot_] = ready;
    g.last_tick_ns[slot_] = now;
  }
  const int n = std::min(g.members.load(), kMaxMembers);
  const auto every = std::chrono::duration_cast<std::chrono::nanoseconds>(watchdog_every_).count();
  bool all_ready = ready;
  bool all_alive = true;
  for (int i = 0; i < n; ++i) {
    if (!g.alive[i]) continue;
    all_ready = all_ready && g.ready[i];
    if (every > 0 && now - g.last_tick_ns[i] > 2 * every) all_alive = false;
  }
  if (all_ready && !g.ready_sent.exchange(true) && !sd_notify("READY=1")) g.ready_sent = false;
  if (every > 0 && all_alive) {
    std::int64_t last = g.last_ping_ns.load();
    if (now - last >= every && g.last_ping_ns.compare_exchange_strong(last, now)) {
      sd_notify("WATCHDOG=1");
    }
  }
}

}  // namespace ztrade::ops
