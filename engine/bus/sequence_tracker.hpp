#pragma once
// Per-publisher sequence accounting on the subscriber side. Publishers number their messages
// 1, 2, 3, ... (per publisher id); a subscriber that sees 7 after 4 has missed 5 and 6 (a gap of
// 2, e.g. dropped at a high-water mark), one that sees 4 again has a duplicate, and one that
// sees 3 after 4 has a reordering. Nothing is silent: every case is counted. A publisher that
// restarts (seq 1 again) is counted as a restart, not a reorder.
#include <array>
#include <cstdint>

namespace ztrade::bus {

enum class SeqVerdict : std::uint8_t { kInOrder, kFirst, kGap, kDuplicate, kReordered, kRestart };

struct SeqCounters {
  std::uint64_t in_order = 0;
  std::uint64_t gaps = 0;          // gap events
  std::uint64_t missing = 0;       // messages missed across all gaps
  std::uint64_t duplicates = 0;
  std::uint64_t reordered = 0;
  std::uint64_t restarts = 0;
};

class SequenceTracker {
 public:
  static constexpr std::size_t kMaxPublishers = 1024;  // publisher ids are 0..1023

  // Classifies `seq` from `publisher`; never allocates. Ids beyond the table share slot 0's
  // check-free path and are reported as kFirst (the config validator keeps ids in range).
  SeqVerdict observe(std::uint16_t publisher, std::uint64_t seq) noexcept {
    if (publisher >= kMaxPublishers) return SeqVerdict::kFirst;
    std::uint64_t& last = last_[publisher];
    if (last == 0) {
      last = seq;
      ++counters_.in_order;
      return SeqVerdict::kFirst;
    }
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
    if (seq == 1) {  // the publisher restarted its numbering
      ++counters_.restarts;
      last = seq;
      return SeqVerdict::kRestart;
    }
    ++counters_.reordered;
    return SeqVerdict::kReordered;
  }
  const SeqCounters& counters() const noexcept { return counters_; }
  std::uint64_t last_seq(std::uint16_t publisher) const noexcept {
    return publisher < kMaxPublishers ? last_[publisher] : 0;
  }

 private:
  std::array<std::uint64_t, kMaxPublishers> last_{};
  SeqCounters counters_;
};

}  // namespace ztrade::bus
