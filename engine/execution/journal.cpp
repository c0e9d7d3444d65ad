#include "execution/journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/crc.hpp>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

namespace ztrade::execution {
namespace {

// Version 1 numbered kinds new 1, accepted 2, rejected 3, fill 4, canceled 5, expired 6.
JournalKind kind_of_version_1(std::uint8_t v1) noexcept {
  switch (v1) {
    case 1:
      return JournalKind::kNew;
    case 2:
      return JournalKind::kAccepted;
    case 3:
      return JournalKind::kRejected;
    default:  // fill, canceled and expired kept their numbers
      return static_cast<JournalKind>(v1);
  }
}

}  // namespace

std::uint32_t record_crc(const JournalRecord& r) noexcept {
  boost::crc_32_type crc;
  crc.process_bytes(&r, offsetof(JournalRecord, crc));
  return crc.checksum();
}

Journal::Journal(std::string path, JournalSync sync) : path_(std::move(path)), sync_(sync) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw std::runtime_error(
        fmt::format("cannot open journal {}: {}", path_, std::strerror(errno)));
  }
}

Journal::~Journal() {
  if (fd_ >= 0) {
    flush();
    ::close(fd_);
  }
}

bool Journal::append(std::span<JournalRecord> records) noexcept {
  for (JournalRecord& r : records) r.crc = record_crc(r);
  const char* p = reinterpret_cast<const char*>(records.data());
  std::size_t left = records.size_bytes();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  dirty_ = true;
  if (sync_ == JournalSync::kRecord) {
    if (::fdatasync(fd_) != 0) return false;
    dirty_ = false;
    ++syncs_;
  }
  return true;
}

void Journal::flush() noexcept {
  if (fd_ >= 0 && ::fdatasync(fd_) == 0) {
    dirty_ = false;
    ++syncs_;
  }
}

bool Journal::end_batch() noexcept {
  if (sync_ != JournalSync::kBatch || !dirty_ || fd_ < 0) return true;
  dirty_ = false;
  ++syncs_;
  return ::fdatasync(fd_) == 0;
}

ReplayStats Journal::replay(const std::string& path,
                            const std::function<void(const JournalRecord&)>& on_record,
                            bool truncate_torn_tail) {
  ReplayStats stats;
  const int fd = ::open(path.c_str(), (truncate_torn_tail ? O_RDWR : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return stats;
    throw std::runtime_error(fmt::format("cannot read journal {}: {}", path, std::strerror(errno)));
  }
  struct stat st {};
  ::fstat(fd, &st);
  const auto size = static_cast<std::uint64_t>(st.st_size);
  std::uint64_t offset = 0;
  JournalRecord r;
  while (offset + sizeof(r) <= size) {
    if (::pread(fd, &r, sizeof(r), static_cast<off_t>(offset)) != static_cast<ssize_t>(sizeof(r))) {
      break;
    }
    if (r.magic != JournalRecord{}.magic || r.crc != record_crc(r)) break;
    if (r.version == 1) {
      r.kind = kind_of_version_1(static_cast<std::uint8_t>(r.kind));
    } else if (r.version != kJournalVersion) {
      ::close(fd);
      throw std::runtime_error(fmt::format(
          "journal {}: the record at byte {} has version {}; this build reads versions 1 and {}",
          path, offset, r.version, kJournalVersion));
    }
    on_record(r);
    ++stats.records;
    offset += sizeof(r);
  }
  stats.torn_bytes = size - offset;
  if (truncate_torn_tail && stats.torn_bytes > 0 &&
      ::ftruncate(fd, static_cast<off_t>(offset)) != 0) {
    ::close(fd);
    throw std::runtime_error(
        fmt::format("cannot truncate torn tail of journal {}: {}", path, std::strerror(errno)));
  }
  ::close(fd);
  return stats;
}

}  // namespace ztrade::execution
