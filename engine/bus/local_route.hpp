#pragma once
// In-process delivery for the inline deployment (engine.deployment = "inline"): the four
// components on one thread, a publish handed straight to the subscribers of the same process
// with no socket and no thread wake-up between them.
//
// Each publisher is a source named by its endpoint; each subscriber an inbox that takes the
// sources it would have connected to and the topic prefixes it would have subscribed, so a
// component receives exactly what it would over sockets, through the same
// Subscriber::receive (sequence tracking and all). A publish copies the frame into every
// matching inbox; then, unless a delivery is already being worked through further up the
// stack, the route runs its pump - the host's "drain every component until no inbox holds
// anything". A component therefore never re-enters itself: what it publishes while handling a
// message waits in the inboxes until it returns, in publish order, as on a bus.
//
// The publishers' sockets (for observers outside the process) are written after the cascade a
// publish set off has been worked through, in publish order: no socket write sits between a
// bar and the order it causes.
//
// Allocation happens at set-up only (inboxes and the outbox are fixed rings); an inbox that
// fills is a counted drop, like a socket past its high-water mark.
#include <array>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bus/codec.hpp"

namespace ztrade::bus {

class Publisher;

class LocalRoute {
 public:
  static constexpr std::size_t kTopicSize = 256;
  static constexpr std::size_t kInboxSlots = 1024;  // a cascade of one publish is a few deep

  // One subscriber's queue of [topic][frame] pairs, oldest first.
  class Inbox {
   public:
    // Copies the oldest pair into the caller's buffers; false when empty.
    bool pop(std::span<char, kTopicSize> topic, std::size_t& topic_size,
             std::span<std::byte, wire::kMaxFrameSize> frame, std::size_t& frame_size) noexcept;
    [[nodiscard]] bool empty() const noexcept { return head_ == tail_; }
    std::uint64_t overflows() const noexcept { return overflows_; }

   private:
    friend class LocalRoute;
    struct Slot {
      std::uint16_t topic_size = 0, frame_size = 0;
      std::array<char, kTopicSize> topic{};
      std::array<std::byte, wire::kMaxFrameSize> frame{};
      Publisher* from = nullptr;  // the outbox's: whose socket sends it
    };
    bool push(std::string_view topic, std::span<const std::byte> frame,
              Publisher* from = nullptr) noexcept;
    std::uint64_t sources_ = 0;  // bit i: source i
    std::vector<std::string> prefixes_;
    std::vector<Slot> slots_ = std::vector<Slot>(kInboxSlots);
    std::size_t head_ = 0, tail_ = 0;  // pop at head, push at tail; one slot kept free
    std::uint64_t overflows_ = 0;
  };

  // A publisher's source id, by its endpoint (the same endpoint always gives the same id).
  [[nodiscard]] int source(const std::string& endpoint);
  // A subscriber's inbox: what `endpoints` publish under any of `prefixes` (empty: all).
  Inbox& attach(const std::vector<std::string>& endpoints,
                const std::vector<std::string>& prefixes);
  // The host's drain-everything step, run after each outermost delivery.
  void set_pump(std::function<void()> pump) { pump_ = std::move(pump); }

  // Copies [topic][frame] into every matching inbox and, for `from`'s socket, into the
  // outbox; then pumps and sends the outbox (see above).
  void deliver(int source, std::string_view topic, std::span<const std::byte> frame,
               Publisher& from) noexcept;
  [[nodiscard]] bool pending() const noexcept;
  // A pump that threw (deliver() is called from noexcept publish): kept for the host, which
  // rethrows it from its loop - a component failure stops the process as in other deployments.
  void rethrow_failure() const {
    if (failure_) std::rethrow_exception(failure_);
  }

 private:
  std::vector<std::string> sources_;
  std::vector<std::unique_ptr<Inbox>> inboxes_;  // stable addresses: subscribers keep them
  Inbox outbox_;                                 // socket sends waiting for the cascade's end
  void flush_outbox() noexcept;
  std::function<void()> pump_;
  bool pumping_ = false;
  std::exception_ptr failure_;
};

}  // namespace ztrade::bus
