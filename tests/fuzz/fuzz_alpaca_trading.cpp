// The Alpaca trading parsers (REST bodies and trade_updates frames, engine/brokers/alpaca_paper)
// under libFuzzer: every line of an input goes through each of them. Crashes, sanitizer reports
// and values the broker could not use (a NaN quantity, an empty order id) are findings.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include "brokers/alpaca_paper/parse.hpp"
#include "fuzz_lines.hpp"

namespace {
using namespace ztrade::brokers::alpaca_paper;

void check(bool ok) {
  if (!ok) std::abort();
}

void check_order(const OrderView& o) {
  check(!o.id.view().empty() && !o.symbol.view().empty());
  for (double v : {o.qty, o.filled_qty, o.filled_avg_price, o.limit_price}) check(std::isfinite(v));
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Parser parser;
  ztrade::fuzz::for_each_line(data, size, [](const simdjson::padded_string& line) {
    TradeUpdate u;
    if (parser.stream(line, u) == StreamMessage::kTradeUpdate) {
      check_order(u.order);
      check(std::isfinite(u.price) && std::isfinite(u.qty) && std::isfinite(u.position_qty));
    }
    OrderView o;
    if (parser.order(line, o)) check_order(o);
    (void)parser.orders(line, check_order);
    (void)parser.positions(line, [](const PositionView& p) {
      check(!p.symbol.view().empty() && std::isfinite(p.qty) && std::isfinite(p.avg_entry_price));
    });
    ErrorView e;
    (void)parser.error(line, e);
    ClockView c;
    (void)parser.clock(line, c);
  });
  return 0;
}
