#pragma once
// A REP control socket for operators' tools (risk's kill switch, market-data's start gate):
// one-part text requests, one-part text replies. Whatever a client sends - several parts, a
// part larger than any request, binary - is read whole and answered, and a transport error is
// counted, never thrown: no control input can end the process. (A REP socket that replies
// while parts of a request are unread throws; that was a way to crash risk.)
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <zmq.hpp>

#include "bus/endpoint.hpp"

namespace ztrade::ops {

struct ControlCounters {
  std::uint64_t requests = 0;   // answered (well formed or not)
  std::uint64_t malformed = 0;  // several parts, or too long: answered with an error
  std::uint64_t errors = 0;     // transport errors (counted, the socket goes on)
};

class ControlChannel {
 public:
  static constexpr std::size_t kMaxRequest = 2048;

  // Binds every non-empty endpoint; CURVE server when keys are given. Throws at start (a
  // busy endpoint) like every other socket of the component.
  ControlChannel(zmq::context_t& context, const std::vector<std::string>& endpoints,
                 const bus::CurveKeys& curve);

  // The next well-formed request if one is waiting (valid until the next call); malformed ones
  // are answered here and counted. Never throws. The caller must reply() to a request.
  [[nodiscard]] std::optional<std::string_view> receive() noexcept;
  void reply(std::string_view text) noexcept;

  zmq::socket_t& socket() noexcept { return socket_; }
  const ControlCounters& counters() const noexcept { return counters_; }

 private:
  zmq::socket_t socket_;
  std::array<char, kMaxRequest> buffer_{};
  std::array<char, 256> scratch_{};  // the parts of a malformed request being drained
  ControlCounters counters_;
};

}  // namespace ztrade::ops
