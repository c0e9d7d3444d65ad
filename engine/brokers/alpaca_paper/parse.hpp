#pragma once
// Parsing of Alpaca trading's JSON (REST bodies and trade_updates frames) with simdjson
// On-Demand. Every function returns false for a body it cannot read - never throws - and
// reads unknown fields and unknown event types without complaint (Alpaca adds fields).
// Inputs need simdjson::SIMDJSON_PADDING readable bytes after them (padded_string_view).
#include <simdjson.h>

#include <functional>
#include <string_view>

#include "brokers/alpaca_paper/messages.hpp"

namespace ztrade::brokers::alpaca_paper {

// What a trade_updates connection sends.
enum class StreamMessage : std::uint8_t {
  kAuthorized,
  kUnauthorized,
  kListening,
  kTradeUpdate,
  kOther,      // another stream, or a message with nothing for us
  kMalformed,  // not JSON, or a known message with fields of the wrong type
};

class Parser {
 public:
  // A trade_updates frame; fills `update` when it returns kTradeUpdate.
  StreamMessage stream(simdjson::padded_string_view frame, TradeUpdate& update) noexcept;
  // One Order object (POST/GET /v2/orders..., GET /v2/orders:by_client_order_id).
  bool order(simdjson::padded_string_view body, OrderView& out) noexcept;
  // An array of orders (GET /v2/orders); `each` is called per order, in order.
  bool orders(simdjson::padded_string_view body,
              const std::function<void(const OrderView&)>& each) noexcept;
  bool positions(simdjson::padded_string_view body,
                 const std::function<void(const PositionView&)>& each) noexcept;
  bool error(simdjson::padded_string_view body, ErrorView& out) noexcept;
  bool clock(simdjson::padded_string_view body, ClockView& out) noexcept;

 private:
  simdjson::ondemand::parser parser_;
};

}  // namespace ztrade::brokers::alpaca_paper
