#pragma once
// A SUB socket that receives [topic][frame] pairs into a fixed buffer (no allocation per
// message), validates each frame, tracks sequences per publisher, and counts everything it
// drops: truncated or oversized frames, a missing or extra part, bad magic/version/type/size.
#include <zmq.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <string_view>

#include "bus/codec.hpp"
#include "bus/endpoint.hpp"
#include "bus/local_route.hpp"
#include "bus/sequence_tracker.hpp"

namespace ztrade::bus {

struct SubscriberCounters {
  std::uint64_t received = 0;  // valid frames handed to the caller
  std::uint64_t bytes = 0;
  std::uint64_t malformed_parts = 0;  // not exactly [topic][frame], or a part too large
  std::uint64_t local_overflows = 0;  // inline deployment: the in-process inbox was full
  std::array<std::uint64_t, wire::kDecodeErrorCount> decode_errors{};
  std::uint64_t dropped() const noexcept {
    std::uint64_t n = malformed_parts + local_overflows;
    for (std::size_t i = 1; i < decode_errors.size(); ++i) n += decode_errors[i];
    return n;
  }
};

struct Message {
  std::string_view topic;  // valid until the next receive
  wire::Frame frame;       // body points into the subscriber's buffer, valid until next receive
  SeqVerdict sequence;     // this message's seq against the previous one of its stream
  // The sender's CURVE public key (Z85) as CURVE authentication established it (ZAP's user
  // id): set by a subscriber made with capture_peer_keys(), empty otherwise.
  std::string_view peer_key;
};

class Subscriber {
 public:
  Subscriber(zmq::context_t& context, const SubscriberConfig& config);
  // The same receiving logic on a bound PULL socket: where external strategies push frames.
  static Subscriber pull(zmq::context_t& context, const std::string& bind_endpoint, int hwm,
                         const std::string& also_bind = {}, const CurveKeys& curve = {});
  Subscriber(Subscriber&&) = default;

  // Receives the next valid message, waiting at most `timeout` (0: don't wait). Invalid frames
  // are counted and skipped. Returns false on timeout.
  bool receive(Message& out, std::chrono::milliseconds timeout) noexcept;

  // From now on, each message carries its sender's authenticated key (Message::peer_key).
  // Costs a message object per receive: for the signal ingress, not the market-data path.
  void capture_peer_keys() noexcept { capture_peer_keys_ = true; }

  SubscriberCounters counters() const noexcept;
  const SequenceTracker& sequences() const noexcept { return sequences_; }
  zmq::socket_t& socket() noexcept { return socket_; }

 private:
  explicit Subscriber(zmq::socket_t socket) : socket_(std::move(socket)) {}
  // One non-blocking attempt: 1 = message, 0 = nothing pending, -1 = invalid (counted).
  int try_receive(Message& out) noexcept;
  int try_receive_local(Message& out) noexcept;
  // Decodes the frame now in frame_ (topic in topic_): counted, sequence-checked.
  int accept(Message& out, std::span<const std::byte> bytes, std::size_t topic_size) noexcept;
  void drain_parts() noexcept;

  zmq::socket_t socket_;
  SubscriberCounters counters_;
  SequenceTracker sequences_;
  std::array<char, 256> topic_{};
  std::array<std::byte, wire::kMaxFrameSize> frame_{};
  bool capture_peer_keys_ = false;
  LocalRoute::Inbox* inbox_ = nullptr;  // the inline deployment's in-process inbox
  zmq::message_t frame_msg_;            // with capture_peer_keys(): the frame, with its properties
  std::array<char, 64> peer_key_{};
};

}  // namespace ztrade::bus
