#pragma once
// How an adapter (a venue's or a broker's folder) reads its own keys of its config section
// without depending on the config library: the engine's reader (engine/ops/config.cpp)
// implements it, so every key is typed, bounded, documented in the reference and reported
// with its dotted name when wrong.
#include <initializer_list>
#include <string>
#include <string_view>

namespace ztrade::core {

class SectionReader {
 public:
  virtual ~SectionReader() = default;
  virtual void read(std::string_view key, std::string& out, std::string_view doc,
                    std::initializer_list<std::string_view> allowed = {}) = 0;
  virtual void read(std::string_view key, bool& out, std::string_view doc) = 0;
  // A number in [lo, hi].
  virtual void read(std::string_view key, double& out, double lo, double hi,
                    std::string_view doc) = 0;
  virtual void read_int(std::string_view key, int& out, long long lo, long long hi,
                        std::string_view doc) = 0;
  virtual void error(std::string_view key, std::string_view problem) = 0;
};

}  // namespace ztrade::core
