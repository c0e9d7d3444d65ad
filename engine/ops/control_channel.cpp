#include "ops/control_channel.hpp"

#include "bus/socket_options.hpp"

namespace ztrade::ops {

ControlChannel::ControlChannel(zmq::context_t& context, const std::vector<std::string>& endpoints,
                               const bus::CurveKeys& curve)
    : socket_(context, zmq::socket_type::rep) {
  socket_.set(zmq::sockopt::linger, 0);
  bus::apply_curve(socket_, curve, true);
  for (const auto& e : endpoints) {
    if (!e.empty()) socket_.bind(e);
  }
}

std::optional<std::string_view> ControlChannel::receive() noexcept {
  try {
    const auto got = socket_.recv(zmq::mutable_buffer(buffer_.data(), buffer_.size()),
                                  zmq::recv_flags::dontwait);
    if (!got) return std::nullopt;
    bool well_formed = !got->truncated();
    // Read every further part before replying: a REP socket must receive a whole request.
    while (socket_.get(zmq::sockopt::rcvmore)) {
      well_formed = false;
      (void)socket_.recv(zmq::mutable_buffer(scratch_.data(), scratch_.size()));
    }
    ++counters_.requests;
    if (!well_formed) {
      ++counters_.malformed;
      reply("ERROR a request is one text part of at most 2048 bytes");
      return std::nullopt;
    }
    return std::string_view(buffer_.data(), got->size);
  } catch (const zmq::error_t&) {
    ++counters_.errors;
    return std::nullopt;
  }
}

void ControlChannel::reply(std::string_view text) noexcept {
  try {
    (void)socket_.send(zmq::const_buffer(text.data(), text.size()), zmq::send_flags::dontwait);
  } catch (const zmq::error_t&) {
    ++counters_.errors;
  }
}

}  // namespace ztrade::ops
