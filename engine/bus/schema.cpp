#include "bus/schema.hpp"

#include <array>

namespace ztrade::wire {
namespace {

// F(Struct, member, kind, meaning): one field; offsets and sizes come from the member itself.
#define F(S, m, kind, meaning)                      \
  FieldSpec {                                       \
#m, offsetof(S, m), kind, sizeof(S::m), meaning \
  }

constexpr std::array kHeader{
    F(Header, magic, "u2", "0x545A (\"ZT\" in byte order 5A 54)"),
    F(Header, version, "u1", "wire version (1)"),
    F(Header, type, "u1", "message type (the bodies table)"),
    F(Header, publisher_id, "u2", "unique per publishing component; a replay has its own"),
    F(Header, body_size, "u2", "bytes after the header; must equal the type's body size"),
    F(Header, seq, "u8", "per (publisher, topic), from 1 (see Sequence numbers)"),
    F(Header, event_ns, "i8",
      "event time, ns since the Unix epoch: a bar's start, a trade's or quote's venue time, "
      "the bar time a signal, order or report belongs to"),
    F(Header, send_ns, "i8", "the publisher's send time (CLOCK_REALTIME), ns since the epoch"),
};
constexpr std::array kBar{
    F(BarMsg, symbol, "S", "engine symbol"),
    F(BarMsg, open, "f8", "first trade price"),
    F(BarMsg, high, "f8", "highest trade price"),
    F(BarMsg, low, "f8", "lowest trade price"),
    F(BarMsg, close, "f8", "last trade price"),
    F(BarMsg, volume, "f8", "traded quantity"),
    F(BarMsg, start_ns, "i8", "the bar's START (open time), ns since the epoch"),
    F(BarMsg, interval_ns, "i8", "the bar's length; the bar ends at start_ns + interval_ns"),
    F(BarMsg, trade_count, "u4", "trades in the bar (0 when the venue does not say)"),
    F(BarMsg, flags, "u4",
      "a bit set: 0 a closed bar; bit 1 (value 1) updated - a venue's correction of a bar "
      "already sent with this start; bit 2 (value 2) partial - the interval is still running. "
      "Features are computed on closed bars only"),
};
constexpr std::array kTrade{
    F(TradeMsg, symbol, "S", "engine symbol"),
    F(TradeMsg, price, "f8", "trade price"),
    F(TradeMsg, size, "f8", "trade quantity"),
    F(TradeMsg, trade_id, "u8", "the venue's trade id (0 when it has none)"),
    F(TradeMsg, exchange_ns, "i8", "the venue's timestamp"),
    F(TradeMsg, receive_ns, "i8",
      "when the adapter read it from the socket; a replay stamps the time it publishes"),
    F(TradeMsg, aggressor, "u1", "side of the taker (side enum; 0 when unknown)"),
    F(TradeMsg, reserved, "V", "zero"),
};
constexpr std::array kQuote{
    F(QuoteMsg, symbol, "S", "engine symbol"),
    F(QuoteMsg, bid_price, "f8", "best bid"),
    F(QuoteMsg, bid_size, "f8", "quantity at the best bid"),
    F(QuoteMsg, ask_price, "f8", "best ask"),
    F(QuoteMsg, ask_size, "f8", "quantity at the best ask"),
    F(QuoteMsg, exchange_ns, "i8", "the venue's timestamp"),
    F(QuoteMsg, receive_ns, "i8",
      "when the adapter read it from the socket; a replay stamps the time it publishes"),
};
constexpr std::array kFeatures{
    F(FeaturesMsg, symbol, "S", "engine symbol"),
    F(FeaturesMsg, bar_ns, "i8", "start_ns of the bar these features close"),
    F(FeaturesMsg, ready, "u1", "1 once every feature is defined (after the lookback), else 0"),
    F(FeaturesMsg, count, "u1", "how many entries of values are used (12)"),
    F(FeaturesMsg, reserved, "V", "zero"),
    F(FeaturesMsg, values, "f8[]",
      "FeatureComputer order (docs/indicators.md); NaN where not yet defined"),
};
constexpr std::array kSignal{
    F(SignalMsg, symbol, "S", "engine symbol"),
    F(SignalMsg, strategy, "S", "strategy id ([A-Za-z0-9_-], at most 16 bytes)"),
    F(SignalMsg, signal_ns, "i8", "when the strategy decided (its clock; informational)"),
    F(SignalMsg, strength, "f8", "in [-1, 1]; its sign is the direction"),
    F(SignalMsg, direction, "i1", "-1 sell/short, 0 flat, +1 buy/long"),
    F(SignalMsg, has_features, "u1",
      "1 when features holds the snapshot the decision used, else 0"),
    F(SignalMsg, feature_count, "u1", "entries of features used when has_features"),
    F(SignalMsg, reserved, "V", "zero"),
    F(SignalMsg, features, "f8[]", "the decision's features (if has_features)"),
    F(SignalMsg, metadata, "S", "free-form text, e.g. a short JSON object"),
};
constexpr std::array kNewOrder{
    F(NewOrderMsg, client_order_id, "u8", "unique per order, assigned by risk"),
    F(NewOrderMsg, symbol, "S", "engine symbol"),
    F(NewOrderMsg, strategy, "S", "the strategy whose signal caused it"),
    F(NewOrderMsg, side, "u1", "side enum"),
    F(NewOrderMsg, type, "u1", "order type enum"),
    F(NewOrderMsg, tif, "u1", "time in force enum"),
    F(NewOrderMsg, reserved, "V", "zero"),
    F(NewOrderMsg, quantity, "f8", "order quantity (> 0)"),
    F(NewOrderMsg, limit_price, "f8", "limit price; 0 for a market order"),
    F(NewOrderMsg, signal_seq, "u8", "seq of the signal that caused it (0 if none)"),
};
constexpr std::array kCancel{
    F(CancelOrderMsg, client_order_id, "u8", "the order to cancel; 0: every open order"),
    F(CancelOrderMsg, symbol, "S", "its symbol"),
};
constexpr std::array kExec{
    F(ExecutionReportMsg, client_order_id, "u8", "the order (NewOrder.client_order_id)"),
    F(ExecutionReportMsg, symbol, "S", "engine symbol"),
    F(ExecutionReportMsg, venue_order_id, "S", "the broker's id of the order"),
    F(ExecutionReportMsg, exec_type, "u1", "exec type enum: what happened"),
    F(ExecutionReportMsg, side, "u1", "side enum"),
    F(ExecutionReportMsg, reject_code, "u2",
      "exec reject enum: why a rejected order was refused (0 otherwise); text carries the "
      "broker's own code and message"),
    F(ExecutionReportMsg, reserved, "V", "zero"),
    F(ExecutionReportMsg, last_qty, "f8", "quantity of this fill (0 if none)"),
    F(ExecutionReportMsg, last_price, "f8", "price of this fill (0 if none)"),
    F(ExecutionReportMsg, cum_qty, "f8", "quantity filled so far"),
    F(ExecutionReportMsg, leaves_qty, "f8", "quantity still open"),
    F(ExecutionReportMsg, avg_price, "f8", "average price of the fills so far"),
    F(ExecutionReportMsg, text, "S", "free text, e.g. why it was rejected"),
};
constexpr std::array kPosition{
    F(PositionMsg, symbol, "S", "engine symbol (empty: the end of a snapshot)"),
    F(PositionMsg, quantity, "f8", "signed: > 0 long, < 0 short"),
    F(PositionMsg, avg_price, "f8", "average cost of the open quantity"),
    F(PositionMsg, realized_pnl, "f8", "P&L of closed quantity"),
    F(PositionMsg, unrealized_pnl, "f8", "open quantity marked at mark_price"),
    F(PositionMsg, mark_price, "f8", "the latest price: a bar's close or a trade's price"),
};
constexpr std::array kReject{
    F(RiskRejectMsg, client_order_id, "u8", "the id the order would have had"),
    F(RiskRejectMsg, symbol, "S", "engine symbol"),
    F(RiskRejectMsg, strategy, "S", "the strategy whose signal was refused"),
    F(RiskRejectMsg, reason, "u2", "risk reject reason enum"),
    F(RiskRejectMsg, side, "u1", "side enum"),
    F(RiskRejectMsg, reserved, "V", "zero"),
    F(RiskRejectMsg, quantity, "f8", "the order's quantity"),
    F(RiskRejectMsg, price, "f8", "the price risk checked it at"),
    F(RiskRejectMsg, text, "S", "the reason with its figures"),
};
constexpr std::array kHeartbeat{
    F(HeartbeatMsg, component, "S", "the sender: market-data, signal-bridge, risk, execution"),
    F(HeartbeatMsg, state, "u1", "component state enum"),
    F(HeartbeatMsg, flags, "u1",
      "bit set of heartbeat flags: 1 reduce_only - execution's broker holds state the journal "
      "cannot explain (risk reduces only); 2 drained - signal-bridge or risk has published "
      "everything the end of market data caused"),
    F(HeartbeatMsg, reserved, "V", "zero"),
    F(HeartbeatMsg, uptime_ns, "i8", "time since the component started"),
    F(HeartbeatMsg, messages_out, "u8", "messages it has published"),
};
constexpr std::array kBarrier{
    F(BarrierMsg, component, "S",
      "who passed it on: market-data, signal-bridge, a strategy, "
      "risk, execution"),
    F(BarrierMsg, number, "u8", "the batch of bars, counted from 1"),
    F(BarrierMsg, market_ns, "i8", "the batch's market time (its bars' start)"),
    F(BarrierMsg, kind, "u1", "barrier kind enum: data (published) or decided"),
    F(BarrierMsg, reserved, "V", "zero"),
};
#undef F

template <class Body, std::size_t N>
constexpr MessageSpec body(const std::array<FieldSpec, N>& fields, std::string_view meaning) {
  return {type_name(BodyTraits<Body>::kType), BodyTraits<Body>::kType, sizeof(Body), fields,
          meaning};
}

const std::array kSchema{
    MessageSpec{"header", MsgType{}, sizeof(Header), kHeader, "before every body"},
    body<BarMsg>(kBar, "an OHLCV bar"),
    body<TradeMsg>(kTrade, "a venue trade"),
    body<QuoteMsg>(kQuote, "the top of a venue's book"),
    body<FeaturesMsg>(kFeatures, "the features of a closed bar"),
    body<SignalMsg>(kSignal, "a strategy's decision"),
    body<NewOrderMsg>(kNewOrder, "an order risk approved"),
    body<CancelOrderMsg>(kCancel, "cancel an open order, or every one (risk's kill switch)"),
    body<ExecutionReportMsg>(kExec, "a change of an order's state"),
    body<PositionMsg>(kPosition, "a symbol's position"),
    body<RiskRejectMsg>(kReject, "an order risk refused"),
    body<HeartbeatMsg>(kHeartbeat, "a component's liveness and state"),
    body<BarrierMsg>(kBarrier, "the lockstep replay's barrier: a batch of bars is done"),
};

}  // namespace

std::span<const MessageSpec> schema() noexcept {
  return kSchema;
}

}  // namespace ztrade::wire
