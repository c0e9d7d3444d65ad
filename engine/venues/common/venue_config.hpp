#pragma once
// A live venue's settings, [market_data.<venue>]: the keys every venue has, plus the adapter's
// own (in `options`, a type the adapter defines and reads in its folder's config.cpp).
#include <any>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/section_reader.hpp"

namespace ztrade::venues {

struct VenueConfig {
  bool enabled = false;
  std::string url;                             // default: the adapter's public endpoint
  std::map<std::string, std::string> symbols;  // venue symbol -> engine symbol (1-16 chars)
  std::vector<std::string> channels;           // default: the adapter's
  std::string ca_file;                         // PEM to trust instead of the system store
  double connect_timeout_s = 10;
  double idle_timeout_s = 10;  // no frame: ping; no pong either: reconnect
  std::any options;            // the adapter's own settings (e.g. kraken::Options)

  template <class Options>
  const Options& get() const {
    return std::any_cast<const Options&>(options);
  }
};

// One adapter's configuration rules, from its folder's config.cpp.
struct VenueConfigRules {
  std::string_view name;  // the section: [market_data.<name>]
  // Reads the adapter's own keys into config.options (called after the common keys).
  void (*read_options)(core::SectionReader& reader, VenueConfig& config);
  // The public endpoint and the channels subscribed when the config names none.
  std::string (*default_url)(const VenueConfig& config);
  std::vector<std::string> (*default_channels)(const VenueConfig& config);
  std::vector<std::string> (*allowed_channels)(const VenueConfig& config);
};

}  // namespace ztrade::venues
