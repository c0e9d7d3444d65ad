// Publisher, Subscriber and socket options: the bus's ZeroMQ code in one translation unit.
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "bus/local_route.hpp"
#include "bus/publisher.hpp"
#include "bus/socket_options.hpp"
#include "bus/subscriber.hpp"

namespace ztrade::bus {

std::int64_t wall_clock_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void apply_curve(zmq::socket_t& socket, const CurveKeys& keys, bool server) {
  if (keys.public_key.empty() && keys.secret_key.empty()) return;
  auto check = [](const std::string& key, const char* what) {
    if (key.size() != 40) {
      throw std::invalid_argument(fmt::format(
          "CURVE {} must be a 40-character Z85 key, got {} characters", what, key.size()));
    }
  };
  check(keys.public_key, "public key");
  check(keys.secret_key, "secret key");
  socket.set(zmq::sockopt::curve_publickey, keys.public_key);
  socket.set(zmq::sockopt::curve_secretkey, keys.secret_key);
  if (server) {
    socket.set(zmq::sockopt::curve_server, 1);
  } else {
    check(keys.server_public_key, "server public key");
    socket.set(zmq::sockopt::curve_serverkey, keys.server_public_key);
  }
}

Publisher::Publisher(zmq::context_t& context, const PublisherConfig& config,
                     std::uint16_t publisher_id)
    : socket_(context, zmq::socket_type::pub), id_(publisher_id) {
  socket_.set(zmq::sockopt::sndhwm, config.send_hwm);
  socket_.set(zmq::sockopt::linger, 0);
  apply_curve(socket_, config.curve, true);
  if (config.local != nullptr) {
    local_ = config.local;
    local_source_ = local_->source(config.endpoint);
  }
  for (const auto& ep : {config.endpoint, config.also_bind}) {
    if (ep.empty()) continue;
    try {
      socket_.bind(ep);
    } catch (const zmq::error_t& e) {
      throw std::runtime_error(fmt::format("cannot bind {}: {}", ep, e.what()));
    }
  }
}

bool Publisher::stamp(std::string_view topic) noexcept {
  if (topic.size() > detail::StreamKey::kMaxTopic) {
    ++counters_.send_failures;
    return false;
  }
  // The sequence number is written into the encoded header in place.
  const std::uint64_t seq = seq_.next(topic);
  std::memcpy(buffer_.data() + offsetof(wire::Header, seq), &seq, sizeof(seq));
  return true;
}

bool Publisher::send(std::string_view topic, std::size_t frame_bytes) noexcept {
  return stamp(topic) && transmit(topic, {buffer_.data(), frame_bytes});
}

bool Publisher::transmit(std::string_view topic, std::span<const std::byte> frame) noexcept {
  try {
    if (!socket_.send(zmq::const_buffer(topic.data(), topic.size()),
                      zmq::send_flags::sndmore | zmq::send_flags::dontwait) ||
        !socket_.send(zmq::const_buffer(frame.data(), frame.size()), zmq::send_flags::dontwait)) {
      ++counters_.send_failures;
      return false;
    }
  } catch (const zmq::error_t&) {
    ++counters_.send_failures;
    return false;
  }
  ++counters_.sent;
  counters_.bytes += topic.size() + frame.size();
  return true;
}

bool Publisher::deliver_local(std::string_view topic, std::size_t frame_bytes) noexcept {
  if (!stamp(topic)) return false;
  local_->deliver(local_source_, topic, {buffer_.data(), frame_bytes}, *this);
  return true;
}

Subscriber::Subscriber(zmq::context_t& context, const SubscriberConfig& config)
    : socket_(context, zmq::socket_type::sub) {
  if (config.local != nullptr) {
    // In-process: the publishers are on this thread; nothing to connect.
    inbox_ = &config.local->attach(config.endpoints, config.topics);
    return;
  }
  socket_.set(zmq::sockopt::rcvhwm, config.receive_hwm);
  socket_.set(zmq::sockopt::linger, 0);
  apply_curve(socket_, config.curve, false);
  if (config.topics.empty()) {
    socket_.set(zmq::sockopt::subscribe, "");
  } else {
    for (const auto& t : config.topics) socket_.set(zmq::sockopt::subscribe, t);
  }
  for (const auto& ep : config.endpoints) {
    try {
      socket_.connect(ep);
    } catch (const zmq::error_t& e) {
      throw std::runtime_error(fmt::format("cannot connect {}: {}", ep, e.what()));
    }
  }
}

Subscriber Subscriber::pull(zmq::context_t& context, const std::string& bind_endpoint, int hwm,
                            const std::string& also_bind, const CurveKeys& curve) {
  zmq::socket_t socket(context, zmq::socket_type::pull);
  socket.set(zmq::sockopt::rcvhwm, hwm);
  // A client sending more than any engine message cannot make us hold it: disconnected.
  socket.set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(64 * 1024));
  socket.set(zmq::sockopt::linger, 0);
  apply_curve(socket, curve, true);
  for (const auto& ep : {bind_endpoint, also_bind}) {
    if (ep.empty()) continue;
    try {
      socket.bind(ep);
    } catch (const zmq::error_t& e) {
      throw std::runtime_error(fmt::format("cannot bind {}: {}", ep, e.what()));
    }
  }
  return Subscriber(std::move(socket));
}

