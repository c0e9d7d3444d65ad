#pragma once
// The execution journal: an append-only file of fixed-size, checksummed records (new order,
// accepted, rejected, fill, canceled, expired). Each record is one write() call, so a process
// killed with -9 leaves at most a torn last record (only possible on power loss or a full
// disk), which recovery detects by length or CRC and truncates away.
//
// What a record survives depends on JournalSync (execution.journal_sync): every mode survives
// the process being killed (the record is in the kernel's page cache once write() returns);
// only fdatasync() makes it survive a power loss or a kernel crash - per record before it is
// published (kRecord), or once per batch of messages the component handled (kBatch).
//
// Recovery replays the records in order; that rebuilds every order (with its state) and every
// position, and the set of client order ids already seen, so an order is never sent twice.
#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "bus/messages.hpp"

namespace ztrade::execution {

// What a record holds: an order as risk sent it (kNew), or what happened to it - numbered as
// the wire's ExecType, one numbering for one thing. A fill record is a partial or a complete
// fill alike (the order's quantities tell which), so kPartialFill never appears here.
enum class JournalKind : std::uint8_t {
  kNew = 0,
  kAccepted = static_cast<std::uint8_t>(wire::ExecType::kAccepted),
  kRejected = static_cast<std::uint8_t>(wire::ExecType::kRejected),
  kFill = static_cast<std::uint8_t>(wire::ExecType::kFill),
  kCanceled = static_cast<std::uint8_t>(wire::ExecType::kCanceled),
  kExpired = static_cast<std::uint8_t>(wire::ExecType::kExpired),
};

// Version 2 numbers kinds as above; version 1 (before 0.1's journals were unified with the
// wire) numbered them new 1, accepted 2, rejected 3, fill 4, canceled 5, expired 6, and is
// still read. Another version stops recovery with an error naming it.
inline constexpr std::uint8_t kJournalVersion = 2;

struct JournalRecord {
  std::uint32_t magic = 0x4E524A5A;  // "ZJRN"
  std::uint8_t version = kJournalVersion;
  JournalKind kind{};
  wire::Side side = wire::Side::kNone;
  wire::OrderType type = wire::OrderType::kMarket;
  std::uint64_t client_order_id = 0;
  std::int64_t ts_ns = 0;
  wire::Symbol symbol;
  wire::StrategyId strategy;
  double quantity = 0;  // order quantity (new) or fill quantity (fill)
  double price = 0;     // limit price (new) or fill price (fill)
  std::uint32_t reserved = 0;
  std::uint32_t crc = 0;  // CRC-32 of all preceding bytes
};
static_assert(sizeof(JournalRecord) == 80);

struct ReplayStats {
  std::uint64_t records = 0;
  std::uint64_t torn_bytes = 0;  // bytes after the last valid record, truncated away
};

enum class JournalSync : std::uint8_t {
  kOff,    // never synced while running (and at a clean stop): a process crash loses nothing,
           // a power loss may lose what the last seconds wrote
  kBatch,  // synced once per batch of handled messages: a power loss may lose the last batch
           // (already published)
  kRecord  // synced before every record is published: nothing published is ever lost
};
inline constexpr wire::EnumName<JournalSync> kJournalSyncNames[] = {
    {"off", JournalSync::kOff}, {"batch", JournalSync::kBatch}, {"record", JournalSync::kRecord}};

class Journal {
 public:
  // Opens (creating if needed) for appending. Throws std::runtime_error naming the path.
  Journal(std::string path, JournalSync sync);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Appends one record (computing its CRC). Returns false on an I/O error (the caller must
  // treat the order as not safely recorded and refuse it).
  bool append(JournalRecord record) noexcept { return append(std::span(&record, 1)); }
  // Appends records with one write() (an order's "new" and "accepted": one system call on the
  // order path). A crash can tear only the last; recovery keeps the ones before it.
  bool append(std::span<JournalRecord> records) noexcept;
  // fdatasync: called on graceful shutdown whatever the mode.
  void flush() noexcept;
  // The end of a batch of handled messages: fdatasync in kBatch mode if anything was written
  // since the last one (nothing otherwise).
  bool end_batch() noexcept;
  JournalSync sync_mode() const noexcept { return sync_; }
  std::uint64_t syncs() const noexcept { return syncs_; }
  const std::string& path() const noexcept { return path_; }

  // Reads every valid record of `path` in order and truncates a torn tail (unless
  // `truncate_torn_tail` is false: a reader that must not write, e.g. ztrade compare). A
  // missing file is an empty journal. Throws std::runtime_error for an unreadable file.
  static ReplayStats replay(const std::string& path,
                            const std::function<void(const JournalRecord&)>& on_record,
                            bool truncate_torn_tail = true);

 private:
  std::string path_;
  int fd_ = -1;
  JournalSync sync_;
  bool dirty_ = false;  // written since the last fdatasync
  std::uint64_t syncs_ = 0;
};

std::uint32_t record_crc(const JournalRecord& r) noexcept;

}  // namespace ztrade::execution
