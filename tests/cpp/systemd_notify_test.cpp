// systemd notifications: READY=1 once when ready, WATCHDOG=1 at half of WATCHDOG_USEC, all to
// the datagram socket named by NOTIFY_SOCKET; nothing at all without it.
#include "ops/systemd_notify.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace ztrade::ops {
namespace {

std::vector<std::string> drain(int fd) {
  std::vector<std::string> out;
  char buf[256];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n <= 0) break;
    out.emplace_back(buf, static_cast<std::size_t>(n));
  }
  return out;
}

// A datagram socket standing in for systemd's, named by NOTIFY_SOCKET.
int notify_socket(const std::string& path) {
  ::unlink(path.c_str());
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return -1;
  ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
  return fd;
}

TEST(SystemdNotify, ReadyOnceAndWatchdogPings) {
  const std::string path = "/tmp/ztrade-notify-" + std::to_string(::getpid());
  const int fd = notify_socket(path);
  ASSERT_GE(fd, 0);
  ::setenv("WATCHDOG_USEC", "40000", 1);  // ping every 20 ms

  ServiceNotifier n;
  n.tick(false);
  EXPECT_EQ(drain(fd), std::vector<std::string>{"WATCHDOG=1"}) << "no READY while starting";
  n.tick(true);
  EXPECT_EQ(drain(fd), std::vector<std::string>{"READY=1"}) << "watchdog not due yet";
  std::this_thread::sleep_for(std::chrono::milliseconds(25));
  n.tick(true);
  EXPECT_EQ(drain(fd), std::vector<std::string>{"WATCHDOG=1"}) << "READY only once";

  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  EXPECT_FALSE(sd_notify("READY=1"));
  ServiceNotifier off;
  off.tick(true);
  EXPECT_TRUE(drain(fd).empty());
  ::close(fd);
  ::unlink(path.c_str());
}

TEST(SystemdNotify, OneProcessIsReadyAndAliveOnlyWhenAllItsComponentsAre) {
  // The threads deployment: four components, one service. READY waits for the last of them;
  // a component whose loop stops ticking (stalled, or failed) stops the watchdog pings.
  const std::string path = "/tmp/ztrade-notify-group-" + std::to_string(::getpid());
  const int fd = notify_socket(path);
  ASSERT_GE(fd, 0);
  ::setenv("WATCHDOG_USEC", "40000", 1);  // ping every 20 ms; a member is late after 40 ms
  // The process's group pinged last in the test before: a period passes first (the time the
  // watchdog measures is what is under test here).
  std::this_thread::sleep_for(std::chrono::milliseconds(25));
  {
    ServiceNotifier a, b;
    a.tick(true);
    b.tick(false);
    EXPECT_EQ(drain(fd), std::vector<std::string>{"WATCHDOG=1"}) << "b is not ready yet";
    b.tick(true);
    EXPECT_EQ(drain(fd), std::vector<std::string>{"READY=1"}) << "now every member is";
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // b stalls past 40 ms
    a.tick(true);
    EXPECT_TRUE(drain(fd).empty()) << "no watchdog ping while b is stalled";
    b.tick(true);
    EXPECT_EQ(drain(fd), std::vector<std::string>{"WATCHDOG=1"}) << "b is back";
  }
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  ::close(fd);
  ::unlink(path.c_str());
}

}  // namespace
}  // namespace ztrade::ops
