#pragma once
// The engine's wire messages, defined once here: C++ processes exchange these exact bytes over
// ZeroMQ, and the Python module encodes/decodes them through the same definitions (bindings).
// Byte-by-byte layout: docs/wire-format.md.
//
// Every frame is [Header][Body]. All integers and doubles are little-endian; structs use natural
// alignment with explicit padding, and their sizes and offsets are pinned by static_asserts so a
// layout change cannot slip through unnoticed (bump kWireVersion instead).
#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ztrade::wire {

static_assert(std::endian::native == std::endian::little,
              "the wire format is little-endian; big-endian hosts need byte swapping");

inline constexpr std::uint16_t kMagic = 0x545A;  // "ZT" as little-endian bytes
inline constexpr std::uint8_t kWireVersion = 1;
inline constexpr std::size_t kSymbolSize = 16;
inline constexpr std::size_t kStrategySize = 16;
inline constexpr std::size_t kFeatureSlots = 12;

enum class MsgType : std::uint8_t {
  kBar = 1,
  kTrade = 2,
  kQuote = 3,
  kFeatures = 4,
  kSignal = 5,
  kNewOrder = 6,
  kCancelOrder = 7,
  kExecutionReport = 8,
  kPosition = 9,
  kRiskReject = 10,
  kHeartbeat = 11,
  kBarrier = 12,
};
inline constexpr std::uint8_t kMaxMsgType = 12;

struct Header {
  std::uint16_t magic = kMagic;
  std::uint8_t version = kWireVersion;
  MsgType type{};
  std::uint16_t publisher_id = 0;  // unique per publishing process/component
  std::uint16_t body_size = 0;     // bytes after the header
  std::uint64_t seq = 0;           // per publisher, starts at 1, +1 per message
  std::int64_t event_ns = 0;       // when the event happened (exchange/bar time), ns since epoch
  std::int64_t send_ns = 0;        // when the publisher sent it (CLOCK_REALTIME), ns since epoch
};
static_assert(sizeof(Header) == 32);

// Fixed-size, NUL-padded ASCII text. Values longer than the field are rejected by the encoders.
template <std::size_t N>
struct FixedString {
  char data[N] = {};
  std::string_view view() const noexcept {
    std::size_t n = 0;
    while (n < N && data[n] != '\0') ++n;
    return {data, n};
  }
  // False (field untouched) when s does not fit or contains NUL: an identifier (symbol,
  // strategy id) must never be silently cut, so the result must be looked at.
  [[nodiscard]] bool assign(std::string_view s) noexcept {
    if (s.size() > N || s.find('\0') != std::string_view::npos) return false;
    for (std::size_t i = 0; i < N; ++i) data[i] = i < s.size() ? s[i] : '\0';
    return true;
  }
  // Free text (a reason, a note), or a value known to fit: the first N bytes up to any NUL.
  void assign_truncated(std::string_view s) noexcept {
    const std::size_t n = std::min(s.size(), std::min(N, s.find('\0')));
    for (std::size_t i = 0; i < N; ++i) data[i] = i < n ? s[i] : '\0';
  }
};
using Symbol = FixedString<kSymbolSize>;
using StrategyId = FixedString<kStrategySize>;

enum class Side : std::uint8_t { kNone = 0, kBuy = 1, kSell = 2 };
enum class OrderType : std::uint8_t { kMarket = 1, kLimit = 2 };
enum class TimeInForce : std::uint8_t { kDay = 1, kGtc = 2, kIoc = 3 };

// The names of enum values, defined beside the enums: Python's enums (ztrade.wire), the
// launcher's summary and the docs take them from here (ztrade._core.wire_enums).
template <class Enum>
struct EnumName {
  std::string_view name;
  Enum value;
};
// The name of `value` in a names table ("?" when it has none).
template <class Enum, std::size_t N>
constexpr std::string_view enum_name(const EnumName<Enum> (&names)[N], Enum value) noexcept {
  for (const auto& n : names) {
    if (n.value == value) return n.name;
  }
  return "?";
}
inline constexpr EnumName<Side> kSideNames[] = {
    {"none", Side::kNone}, {"buy", Side::kBuy}, {"sell", Side::kSell}};
