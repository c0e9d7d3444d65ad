#pragma once
// Books a session is rebuilding after a loss (Kraken: a checksum mismatch; Coinbase: a crossed
// book or an update without a snapshot): each is re-requested once - unsubscribe, subscribe,
// a fresh snapshot - and counted, and stays pending until its book is synced again, so a burst
// of bad updates for one book sends one resubscription, not one per update. Every venue
// session with books uses this one piece.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ztrade::venues {

class BookResyncs {
 public:
  // True when `symbol` is not already being rebuilt: it is then pending and counted, and the
  // caller sends its unsubscribe and subscribe requests.
  bool start(std::string_view symbol) {
    if (symbol.empty() || std::find(pending_.begin(), pending_.end(), symbol) != pending_.end()) {
      return false;
    }
    pending_.emplace_back(symbol);
    ++count_;
    return true;
  }
  // After each frame: drops the books that are synced again (synced(symbol) is true).
  template <class Synced>
  void settle(Synced&& synced) {
    if (!pending_.empty()) std::erase_if(pending_, [&](const std::string& s) { return synced(s); });
  }
  // A new connection rebuilds every book anyway.
  void clear() noexcept { pending_.clear(); }
  std::uint64_t count() const noexcept { return count_; }

 private:
  std::vector<std::string> pending_;
  std::uint64_t count_ = 0;
};

}  // namespace ztrade::venues
