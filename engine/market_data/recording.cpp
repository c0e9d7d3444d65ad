#include "market_data/recording.hpp"

#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include <fmt/format.h>

#include "bus/codec.hpp"

namespace ztrade::market_data {

RecordingWriter::RecordingWriter(const std::string& path)
    : path_(path), file_(std::fopen(path.c_str(), "wb")) {
  if (!file_) throw std::runtime_error(fmt::format("cannot create recording {}", path));
  if (std::fwrite(kRecordingMagic.data(), 1, kRecordingMagic.size(), file_.get()) !=
      kRecordingMagic.size()) {
    throw std::runtime_error(fmt::format("cannot write recording {}", path));
  }
}

void RecordingWriter::write(std::string_view topic, std::span<const std::byte> frame) noexcept {
  if (topic.size() > 0xFFFF || frame.size() > 0xFFFF) {
    ++failures_;
    return;
  }
  const std::uint16_t lengths[2] = {static_cast<std::uint16_t>(topic.size()),
                                    static_cast<std::uint16_t>(frame.size())};
  std::FILE* f = file_.get();
  if (std::fwrite(lengths, sizeof(lengths), 1, f) != 1 ||
      std::fwrite(topic.data(), 1, topic.size(), f) != topic.size() ||
      std::fwrite(frame.data(), 1, frame.size(), f) != frame.size()) {
    ++failures_;
    return;
  }
  ++records_;
}

void RecordingWriter::flush() noexcept {
  if (std::fflush(file_.get()) != 0) ++failures_;
}

bool event_from_frame(std::span<const std::byte> bytes, MarketEvent& out) noexcept {
  wire::Frame frame;
  if (wire::decode(bytes, frame) != wire::DecodeError::kOk) return false;
  out.ts_ns = frame.header.event_ns;
  switch (frame.header.type) {
    case wire::MsgType::kBar:
      out.kind = MarketEvent::Kind::kBar;
      return wire::body_as(frame, out.bar);
    case wire::MsgType::kTrade:
      out.kind = MarketEvent::Kind::kTrade;
      return wire::body_as(frame, out.trade);
    case wire::MsgType::kQuote:
      out.kind = MarketEvent::Kind::kQuote;
      return wire::body_as(frame, out.quote);
    default:
      return false;
  }
}

RecordingReader::RecordingReader(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("cannot open recording {}", path));
  std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  data_.resize(raw.size());
  std::memcpy(data_.data(), raw.data(), raw.size());
  if (data_.size() < kRecordingMagic.size() ||
      std::memcmp(data_.data(), kRecordingMagic.data(), kRecordingMagic.size()) != 0) {
    throw std::runtime_error(
        fmt::format("{}: not a ztrade recording (expected the magic {})", path, kRecordingMagic));
  }
  if (data_.size() > 0xFFFFFFFFu) {
    throw std::runtime_error(fmt::format("{}: larger than 4 GiB; split the recording", path));
  }
  std::size_t at = kRecordingMagic.size();
  MarketEvent probe;
  while (at < data_.size()) {
    std::uint16_t lengths[2];
    if (data_.size() - at < sizeof(lengths)) {
      truncated_ = data_.size() - at;
      break;
    }
    std::memcpy(lengths, data_.data() + at, sizeof(lengths));
    const std::size_t need = sizeof(lengths) + lengths[0] + lengths[1];
    if (data_.size() - at < need) {
      truncated_ = data_.size() - at;
      break;
    }
    const std::size_t frame_at = at + sizeof(lengths) + lengths[0];
    if (!event_from_frame({data_.data() + frame_at, lengths[1]}, probe)) {
      throw std::runtime_error(
          fmt::format("{}: record at byte {} is not a valid bar, trade or quote frame", path, at));
    }
    // Never a bar (or trade) published outside 1970-2262: a negative time is no time.
    if (probe.ts_ns < 0 || (probe.kind == MarketEvent::Kind::kBar && probe.bar.start_ns < 0)) {
      throw std::runtime_error(fmt::format(
          "{}: record at byte {} has a time before 1970 (event {} ns, bar start {} ns)", path, at,
          probe.ts_ns, probe.kind == MarketEvent::Kind::kBar ? probe.bar.start_ns : 0));
    }
    offsets_.push_back(static_cast<std::uint32_t>(at));
    at += need;
  }
}

RecordingReader::Record RecordingReader::record(std::size_t i) const noexcept {
  const std::size_t at = offsets_[i];
  std::uint16_t lengths[2];
  std::memcpy(lengths, data_.data() + at, sizeof(lengths));
  const std::byte* topic = data_.data() + at + sizeof(lengths);
  return {{reinterpret_cast<const char*>(topic), lengths[0]}, {topic + lengths[0], lengths[1]}};
}

bool RecordingReader::next(MarketEvent& out) noexcept {
  if (pos_ >= offsets_.size()) return false;
  return event_from_frame(record(pos_++).frame, out);
}

}  // namespace ztrade::market_data
