#pragma once
// Sequence accounting on both sides of the bus. A publisher numbers the messages of each topic
// 1, 2, 3, ... (a stream = publisher id + topic), so a subscriber with prefix subscriptions
// still sees contiguous numbers on every stream it receives. A subscriber that sees 7 after 4
// has missed 5 and 6 (a gap of 2, e.g. dropped at a high-water mark), and one that sees 4 again
// has a duplicate. A lower number means the publisher restarted (its numbering began again):
// counted as a restart, and the stream tracked afresh. Nothing is silent: every case is
// counted. (`reordered` stays 0 on one connection, which ZeroMQ keeps in order.)
//
// Streams are kept in a hash map: a new stream allocates once; after that, a lookup with a
// string_view key allocates nothing.
#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/string_hash.hpp"

namespace ztrade::bus {

enum class SeqVerdict : std::uint8_t { kInOrder, kFirst, kGap, kDuplicate, kReordered, kRestart };

struct SeqCounters {
  std::uint64_t in_order = 0;
  std::uint64_t gaps = 0;     // gap events
  std::uint64_t missing = 0;  // messages missed across all gaps
  std::uint64_t duplicates = 0;
  std::uint64_t reordered = 0;
  std::uint64_t restarts = 0;
  std::uint64_t evicted = 0;  // streams forgotten to stay within kMaxStreams
};

// Streams remembered per side. Topics come partly from outside (an external strategy's id is
// in its signals' topics), so the maps are bounded: past this many streams an arbitrary one is
// forgotten (counted) - it starts afresh if it comes back, which costs nothing but a "first".
inline constexpr std::size_t kMaxStreams = 4096;

namespace detail {
// Stream key: the topic followed by the 2-byte publisher id, built in a fixed buffer.
class StreamKey {
 public:
  StreamKey(std::uint16_t publisher, std::string_view topic) noexcept {
    len_ = topic.size() < kMaxTopic ? topic.size() : kMaxTopic;
    std::memcpy(buf_.data(), topic.data(), len_);
    std::memcpy(buf_.data() + len_, &publisher, sizeof(publisher));
    len_ += sizeof(publisher);
  }
  std::string_view view() const noexcept { return {buf_.data(), len_}; }
  static constexpr std::size_t kMaxTopic = 254;

 private:
  std::array<char, kMaxTopic + 2> buf_;
  std::size_t len_;
};
}  // namespace detail

// Publisher side: the next sequence number of each topic.
class SequenceStamper {
 public:
  std::uint64_t next(std::string_view topic) {
    auto it = next_.find(topic);
    if (it == next_.end()) {
      if (next_.size() >= kMaxStreams) {
        next_.erase(next_.begin());
        ++evicted_;
      }
      it = next_.emplace(std::string(topic), 1).first;
    }
    return it->second++;
  }
  std::uint64_t evicted() const noexcept { return evicted_; }
  // The last number handed out for topic (0 if none).
  std::uint64_t last(std::string_view topic) const {
    auto it = next_.find(topic);
    return it == next_.end() ? 0 : it->second - 1;
  }

 private:
  StringMap<std::uint64_t> next_;
  std::uint64_t evicted_ = 0;
};

// Subscriber side.
class SequenceTracker {
 public:
  SeqVerdict observe(std::uint16_t publisher, std::string_view topic, std::uint64_t seq) {
    const detail::StreamKey key(publisher, topic);
    auto it = last_.find(key.view());
    if (it == last_.end()) {
      if (last_.size() >= kMaxStreams) {
        last_.erase(last_.begin());
        ++counters_.evicted;
      }
      last_.emplace(std::string(key.view()), seq);
      ++counters_.in_order;
      return SeqVerdict::kFirst;
    }
    std::uint64_t& last = it->second;
    if (seq == last + 1) {
      last = seq;
      ++counters_.in_order;
      return SeqVerdict::kInOrder;
    }
    if (seq > last + 1) {
      ++counters_.gaps;
      counters_.missing += seq - last - 1;
      last = seq;
      return SeqVerdict::kGap;
    }
    if (seq == last) {
      ++counters_.duplicates;
      return SeqVerdict::kDuplicate;
    }
    // Lower than before. One publisher's messages reach a subscriber in order (ZeroMQ keeps
    // the order of a connection), so this is a new session of the publisher - restarted, its
    // numbering begun again, and the first messages of the new session possibly missed while
    // we reconnected - not a reordering: the stream is tracked afresh from here.
    ++counters_.restarts;
    last = seq;
    return SeqVerdict::kRestart;
  }
  const SeqCounters& counters() const noexcept { return counters_; }
  std::size_t streams() const noexcept { return last_.size(); }

 private:
  StringMap<std::uint64_t> last_;
  SeqCounters counters_;
};

}  // namespace ztrade::bus
