#include "bus/local_route.hpp"

#include "bus/publisher.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace ztrade::bus {

bool LocalRoute::Inbox::push(std::string_view topic, std::span<const std::byte> frame,
                             Publisher* from) noexcept {
  const std::size_t next = tail_ + 1 == slots_.size() ? 0 : tail_ + 1;
  if (next == head_ || topic.size() > kTopicSize || frame.size() > wire::kMaxFrameSize) {
    ++overflows_;
    return false;
  }
  Slot& s = slots_[tail_];
  s.from = from;
  s.topic_size = static_cast<std::uint16_t>(topic.size());
  s.frame_size = static_cast<std::uint16_t>(frame.size());
  std::memcpy(s.topic.data(), topic.data(), topic.size());
  std::memcpy(s.frame.data(), frame.data(), frame.size());
  tail_ = next;
  return true;
}

bool LocalRoute::Inbox::pop(std::span<char, kTopicSize> topic, std::size_t& topic_size,
                            std::span<std::byte, wire::kMaxFrameSize> frame,
                            std::size_t& frame_size) noexcept {
  if (empty()) return false;
  const Slot& s = slots_[head_];
  topic_size = s.topic_size;
  frame_size = s.frame_size;
  std::memcpy(topic.data(), s.topic.data(), topic_size);
  std::memcpy(frame.data(), s.frame.data(), frame_size);
  head_ = head_ + 1 == slots_.size() ? 0 : head_ + 1;
  return true;
}

int LocalRoute::source(const std::string& endpoint) {
  const auto it = std::find(sources_.begin(), sources_.end(), endpoint);
  if (it != sources_.end()) return static_cast<int>(it - sources_.begin());
  if (sources_.size() == 64) throw std::length_error("local route: more than 64 publishers");
  sources_.push_back(endpoint);
  return static_cast<int>(sources_.size() - 1);
}

LocalRoute::Inbox& LocalRoute::attach(const std::vector<std::string>& endpoints,
                                      const std::vector<std::string>& prefixes) {
  auto inbox = std::make_unique<Inbox>();
  for (const auto& e : endpoints) inbox->sources_ |= std::uint64_t{1} << source(e);
  inbox->prefixes_ = prefixes;
  inboxes_.push_back(std::move(inbox));
  return *inboxes_.back();
}

bool LocalRoute::pending() const noexcept {
  return std::any_of(inboxes_.begin(), inboxes_.end(), [](const auto& i) { return !i->empty(); });
}

void LocalRoute::flush_outbox() noexcept {
  while (!outbox_.empty()) {
    const Inbox::Slot& s = outbox_.slots_[outbox_.head_];
    s.from->transmit({s.topic.data(), s.topic_size}, {s.frame.data(), s.frame_size});
    outbox_.head_ = outbox_.head_ + 1 == outbox_.slots_.size() ? 0 : outbox_.head_ + 1;
  }
}

void LocalRoute::deliver(int source, std::string_view topic, std::span<const std::byte> frame,
                         Publisher& from) noexcept {
  const std::uint64_t bit = std::uint64_t{1} << source;
  for (const auto& inbox : inboxes_) {
    if ((inbox->sources_ & bit) == 0) continue;
    const auto& p = inbox->prefixes_;
    if (p.empty() || std::any_of(p.begin(), p.end(),
                                 [&](const std::string& x) { return topic.starts_with(x); })) {
      (void)inbox->push(topic, frame);
    }
  }
  // A long cascade: what waits goes out now, in order, and this one after it.
  if (!outbox_.push(topic, frame, &from)) {
    flush_outbox();
    (void)outbox_.push(topic, frame, &from);
  }
  if (pumping_) return;
  pumping_ = true;
  if (pump_ && !failure_) {
    try {
      pump_();
    } catch (...) {
      failure_ = std::current_exception();
    }
  }
  flush_outbox();
  pumping_ = false;
}

}  // namespace ztrade::bus