inline constexpr EnumName<OrderType> kOrderTypeNames[] = {{"market", OrderType::kMarket},
                                                          {"limit", OrderType::kLimit}};
inline constexpr EnumName<TimeInForce> kTimeInForceNames[] = {
    {"day", TimeInForce::kDay}, {"gtc", TimeInForce::kGtc}, {"ioc", TimeInForce::kIoc}};

// HeartbeatMsg::state. A component is starting until it has heard every upstream component
// (its subscriptions are live), then ready; market-data is done when its source has ended.
// kFailed: an external strategy stopped on an error (strategy.on_error); engine components end
// with kDone.
enum class ComponentState : std::uint8_t { kStarting = 0, kReady = 1, kDone = 2, kFailed = 3 };
inline constexpr EnumName<ComponentState> kComponentStateNames[] = {
    {"starting", ComponentState::kStarting},
    {"ready", ComponentState::kReady},
    {"done", ComponentState::kDone},
    {"failed", ComponentState::kFailed}};

// BarMsg::flags. 0 (the usual case): a closed bar. A venue may also send bars that are not
// final - a correction of a bar already sent, or a bar still forming (a day in progress) -
// which consumers that need closed bars (features) skip.
inline constexpr std::uint32_t kBarUpdated = 1;  // replaces an earlier bar with this start
inline constexpr std::uint32_t kBarPartial = 2;  // the interval has not ended yet

struct BarMsg {
  Symbol symbol;
  double open, high, low, close, volume;
  std::int64_t start_ns;     // bar open time
  std::int64_t interval_ns;  // bar length (e.g. 60e9)
  std::uint32_t trade_count;
  std::uint32_t flags;  // kBarUpdated, kBarPartial; 0 for a closed bar (was reserved, always 0)
};
static_assert(sizeof(BarMsg) == 80);

struct TradeMsg {
  Symbol symbol;
  double price, size;
  std::uint64_t trade_id;
  std::int64_t exchange_ns;  // venue timestamp
  std::int64_t receive_ns;   // when our adapter received it
  Side aggressor;
  std::uint8_t reserved[7];
};
static_assert(sizeof(TradeMsg) == 64);

struct QuoteMsg {
  Symbol symbol;
  double bid_price, bid_size, ask_price, ask_size;
  std::int64_t exchange_ns;
  std::int64_t receive_ns;
};
static_assert(sizeof(QuoteMsg) == 64);

struct FeaturesMsg {
  Symbol symbol;
  std::int64_t bar_ns;  // start of the bar these features close
  std::uint8_t ready;   // 1 once every feature is defined
  std::uint8_t count;   // valid entries in values (12 today)
  std::uint8_t reserved[6];
  double values[kFeatureSlots];  // FeatureComputer order; NaN when undefined
};
static_assert(sizeof(FeaturesMsg) == 128);

struct SignalMsg {
  Symbol symbol;
  StrategyId strategy;
  std::int64_t signal_ns;  // when the strategy decided
  double strength;         // in [-1, 1]; sign = direction
  std::int8_t direction;   // -1 sell/short, 0 flat, +1 buy/long
  std::uint8_t has_features;
  std::uint8_t feature_count;
  std::uint8_t reserved[5];
  double features[kFeatureSlots];  // snapshot the decision used (if has_features)
  FixedString<64> metadata;        // free-form, e.g. a short JSON object
};
static_assert(sizeof(SignalMsg) == 216);

struct NewOrderMsg {
  std::uint64_t client_order_id;
  Symbol symbol;
  StrategyId strategy;
  Side side;
  OrderType type;
  TimeInForce tif;
  std::uint8_t reserved[5];
  double quantity;
  double limit_price;        // 0 for market orders
  std::uint64_t signal_seq;  // seq of the signal that caused it (0 if none)
};
static_assert(sizeof(NewOrderMsg) == 72);

struct CancelOrderMsg {
  std::uint64_t client_order_id;
  Symbol symbol;
};
static_assert(sizeof(CancelOrderMsg) == 24);

