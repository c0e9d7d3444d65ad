#pragma once
// A small piece of state that must survive a crash or restart of its process (risk's trading
// state: an operator's HALT must not be lost), kept in a file under the run directory and
// replaced atomically: written to a temporary file, flushed to disk, renamed over the old one,
// the directory flushed. A reader sees the old value or the new one, never a torn one.
#include <optional>
#include <string>
#include <string_view>

namespace ztrade::ops {

// False (errno left as the failing call set it) when the value could not be stored.
[[nodiscard]] bool write_state_file(const std::string& path, std::string_view value) noexcept;
// The stored value, or nothing when there is no file (a first start).
std::optional<std::string> read_state_file(const std::string& path);

}  // namespace ztrade::ops
