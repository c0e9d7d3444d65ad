#pragma once
// A topic assembled on the stack from parts ("md.bar." + symbol), so publishing a message
// allocates nothing however long its topic. Symbols and strategy ids are at most 16 bytes, so
// 128 bytes hold every engine topic; a longer one is cut (and then refused by the publisher,
// which accepts at most StreamKey::kMaxTopic).
#include <algorithm>
#include <array>
#include <cstring>
#include <initializer_list>
#include <string_view>

namespace ztrade::bus {

// Every topic of the bus, defined once. Components publish and subscribe with these constants;
// ztrade._core.wire_topics() gives kTopicTable to Python (ztrade.wire.TOPICS), and the topic
// table of docs/wire-format.md is generated from it (scripts/gen_docs.py; a test compares).
// Subscriptions are by prefix, so a family prefix ("exec.") receives each topic under it.
namespace topics {
inline constexpr std::string_view kHeartbeat = "hb.";
inline constexpr std::string_view kBarrier = "sync.";
inline constexpr std::string_view kBar = "md.bar.";
inline constexpr std::string_view kTrade = "md.trade.";
inline constexpr std::string_view kQuote = "md.quote.";
inline constexpr std::string_view kFeatures = "feat.";
inline constexpr std::string_view kSignal = "sig.";
inline constexpr std::string_view kOrders = "ord.";
inline constexpr std::string_view kNewOrder = "ord.new.";
inline constexpr std::string_view kCancelOrder = "ord.cancel.";
inline constexpr std::string_view kRisk = "risk.";
inline constexpr std::string_view kRiskReject = "risk.reject.";
inline constexpr std::string_view kExecution = "exec.";
inline constexpr std::string_view kExecutionReport = "exec.report.";
inline constexpr std::string_view kPosition = "exec.pos.";
// execution's mark of a symbol's position at a bar it has processed (a PositionMsg): tells
// risk that every fill up to that bar's time has been reported.
inline constexpr std::string_view kExecutionMark = "exec.mark.";
// execution's positions, all of them, sent with each of its heartbeats (PositionMsgs; one with
// an empty symbol ends the list): how a restarted risk learns what is held.
inline constexpr std::string_view kExecutionSnapshot = "exec.snapshot.";

struct TopicSpec {
  std::string_view name;  // Python's key: ztrade.wire.TOPICS[name]
  std::string_view prefix;
  std::string_view suffix;     // what the publisher appends; empty for a family prefix
  std::string_view body;       // the message type carried; empty for a family prefix
  std::string_view publisher;  // who sends it
  std::string_view meaning;
};

inline constexpr TopicSpec kTopicTable[] = {
    {"bar", kBar, "<SYMBOL>", "bar", "market-data", "a closed (or corrected) bar"},
    {"trade", kTrade, "<SYMBOL>", "trade", "market-data", "a venue trade"},
    {"quote", kQuote, "<SYMBOL>", "quote", "market-data", "a change of the top of book"},
    {"features", kFeatures, "<SYMBOL>", "features", "signal-bridge",
     "the features of a closed bar"},
    {"signal", kSignal, "<STRATEGY>.<SYMBOL>", "signal", "signal-bridge",
     "a built-in strategy's signal, or an external one it validated and stamped"},
    {"new_order", kNewOrder, "<SYMBOL>", "new_order", "risk", "an order risk approved"},
    {"cancel_order", kCancelOrder, "<SYMBOL>", "cancel_order", "risk",
     "execution has the broker cancel the order if it is open; risk's kill switch (HALT) sends "
     "one for every open order (client_order_id 0, empty symbol)"},
    {"risk_reject", kRiskReject, "<SYMBOL>", "risk_reject", "risk",
     "an order risk refused, with the reason"},
    {"execution_report", kExecutionReport, "<SYMBOL>", "execution_report", "execution",
     "an order's state change (accepted, fill, ...)"},
    {"position", kPosition, "<SYMBOL>", "position", "execution",
     "a symbol's position after a fill or a bar's mark to market"},
    {"execution_mark", kExecutionMark, "<SYMBOL>", "position", "execution",
     "every fill of the symbol up to the message's event_ns has been reported"},
    {"execution_snapshot", kExecutionSnapshot, "<SYMBOL>", "position", "execution",
     "all positions with each heartbeat; an empty symbol ends the list"},
    {"heartbeat", kHeartbeat, "<component>", "heartbeat", "every process",
     "liveness and state: every 100 ms while starting, every second once ready"},
    {"barrier", kBarrier, "<component>", "barrier", "every stage of a lockstep replay",
     "a batch of bars is done at the sender (BarrierMsg): the lockstep replay's handshake"},
    {"orders", kOrders, "", "", "", "family: every order topic"},
    {"risk", kRisk, "", "", "", "family: every risk topic"},
    {"execution", kExecution, "", "", "", "family: every execution topic"},
};
}  // namespace topics

class Topic {
 public:
  Topic(std::initializer_list<std::string_view> parts) noexcept {
    for (std::string_view p : parts) {
      const std::size_t n = std::min(p.size(), buf_.size() - len_);
      std::memcpy(buf_.data() + len_, p.data(), n);
      len_ += n;
    }
  }
  operator std::string_view() const noexcept { return {buf_.data(), len_}; }

 private:
  std::array<char, 128> buf_;
  std::size_t len_ = 0;
};

}  // namespace ztrade::bus
