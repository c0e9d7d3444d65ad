#pragma once
// Logging what clients send without letting them flood or forge the log.
//
// LogLimiter: a log line that input can trigger as fast as it arrives (a rejected signal, a
// denied control request) is written at most once per interval; the next one written says
// how many were suppressed in between. The counters in /metrics stay exact.
//
// Printable: text from outside (symbols, strategy ids) as it goes into a log line, with
// control characters, quotes, backslashes and non-ASCII bytes escaped (\n, \x1b, ...), so a
// newline cannot start a forged line; long values are cut.
#include <chrono>
#include <cstdint>
#include <string_view>

#include <fmt/format.h>

namespace ztrade::ops {

class LogLimiter {
 public:
  explicit LogLimiter(std::chrono::milliseconds interval = std::chrono::seconds(1))
      : interval_(interval) {}

  template <class Logger, class... Args>
  void warn(Logger& log, fmt::format_string<Args...> format, Args&&... args) {
    const auto now = std::chrono::steady_clock::now();
    if (logged_ && now - last_ < interval_) {
      ++suppressed_;
      return;
    }
    if (suppressed_ > 0) {
      log.warn("{} (and {} more like it since the last one logged)",
               fmt::format(format, std::forward<Args>(args)...), suppressed_);
    } else {
      log.warn(format, std::forward<Args>(args)...);
    }
    logged_ = true;
    last_ = now;
    suppressed_ = 0;
  }

  std::uint64_t suppressed() const noexcept { return suppressed_; }

 private:
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point last_{};
  bool logged_ = false;
  std::uint64_t suppressed_ = 0;
};

struct Printable {
  std::string_view text;
  static constexpr std::size_t kMax = 64;
};

}  // namespace ztrade::ops

template <>
struct fmt::formatter<ztrade::ops::Printable> : fmt::formatter<std::string_view> {
  template <class Context>
  auto format(const ztrade::ops::Printable& p, Context& ctx) const {
    auto out = ctx.out();
    std::size_t n = 0;
    for (const char ch : p.text) {
      if (n++ == ztrade::ops::Printable::kMax) {
        return fmt::format_to(out, "...({} bytes)", p.text.size());
      }
      const auto c = static_cast<unsigned char>(ch);
      if (c == '\n') {
        out = fmt::format_to(out, "\\n");
      } else if (c == '\\' || c == '"') {
        out = fmt::format_to(out, "\\{}", ch);
      } else if (c < 0x20 || c >= 0x7f) {
        out = fmt::format_to(out, "\\x{:02x}", c);
      } else {
        *out++ = ch;
      }
    }
    return out;
  }
};
