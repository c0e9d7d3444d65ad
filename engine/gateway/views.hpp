#pragma once
// The JSON of each thing the gateway shows - a bar, a trade, a quote, features, a position, an
// order - written once and used by both the REST API and the stream, so the two agree.
#include <string>

#include "bus/messages.hpp"
#include "gateway/market_state.hpp"

namespace ztrade::gateway {

[[nodiscard]] std::string bar_json(const wire::BarMsg& b);
[[nodiscard]] std::string trade_json(const wire::TradeMsg& t);
[[nodiscard]] std::string quote_json(const wire::QuoteMsg& q);
[[nodiscard]] std::string features_json(const wire::FeaturesMsg& f);
[[nodiscard]] std::string position_json(const wire::PositionMsg& p);
[[nodiscard]] std::string order_json(const OrderView& o);

}  // namespace ztrade::gateway
