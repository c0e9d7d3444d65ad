// The signal ingress on arbitrary bytes: what an external strategy pushes is decoded and
// checked exactly as the signal bridge does; an accepted signal has a finite strength in
// [-1, 1] with the matching direction and a strategy id.
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <span>

#include "bus/codec.hpp"
#include "signals/signal_validator.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ztrade;
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  wire::Frame frame;
  if (wire::decode(bytes, frame) != wire::DecodeError::kOk) return 0;
  wire::SignalMsg s{};
  if (!wire::body_as(frame, s)) return 0;
  std::int64_t now = 0;
  std::memcpy(&now, data, std::min(size, sizeof(now)));
  const auto problem = signals::validate(s, (size & 1) != 0, now, 5000);
  if (problem == signals::SignalProblem::kNone) {
    if (!std::isfinite(s.strength) || std::fabs(s.strength) > 1.0) std::abort();
    const int sign = s.strength > 0 ? 1 : (s.strength < 0 ? -1 : 0);
    if (s.direction != sign || s.strategy.view().empty()) std::abort();
  }
  (void)signals::problem_name(problem);
  return 0;
}
