#pragma once
// JSON text for the gateway's answers: strings escaped, non-finite numbers as null. The
// gateway writes its JSON with fmt (no DOM): its shapes are fixed and small.
#include <cmath>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "core/json_text.hpp"

namespace ztrade::gateway {

// Strings: escaped, and invalid UTF-8 replaced (core/json_text.hpp, shared with the brokers).
using ztrade::append_json_string;
using ztrade::json_string;

[[nodiscard]] inline std::string json_number(double v) {
  return std::isfinite(v) ? fmt::format("{}", v) : "null";
}

// {"error":{"code":..,"message":..}} - every error the gateway answers has this shape.
[[nodiscard]] inline std::string json_error(std::string_view code, std::string_view message) {
  return fmt::format(R"({{"error":{{"code":{},"message":{}}}}})", json_string(code),
                     json_string(message));
}

}  // namespace ztrade::gateway
