#include "bus/schema.hpp"

#include <array>

namespace ztrade::wire {
namespace {

// F(Struct, member, kind): one field; sizes come from the member itself.
#define F(S, m, kind)                      \
  FieldSpec {                              \
#m, offsetof(S, m), kind, sizeof(S::m) \
  }

constexpr std::array kHeader{
    F(Header, magic, "u2"),        F(Header, version, "u1"),   F(Header, type, "u1"),
    F(Header, publisher_id, "u2"), F(Header, body_size, "u2"), F(Header, seq, "u8"),
    F(Header, event_ns, "i8"),     F(Header, send_ns, "i8"),
};
constexpr std::array kBar{
    F(BarMsg, symbol, "S"),    F(BarMsg, open, "f8"),        F(BarMsg, high, "f8"),
    F(BarMsg, low, "f8"),      F(BarMsg, close, "f8"),       F(BarMsg, volume, "f8"),
    F(BarMsg, start_ns, "i8"), F(BarMsg, interval_ns, "i8"), F(BarMsg, trade_count, "u4"),
    F(BarMsg, flags, "u4"),
};
constexpr std::array kTrade{
    F(TradeMsg, symbol, "S"),     F(TradeMsg, price, "f8"),       F(TradeMsg, size, "f8"),
    F(TradeMsg, trade_id, "u8"),  F(TradeMsg, exchange_ns, "i8"), F(TradeMsg, receive_ns, "i8"),
    F(TradeMsg, aggressor, "u1"), F(TradeMsg, reserved, "V"),
};
constexpr std::array kQuote{
    F(QuoteMsg, symbol, "S"),      F(QuoteMsg, bid_price, "f8"), F(QuoteMsg, bid_size, "f8"),
    F(QuoteMsg, ask_price, "f8"),  F(QuoteMsg, ask_size, "f8"),  F(QuoteMsg, exchange_ns, "i8"),
    F(QuoteMsg, receive_ns, "i8"),
};
constexpr std::array kFeatures{
    F(FeaturesMsg, symbol, "S"), F(FeaturesMsg, bar_ns, "i8"),  F(FeaturesMsg, ready, "u1"),
    F(FeaturesMsg, count, "u1"), F(FeaturesMsg, reserved, "V"), F(FeaturesMsg, values, "f8[]"),
};
constexpr std::array kSignal{
    F(SignalMsg, symbol, "S"),         F(SignalMsg, strategy, "S"),
    F(SignalMsg, signal_ns, "i8"),     F(SignalMsg, strength, "f8"),
    F(SignalMsg, direction, "i1"),     F(SignalMsg, has_features, "u1"),
    F(SignalMsg, feature_count, "u1"), F(SignalMsg, reserved, "V"),
    F(SignalMsg, features, "f8[]"),    F(SignalMsg, metadata, "S"),
};
constexpr std::array kNewOrder{
    F(NewOrderMsg, client_order_id, "u8"),
    F(NewOrderMsg, symbol, "S"),
    F(NewOrderMsg, strategy, "S"),
    F(NewOrderMsg, side, "u1"),
    F(NewOrderMsg, type, "u1"),
    F(NewOrderMsg, tif, "u1"),
    F(NewOrderMsg, reserved, "V"),
    F(NewOrderMsg, quantity, "f8"),
    F(NewOrderMsg, limit_price, "f8"),
    F(NewOrderMsg, signal_seq, "u8"),
};
constexpr std::array kCancel{
    F(CancelOrderMsg, client_order_id, "u8"),
    F(CancelOrderMsg, symbol, "S"),
};
constexpr std::array kExec{
    F(ExecutionReportMsg, client_order_id, "u8"),
    F(ExecutionReportMsg, symbol, "S"),
    F(ExecutionReportMsg, venue_order_id, "S"),
    F(ExecutionReportMsg, exec_type, "u1"),
    F(ExecutionReportMsg, side, "u1"),
    F(ExecutionReportMsg, reject_code, "u2"),
    F(ExecutionReportMsg, reserved, "V"),
    F(ExecutionReportMsg, last_qty, "f8"),
    F(ExecutionReportMsg, last_price, "f8"),
    F(ExecutionReportMsg, cum_qty, "f8"),
    F(ExecutionReportMsg, leaves_qty, "f8"),
    F(ExecutionReportMsg, avg_price, "f8"),
    F(ExecutionReportMsg, text, "S"),
};
constexpr std::array kPosition{
    F(PositionMsg, symbol, "S"),          F(PositionMsg, quantity, "f8"),
    F(PositionMsg, avg_price, "f8"),      F(PositionMsg, realized_pnl, "f8"),
    F(PositionMsg, unrealized_pnl, "f8"), F(PositionMsg, mark_price, "f8"),
};
constexpr std::array kReject{
    F(RiskRejectMsg, client_order_id, "u8"),
    F(RiskRejectMsg, symbol, "S"),
    F(RiskRejectMsg, strategy, "S"),
    F(RiskRejectMsg, reason, "u2"),
    F(RiskRejectMsg, side, "u1"),
    F(RiskRejectMsg, reserved, "V"),
    F(RiskRejectMsg, quantity, "f8"),
    F(RiskRejectMsg, price, "f8"),
    F(RiskRejectMsg, text, "S"),
};
constexpr std::array kHeartbeat{
    F(HeartbeatMsg, component, "S"),     F(HeartbeatMsg, state, "u1"),
    F(HeartbeatMsg, reserved, "V"),      F(HeartbeatMsg, uptime_ns, "i8"),
    F(HeartbeatMsg, messages_out, "u8"),
};
#undef F

template <class Body, std::size_t N>
constexpr MessageSpec body(const std::array<FieldSpec, N>& fields) {
  return {type_name(BodyTraits<Body>::kType), BodyTraits<Body>::kType, sizeof(Body), fields};
}

const std::array kSchema{
    MessageSpec{"header", MsgType{}, sizeof(Header), kHeader},
    body<BarMsg>(kBar),
    body<TradeMsg>(kTrade),
    body<QuoteMsg>(kQuote),
    body<FeaturesMsg>(kFeatures),
    body<SignalMsg>(kSignal),
    body<NewOrderMsg>(kNewOrder),
    body<CancelOrderMsg>(kCancel),
    body<ExecutionReportMsg>(kExec),
    body<PositionMsg>(kPosition),
    body<RiskRejectMsg>(kReject),
    body<HeartbeatMsg>(kHeartbeat),
};

}  // namespace

std::span<const MessageSpec> schema() noexcept {
  return kSchema;
}

}  // namespace ztrade::wire
