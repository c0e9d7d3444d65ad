#pragma once
// A PUB socket that stamps every message with this publisher's id, the next sequence number of
// its topic and the send time. PUB never blocks: past the high-water mark libzmq drops, and
// subscribers see those drops as sequence gaps (counted on their side).
#include <zmq.hpp>

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "bus/codec.hpp"
#include "bus/endpoint.hpp"
#include "bus/sequence_tracker.hpp"

namespace ztrade::bus {

std::int64_t wall_clock_ns() noexcept;

struct PublisherCounters {
  std::uint64_t sent = 0;
  std::uint64_t bytes = 0;
  std::uint64_t send_failures = 0;  // send() refused (EAGAIN at the HWM, or a closing context)
};

class Publisher {
 public:
  // Binds immediately; throws zmq::error_t (with the endpoint in the message) if it cannot.
  Publisher(zmq::context_t& context, const PublisherConfig& config, std::uint16_t publisher_id);

  // Sends [topic][header+body]. Returns false (counted) if the socket refused the message.
  template <class Body>
  bool publish(std::string_view topic, const Body& body, std::int64_t event_ns) noexcept {
    wire::Header h;
    h.publisher_id = id_;
    h.event_ns = event_ns;
    h.send_ns = wall_clock_ns();
    const std::size_t n = wire::encode(h, body, buffer_);
    last_size_ = n;
    return local_ != nullptr ? deliver_local(topic, n) : send(topic, n);
  }
  // The frame of the last publish() as sent (sequence number included), e.g. for recording.
  std::span<const std::byte> last_frame() const noexcept { return {buffer_.data(), last_size_}; }
  std::uint16_t id() const noexcept { return id_; }
  // Last sequence number sent on `topic` (0 if none).
  std::uint64_t last_seq(std::string_view topic) const { return seq_.last(topic); }
  const PublisherCounters& counters() const noexcept { return counters_; }
  zmq::socket_t& socket() noexcept { return socket_; }
  // Writes an encoded, sequenced frame to the socket (counted). The inline deployment's route
  // calls it once the cascade a publish set off is over.
  bool transmit(std::string_view topic, std::span<const std::byte> frame) noexcept;

 private:
  // Writes the topic's next sequence number into the encoded frame; false (counted) for a
  // topic too long to be sequenced.
  bool stamp(std::string_view topic) noexcept;
  bool send(std::string_view topic, std::size_t frame_bytes) noexcept;
  // Sequences the frame, hands it to the in-process subscribers, and leaves the socket write
  // to the route.
  bool deliver_local(std::string_view topic, std::size_t frame_bytes) noexcept;

  zmq::socket_t socket_;
  std::uint16_t id_;
  SequenceStamper seq_;
  PublisherCounters counters_;
  std::size_t last_size_ = 0;
  LocalRoute* local_ = nullptr;
  int local_source_ = -1;
  std::array<std::byte, wire::kMaxFrameSize> buffer_{};
};

}  // namespace ztrade::bus
