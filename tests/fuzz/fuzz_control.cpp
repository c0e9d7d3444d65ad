// The control protocol on arbitrary bytes: parsing is total (every input gets a verdict), a
// token never matches unless it is the secret byte for byte, and only known verbs come back.
#include <cstdlib>
#include <string_view>

#include "ops/control_protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ztrade::ops;
  const std::string_view request(reinterpret_cast<const char*>(data), size);
  const ControlRequest r = parse_control(request);
  constexpr std::string_view kSecret = "0123456789abcdef0123456789abcdef";
  if (token_matches(r.token, kSecret) && r.token != kSecret) std::abort();
  if (r.verb == ControlVerb::kUnknown && !r.token.empty()) std::abort();
  const std::string_view name = verb_name(r.verb);
  if (r.verb != ControlVerb::kUnknown && request.substr(0, name.size()) != name) std::abort();
  if (token_matches(request, "")) std::abort();  // no secret: nothing matches
  return 0;
}