enum class ExecType : std::uint8_t {
  kAccepted = 1,
  kRejected = 2,
  kPartialFill = 3,
  kFill = 4,
  kCanceled = 5,
  kExpired = 6,
};
inline constexpr EnumName<ExecType> kExecTypeNames[] = {
    {"accepted", ExecType::kAccepted},        {"rejected", ExecType::kRejected},
    {"partial_fill", ExecType::kPartialFill}, {"fill", ExecType::kFill},
    {"canceled", ExecType::kCanceled},        {"expired", ExecType::kExpired}};

// ExecutionReportMsg::reject_code: why execution or the broker refused an order (its text
// carries the broker's own code and message, e.g. "40310000 insufficient buying power").
enum class ExecReject : std::uint16_t {
  kNone = 0,
  kInvalidOrder = 1,       // execution's own checks (quantity, side, limit price)
  kInsufficientFunds = 2,  // the broker: buying power or available quantity (Alpaca 403)
  kBrokerRefused = 3,      // the broker refused it otherwise (Alpaca 403/422: shorting, PDT, ...)
  kMarketClosed = 4,       // a market order outside market hours, refused before sending
  kBrokerUnavailable = 5,  // the broker could not be reached and does not have the order
  kUnauthorized = 6,       // the broker refused the keys (401/403 on auth)
  kLostBeforeBroker = 7,   // accepted before a crash, never reached the broker (restart)
  kRateLimited = 8,        // the broker's rate limit, with a Retry-After beyond the cap
};
inline constexpr EnumName<ExecReject> kExecRejectNames[] = {
    {"none", ExecReject::kNone},
    {"invalid_order", ExecReject::kInvalidOrder},
    {"insufficient_funds", ExecReject::kInsufficientFunds},
    {"broker_refused", ExecReject::kBrokerRefused},
    {"market_closed", ExecReject::kMarketClosed},
    {"broker_unavailable", ExecReject::kBrokerUnavailable},
    {"unauthorized", ExecReject::kUnauthorized},
    {"lost_before_broker", ExecReject::kLostBeforeBroker},
    {"rate_limited", ExecReject::kRateLimited}};

struct ExecutionReportMsg {
  std::uint64_t client_order_id;
  Symbol symbol;
  FixedString<24> venue_order_id;
  ExecType exec_type;
  Side side;
  std::uint16_t reject_code;  // venue/execution reason when exec_type == kRejected
  std::uint32_t reserved;
  double last_qty, last_price;  // this fill (0 if none)
  double cum_qty, leaves_qty, avg_price;
  FixedString<48> text;
};
static_assert(sizeof(ExecutionReportMsg) == 144);

struct PositionMsg {
  Symbol symbol;
  double quantity;  // signed: > 0 long, < 0 short
  double avg_price;
  double realized_pnl;
  double unrealized_pnl;
  double mark_price;
};
static_assert(sizeof(PositionMsg) == 56);

struct RiskRejectMsg {
  std::uint64_t client_order_id;
  Symbol symbol;
  StrategyId strategy;
  std::uint16_t reason;  // risk::RejectReason
  Side side;
  std::uint8_t reserved[5];
  double quantity;
  double price;
  FixedString<48> text;
};
static_assert(sizeof(RiskRejectMsg) == 112);

// HeartbeatMsg::flags, a bit set.
enum class HeartbeatFlag : std::uint8_t {
  // execution: its broker holds positions or orders the journal cannot explain (and was not
  // told to adopt them): risk takes no new exposure (REDUCING) until an operator resumes.
  kReduceOnly = 1,
  // signal-bridge, risk: market data has ended and everything this component will publish
  // because of it has been published (this heartbeat follows it on the same socket). Passed
  // down the chain - market-data done, signal-bridge drained, risk drained - so execution
  // settles the session only once the last bar's order has reached it.
  kDrained = 2,
};
inline constexpr EnumName<HeartbeatFlag> kHeartbeatFlagNames[] = {
    {"reduce_only", HeartbeatFlag::kReduceOnly}, {"drained", HeartbeatFlag::kDrained}};

