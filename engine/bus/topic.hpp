#pragma once
// A topic assembled on the stack from parts ("md.bar." + symbol), so publishing a message
// allocates nothing however long its topic. Symbols and strategy ids are at most 16 bytes, so
// 128 bytes hold every engine topic; a longer one is cut (and then refused by the publisher,
// which accepts at most StreamKey::kMaxTopic).
#include <algorithm>
#include <array>
#include <cstring>
#include <initializer_list>
#include <string_view>

namespace ztrade::bus {

namespace topics {
// execution's mark of a symbol's position at a bar it has processed (a PositionMsg): tells
// risk that every fill up to that bar's time has been reported.
inline constexpr std::string_view kExecutionMark = "exec.mark.";
// execution's positions, all of them, sent with each of its heartbeats (PositionMsgs; one with
// an empty symbol ends the list): how a restarted risk learns what is held.
inline constexpr std::string_view kExecutionSnapshot = "exec.snapshot.";
}  // namespace topics

class Topic {
 public:
  Topic(std::initializer_list<std::string_view> parts) noexcept {
    for (std::string_view p : parts) {
      const std::size_t n = std::min(p.size(), buf_.size() - len_);
      std::memcpy(buf_.data() + len_, p.data(), n);
      len_ += n;
    }
  }
  operator std::string_view() const noexcept { return {buf_.data(), len_}; }

 private:
  std::array<char, 128> buf_;
  std::size_t len_ = 0;
};

}  // namespace ztrade::bus
