#include "bus/codec.hpp"

namespace ztrade::wire {

std::string_view error_name(DecodeError e) noexcept {
  switch (e) {
    case DecodeError::kOk:
      return "ok";
    case DecodeError::kTooShort:
      return "too_short";
    case DecodeError::kBadMagic:
      return "bad_magic";
    case DecodeError::kBadVersion:
      return "bad_version";
    case DecodeError::kUnknownType:
      return "unknown_type";
    case DecodeError::kSizeMismatch:
      return "size_mismatch";
  }
  return "unknown";
}

std::string_view type_name(MsgType type) noexcept {
  switch (type) {
    case MsgType::kBar:
      return "bar";
    case MsgType::kTrade:
      return "trade";
    case MsgType::kQuote:
      return "quote";
    case MsgType::kFeatures:
      return "features";
    case MsgType::kSignal:
      return "signal";
    case MsgType::kNewOrder:
      return "new_order";
    case MsgType::kCancelOrder:
      return "cancel_order";
    case MsgType::kExecutionReport:
      return "execution_report";
    case MsgType::kPosition:
      return "position";
    case MsgType::kRiskReject:
      return "risk_reject";
    case MsgType::kHeartbeat:
      return "heartbeat";
    case MsgType::kBarrier:
      return "barrier";
  }
  return "unknown";
}

DecodeError decode(std::span<const std::byte> bytes, Frame& out) noexcept {
  if (bytes.size() < sizeof(Header)) return DecodeError::kTooShort;
  Header h;
  std::memcpy(&h, bytes.data(), sizeof(Header));
  if (h.magic != kMagic) return DecodeError::kBadMagic;
  if (h.version != kWireVersion) return DecodeError::kBadVersion;
  const auto raw_type = static_cast<std::uint8_t>(h.type);
  if (raw_type == 0 || raw_type > kMaxMsgType) return DecodeError::kUnknownType;
  const std::size_t expected = body_size_of(h.type);
  if (h.body_size != expected || bytes.size() != sizeof(Header) + expected) {
    return DecodeError::kSizeMismatch;
  }
  out.header = h;
  out.body = bytes.subspan(sizeof(Header), expected);
  return DecodeError::kOk;
}

}  // namespace ztrade::wire
