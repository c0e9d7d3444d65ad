#pragma once
// Recordings of what market-data published: the exact wire frames of its bars, trades and
// quotes with their topics, so a live session can be replayed later through the same engine
// (market_data.replay.format = "recorded"), or read from Python (ztrade.wire.read_recording).
//
// File layout (little-endian): the 8-byte magic "ZTREC001", then one record per message:
//   u16 topic_len | u16 frame_len | topic bytes | frame bytes ([Header][Body], wire-format.md)
// A recorder killed mid-write leaves a cut-short last record; the reader reports and skips
// it. Anything else that does not decode (bad frame, type other than bar/trade/quote) fails
// the open with its byte offset, so a replay never stops halfway.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "market_data/market_event.hpp"

namespace ztrade::market_data {

inline constexpr std::string_view kRecordingMagic = "ZTREC001";

class RecordingWriter {
 public:
  // Creates (or truncates) path; throws std::runtime_error if it cannot.
  explicit RecordingWriter(const std::string& path);
  // Appends one record into the stdio buffer: no allocation. A failed write is counted.
  void write(std::string_view topic, std::span<const std::byte> frame) noexcept;
  void flush() noexcept;
  std::uint64_t records() const noexcept { return records_; }
  std::uint64_t failures() const noexcept { return failures_; }
  const std::string& path() const noexcept { return path_; }

 private:
  struct Closer {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
  };
  std::string path_;
  std::unique_ptr<std::FILE, Closer> file_;
  std::uint64_t records_ = 0;
  std::uint64_t failures_ = 0;
};

class RecordingReader {
 public:
  // Reads and validates the whole file; throws std::runtime_error (path and offset) on error.
  explicit RecordingReader(const std::string& path);

  bool next(MarketEvent& out) noexcept;

  // The i-th record as recorded (i < size()): what ztrade.wire.read_recording yields, so
  // Python reads recordings through this one reader.
  struct Record {
    std::string_view topic;
    std::span<const std::byte> frame;
  };
  [[nodiscard]] Record record(std::size_t i) const noexcept;
  std::size_t size() const noexcept { return offsets_.size(); }
  std::size_t position() const noexcept { return pos_; }
  // Bytes of a cut-short last record that were skipped (0 for a cleanly closed file).
  std::size_t truncated_bytes() const noexcept { return truncated_; }

 private:
  std::vector<std::byte> data_;
  std::vector<std::uint32_t> offsets_;  // where each record starts in data_
  std::size_t pos_ = 0;
  std::size_t truncated_ = 0;
};

// Decodes one bar/trade/quote frame into an event (ts_ns = the header's event time).
// False for any other type or an invalid frame.
bool event_from_frame(std::span<const std::byte> frame, MarketEvent& out) noexcept;

}  // namespace ztrade::market_data