void Subscriber::drain_parts() noexcept {
  try {
    while (socket_.get(zmq::sockopt::rcvmore)) {
      std::array<std::byte, 64> sink;
      (void)socket_.recv(zmq::mutable_buffer(sink.data(), sink.size()), zmq::recv_flags::none);
    }
  } catch (const zmq::error_t&) {
  }
}

int Subscriber::accept(Message& out, std::span<const std::byte> bytes,
                       std::size_t topic_size) noexcept {
  const auto err = wire::decode(bytes, out.frame);
  if (err != wire::DecodeError::kOk) {
    ++counters_.decode_errors[static_cast<std::size_t>(err)];
    return -1;
  }
  out.topic = std::string_view(topic_.data(), topic_size);
  out.sequence = sequences_.observe(out.frame.header.publisher_id, out.topic, out.frame.header.seq);
  ++counters_.received;
  counters_.bytes += topic_size + bytes.size();
  return 1;
}

int Subscriber::try_receive_local(Message& out) noexcept {
  std::size_t topic_size = 0, frame_size = 0;
  if (!inbox_->pop(topic_, topic_size, frame_, frame_size)) return 0;
  out.peer_key = {};
  return accept(out, {frame_.data(), frame_size}, topic_size);
}

SubscriberCounters Subscriber::counters() const noexcept {
  SubscriberCounters c = counters_;
  if (inbox_ != nullptr) c.local_overflows = inbox_->overflows();
  return c;
}

int Subscriber::try_receive(Message& out) noexcept {
  if (inbox_ != nullptr) return try_receive_local(out);
  try {
    auto topic =
        socket_.recv(zmq::mutable_buffer(topic_.data(), topic_.size()), zmq::recv_flags::dontwait);
    if (!topic) return 0;
    if (topic->truncated() || !socket_.get(zmq::sockopt::rcvmore)) {
      ++counters_.malformed_parts;
      drain_parts();
      return -1;
    }
    std::span<const std::byte> bytes;
    out.peer_key = {};
    if (capture_peer_keys_) {
      const auto got = socket_.recv(frame_msg_, zmq::recv_flags::none);
      if (!got || socket_.get(zmq::sockopt::rcvmore)) {
        ++counters_.malformed_parts;
        drain_parts();
        return -1;
      }
      bytes = std::span<const std::byte>(static_cast<const std::byte*>(frame_msg_.data()),
                                         frame_msg_.size());
      if (const char* key = zmq_msg_gets(frame_msg_.handle(), "User-Id")) {
        const std::size_t n = std::min(std::strlen(key), peer_key_.size());
        std::memcpy(peer_key_.data(), key, n);
        out.peer_key = std::string_view(peer_key_.data(), n);
      }
    } else {
      auto frame =
          socket_.recv(zmq::mutable_buffer(frame_.data(), frame_.size()), zmq::recv_flags::none);
      if (!frame || frame->truncated() || socket_.get(zmq::sockopt::rcvmore)) {
        ++counters_.malformed_parts;
        drain_parts();
        return -1;
      }
      bytes = std::span<const std::byte>(frame_.data(), frame->size);
    }
    return accept(out, bytes, topic->size);
  } catch (const zmq::error_t&) {
    return 0;  // context terminated or interrupted: nothing received
  }
}

bool Subscriber::receive(Message& out, std::chrono::milliseconds timeout) noexcept {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const int r = try_receive(out);
    if (r == 1) return true;
    if (r == -1) continue;                // counted; look for the next one
    if (inbox_ != nullptr) return false;  // in-process: what was published is all there is
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    try {
      if (zmq::poll(&item, 1, left) == 0) return false;
    } catch (const zmq::error_t&) {
      return false;
    }
  }
}

}  // namespace ztrade::bus
