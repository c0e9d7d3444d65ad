#pragma once
// Encoding and decoding of wire frames ([Header][Body], see messages.hpp). Decoding never
// trusts the input: a frame that is short, has the wrong magic or version, an unknown type or a
// size that does not match its type yields an error code (the subscriber counts and drops it).
#include <cstddef>
#include <cstring>
#include <span>
#include <string_view>

#include "bus/messages.hpp"

namespace ztrade::wire {

enum class DecodeError : std::uint8_t {
  kOk = 0,
  kTooShort,      // fewer bytes than a header
  kBadMagic,      // not a ztrade frame
  kBadVersion,    // a wire version this build does not speak
  kUnknownType,   // type byte outside the known set
  kSizeMismatch,  // body_size disagrees with the type or with the frame length
};
inline constexpr std::size_t kDecodeErrorCount = 6;
std::string_view error_name(DecodeError e) noexcept;

struct Frame {
  Header header;
  std::span<const std::byte> body;  // exactly header.body_size bytes, inside the input
};

// Validates and splits a received frame. Never reads past `bytes`.
[[nodiscard]] DecodeError decode(std::span<const std::byte> bytes, Frame& out) noexcept;

// Copies the body out of a decoded frame; false when the frame holds another type.
template <class Body>
[[nodiscard]] bool body_as(const Frame& frame, Body& out) noexcept {
  if (frame.header.type != BodyTraits<Body>::kType || frame.body.size() != sizeof(Body)) {
    return false;
  }
  std::memcpy(&out, frame.body.data(), sizeof(Body));
  return true;
}

inline constexpr std::size_t kMaxFrameSize = sizeof(Header) + 256;

template <class Body>
constexpr std::size_t frame_size() noexcept {
  return sizeof(Header) + sizeof(Body);
}

// Writes [header][body] into `out` (at least frame_size<Body>() bytes), setting the header's
// type and body_size from Body. Returns the bytes written, 0 if `out` is too small.
template <class Body>
[[nodiscard]] std::size_t encode(Header header, const Body& body,
                                 std::span<std::byte> out) noexcept {
  static_assert(sizeof(Body) <= kMaxFrameSize - sizeof(Header));
  if (out.size() < frame_size<Body>()) return 0;
  header.magic = kMagic;
  header.version = kWireVersion;
  header.type = BodyTraits<Body>::kType;
  header.body_size = static_cast<std::uint16_t>(sizeof(Body));
  std::memcpy(out.data(), &header, sizeof(Header));
  std::memcpy(out.data() + sizeof(Header), &body, sizeof(Body));
  return frame_size<Body>();
}

}  // namespace ztrade::wire