struct HeartbeatMsg {
  FixedString<16> component;  // "market-data", "risk", ...
  std::uint8_t state;         // ComponentState
  std::uint8_t flags;         // HeartbeatFlag bits
  std::uint8_t reserved[6];
  std::int64_t uptime_ns;
  std::uint64_t messages_out;
};
static_assert(sizeof(HeartbeatMsg) == 40);

// The lockstep replay's barrier (docs/architecture.md, "Lockstep replay"). market-data numbers
// each batch of bars it replays (the bars of one time) and follows it with a kData barrier.
// Every stage passes a barrier on once everything it publishes because of that batch has
// been published before it, on the same socket: signal-bridge after the batch's features
// (kData, for strategies), a strategy after its signals (kDecided, pushed to the ingress),
// signal-bridge once every declared strategy has decided, risk once it has decided those
// signals, execution once their orders have reached its broker. market-data publishes the
// next batch only when execution's kDecided barrier of this one arrives - so every order meets
// the market exactly as in a backtest, however slow the strategy.
enum class BarrierKind : std::uint8_t { kData = 1, kDecided = 2 };
inline constexpr EnumName<BarrierKind> kBarrierKindNames[] = {{"data", BarrierKind::kData},
                                                              {"decided", BarrierKind::kDecided}};

struct BarrierMsg {
  FixedString<16> component;  // who passed it on ("market-data", a strategy's name, ...)
  std::uint64_t number;       // the batch, counted from 1
  std::int64_t market_ns;     // the batch's market time (its bars' start)
  BarrierKind kind;
  std::uint8_t reserved[7];
};
static_assert(sizeof(BarrierMsg) == 40);

// Compile-time map from body type to MsgType and size.
template <class Body>
struct BodyTraits;
#define ZTRADE_WIRE_BODY(BodyType, Tag)                    \
  template <>                                              \
  struct BodyTraits<BodyType> {                            \
    static constexpr MsgType kType = MsgType::Tag;         \
    static constexpr std::size_t kSize = sizeof(BodyType); \
  };
ZTRADE_WIRE_BODY(BarMsg, kBar)
ZTRADE_WIRE_BODY(TradeMsg, kTrade)
ZTRADE_WIRE_BODY(QuoteMsg, kQuote)
ZTRADE_WIRE_BODY(FeaturesMsg, kFeatures)
ZTRADE_WIRE_BODY(SignalMsg, kSignal)
ZTRADE_WIRE_BODY(NewOrderMsg, kNewOrder)
ZTRADE_WIRE_BODY(CancelOrderMsg, kCancelOrder)
ZTRADE_WIRE_BODY(ExecutionReportMsg, kExecutionReport)
ZTRADE_WIRE_BODY(PositionMsg, kPosition)
ZTRADE_WIRE_BODY(RiskRejectMsg, kRiskReject)
ZTRADE_WIRE_BODY(HeartbeatMsg, kHeartbeat)
ZTRADE_WIRE_BODY(BarrierMsg, kBarrier)
#undef ZTRADE_WIRE_BODY

// Body size for a type, 0 for an unknown type.
constexpr std::size_t body_size_of(MsgType type) noexcept {
  switch (type) {
    case MsgType::kBar:
      return sizeof(BarMsg);
    case MsgType::kTrade:
      return sizeof(TradeMsg);
    case MsgType::kQuote:
      return sizeof(QuoteMsg);
    case MsgType::kFeatures:
      return sizeof(FeaturesMsg);
    case MsgType::kSignal:
      return sizeof(SignalMsg);
    case MsgType::kNewOrder:
      return sizeof(NewOrderMsg);
    case MsgType::kCancelOrder:
      return sizeof(CancelOrderMsg);
    case MsgType::kExecutionReport:
      return sizeof(ExecutionReportMsg);
    case MsgType::kPosition:
      return sizeof(PositionMsg);
    case MsgType::kRiskReject:
      return sizeof(RiskRejectMsg);
    case MsgType::kHeartbeat:
      return sizeof(HeartbeatMsg);
    case MsgType::kBarrier:
      return sizeof(BarrierMsg);
  }
  return 0;
}

std::string_view type_name(MsgType type) noexcept;

}  // namespace ztrade::wire
