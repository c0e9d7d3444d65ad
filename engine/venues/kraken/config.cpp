#include "venues/kraken/config.hpp"

#include <fmt/format.h>

namespace ztrade::venues::kraken {

namespace {
void read_options(core::SectionReader& r, VenueConfig& c) {
  Options o;
  r.read_int("book_depth", o.book_depth, 10, 1000, "book depth: 10, 25, 100, 500 or 1000");
  r.read_int("ohlc_interval_min", o.ohlc_interval_min, 1, 21600,
             "candle interval of the ohlc channel, in minutes");
  if (o.book_depth != 10 && o.book_depth != 25 && o.book_depth != 100 && o.book_depth != 500 &&
      o.book_depth != 1000) {
    r.error("book_depth", fmt::format("must be 10, 25, 100, 500 or 1000, got {}", o.book_depth));
  }
  c.options = o;
}
}  // namespace

const VenueConfigRules kConfigRules{
    "kraken",
    read_options,
    [](const VenueConfig&) { return std::string("wss://ws.kraken.com/v2"); },
    [](const VenueConfig&) {
      return std::vector<std::string>{"trade", "ticker", "book"};
    },
    [](const VenueConfig&) {
      return std::vector<std::string>{"trade", "ticker", "book", "ohlc"};
    },
};

}  // namespace ztrade::venues::kraken
