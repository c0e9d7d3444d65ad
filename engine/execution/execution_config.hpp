#pragma once
// Execution's settings: the [execution] section of the engine config. Defaults are the
// initialisers here; keys, bounds and meanings are read and documented in
// engine/ops/config.cpp. Each broker adapter's own settings are its folder's type
// (engine/brokers/<name>/config.hpp), kept here by adapter name.
#include <any>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace ztrade::execution {

struct ExecutionConfig {
  std::uint16_t publisher_id = 4;
  int ops_port = 9104;
  std::string broker = "sim";                 // an adapter of brokers/adapters.hpp
  std::string journal = "execution.journal";  // relative to engine.run_dir
  std::string journal_sync = "off";           // off | batch | record (execution/journal.hpp)
  // Every registered broker's options (selected or not), by adapter name.
  std::map<std::string, std::any, std::less<>> brokers;

  // The options of `adapter`, as its config rules read them; a default-made Options when the
  // config was built without the reader (tests, benchmarks).
  template <class Options>
  Options options(std::string_view adapter) const {
    const auto it = brokers.find(adapter);
    if (it == brokers.end()) return Options{};
    return std::any_cast<const Options&>(it->second);
  }
};

}  // namespace ztrade::execution
