#pragma once
// JSON text for the gateway's answers: strings escaped, non-finite numbers as null. The
// gateway writes its JSON with fmt (no DOM): its shapes are fixed and small.
#include <cmath>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace ztrade::gateway {

inline void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  out += '"';
}

[[nodiscard]] inline std::string json_string(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

[[nodiscard]] inline std::string json_number(double v) {
  return std::isfinite(v) ? fmt::format("{}", v) : "null";
}

// {"error":{"code":..,"message":..}} - every error the gateway answers has this shape.
[[nodiscard]] inline std::string json_error(std::string_view code, std::string_view message) {
  return fmt::format(R"({{"error":{{"code":{},"message":{}}}}})", json_string(code),
                     json_string(message));
}

}  // namespace ztrade::gateway
