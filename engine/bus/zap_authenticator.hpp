#pragma once
// Client authentication for CURVE: a ZAP handler (ZeroMQ RFC 27) on one context that lets a
// connecting socket in only if its CURVE public key is on an allow-list. Without it, any
// client that knows a server's public key may connect; with it, the engine's own key and the
// keys listed in bus.curve.authorized_keys_file are the only ones that can read or inject
// bus traffic. It serves every CURVE server socket of its context, on its own thread.
#include <atomic>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <thread>

#include <zmq.hpp>

namespace ztrade::bus {

class ZapAuthenticator {
 public:
  // refused(z85_key, peer_address) is called, on the handler's thread, for each refusal.
  using OnRefused = std::function<void(std::string_view key, std::string_view address)>;

  // Binds inproc://zeromq.zap.01 on `context` (throws zmq::error_t if another handler did)
  // and starts answering. Keys are 40-character Z85 strings.
  ZapAuthenticator(zmq::context_t& context, std::set<std::string> allowed, OnRefused refused = {});
  ~ZapAuthenticator();
  ZapAuthenticator(const ZapAuthenticator&) = delete;
  ZapAuthenticator& operator=(const ZapAuthenticator&) = delete;

  std::uint64_t accepted() const noexcept { return accepted_.load(); }
  std::uint64_t refused() const noexcept { return refused_.load(); }

 private:
  void serve();

  zmq::socket_t socket_;
  std::set<std::string> allowed_;
  OnRefused on_refused_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> accepted_{0}, refused_{0};
  std::thread thread_;
};

}  // namespace ztrade::bus
