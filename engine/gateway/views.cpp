#include "gateway/views.hpp"

#include <fmt/format.h>

#include "features/feature_computer.hpp"
#include "gateway/json.hpp"

namespace ztrade::gateway {

std::string bar_json(const wire::BarMsg& b) {
  return fmt::format(R"({{"ts_ns":{},"open":{},"high":{},"low":{},"close":{},"volume":{},)"
                     R"("interval_ns":{}}})",
                     b.start_ns, json_number(b.open), json_number(b.high), json_number(b.low),
                     json_number(b.close), json_number(b.volume), b.interval_ns);
}

std::string trade_json(const wire::TradeMsg& t) {
  return fmt::format(R"({{"ts_ns":{},"price":{},"size":{},"trade_id":{}}})", t.exchange_ns,
                     json_number(t.price), json_number(t.size), t.trade_id);
}

std::string quote_json(const wire::QuoteMsg& q) {
  return fmt::format(R"({{"ts_ns":{},"bid":{},"bid_size":{},"ask":{},"ask_size":{}}})",
                     q.exchange_ns, json_number(q.bid_price), json_number(q.bid_size),
                     json_number(q.ask_price), json_number(q.ask_size));
}

std::string features_json(const wire::FeaturesMsg& f) {
  std::string values;
  for (std::size_t i = 0; i < kFeatureCount && i < f.count; ++i) {
    if (!values.empty()) values += ',';
    values += fmt::format("{}:{}", json_string(kFeatureNames[i]), json_number(f.values[i]));
  }
  return fmt::format(R"({{"bar_ns":{},"ready":{},"values":{{{}}}}})", f.bar_ns, f.ready != 0,
                     values);
}

std::string position_json(const wire::PositionMsg& p) {
  return fmt::format(
      R"({{"symbol":{},"quantity":{},"avg_price":{},"mark":{},"realized":{},"unrealized":{}}})",
      json_string(p.symbol.view()), json_number(p.quantity), json_number(p.avg_price),
      json_number(p.mark_price), json_number(p.realized_pnl), json_number(p.unrealized_pnl));
}

std::string order_json(const OrderView& o) {
  const std::string_view side = o.side == wire::Side::kBuy    ? "buy"
                                : o.side == wire::Side::kSell ? "sell"
                                                              : "none";
  return fmt::format(R"({{"client_order_id":{},"symbol":{},"side":"{}","quantity":{},"filled":{},)"
                     R"("avg_price":{},"status":{},"updated_ns":{}}})",
                     o.client_order_id, json_string(o.symbol), side, json_number(o.quantity),
                     json_number(o.filled), json_number(o.avg_price), json_string(o.status),
                     o.updated_ns);
}

}  // namespace ztrade::gateway
