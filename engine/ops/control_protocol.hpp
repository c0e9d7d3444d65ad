#pragma once
// The kill-switch protocol spoken on risk's control socket: one text request, one text reply.
//   "STATE"                 -> "OK <STATE>"
//   "HALT <token>"          -> "OK HALTED"      (likewise REDUCE, RESUME)
//   "CANCEL_ALL <token>"    -> "OK <STATE>"     every open order canceled, the state unchanged
//   anything else           -> "DENIED" (bad or missing token) or "ERROR ..." (not a request)
// Parsing is pure and total (fuzzed: tests/fuzz/fuzz_control.cpp): any bytes give a verdict.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ztrade::ops {

enum class ControlVerb : std::uint8_t { kUnknown, kState, kHalt, kReduce, kResume, kCancelAll };

constexpr std::string_view verb_name(ControlVerb v) noexcept {
  switch (v) {
    case ControlVerb::kState:
      return "STATE";
    case ControlVerb::kHalt:
      return "HALT";
    case ControlVerb::kReduce:
      return "REDUCE";
    case ControlVerb::kResume:
      return "RESUME";
    case ControlVerb::kCancelAll:
      return "CANCEL_ALL";
    case ControlVerb::kUnknown:
      break;
  }
  return "unknown";
}

struct ControlRequest {
  ControlVerb verb = ControlVerb::kUnknown;
  std::string_view token;  // what follows the verb and one space; empty if nothing does
};

// "VERB" or "VERB <token>", the verb in upper case; any other shape is kUnknown.
[[nodiscard]] constexpr ControlRequest parse_control(std::string_view request) noexcept {
  const std::size_t space = request.find(' ');
  const std::string_view verb = request.substr(0, space);
  ControlRequest r;
  for (ControlVerb v : {ControlVerb::kState, ControlVerb::kHalt, ControlVerb::kReduce,
                        ControlVerb::kResume, ControlVerb::kCancelAll}) {
    if (verb == verb_name(v)) r.verb = v;
  }
  if (r.verb != ControlVerb::kUnknown && space != std::string_view::npos) {
    r.token = request.substr(space + 1);
  }
  return r;
}

// Compares a presented token with the secret in time that depends only on their lengths, so
// that timing a failed attempt reveals nothing about how much of the token was right.
[[nodiscard]] constexpr bool token_matches(std::string_view presented,
                                           std::string_view secret) noexcept {
  if (secret.empty()) return false;
  unsigned char diff = presented.size() == secret.size() ? 0 : 1;
  for (std::size_t i = 0; i < presented.size(); ++i) {
    diff |= static_cast<unsigned char>(presented[i] ^ secret[i % secret.size()]);
  }
  return diff == 0;
}

// Tokens are read whole up to this length; a longer configured token is refused at start.
inline constexpr std::size_t kMaxControlToken = 1024;

}  // namespace ztrade::ops
