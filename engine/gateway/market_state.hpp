#pragma once
// What the gateway knows of the market and the engine, in bounded memory: per symbol the last
// bars and trades (rings), the latest quote and features; the engine's positions, its open and
// recent orders, message counts and risk's refusals. Fed by bus messages on the gateway's own
// thread; read by its API on the same thread - no locks.
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bus/messages.hpp"
#include "bus/subscriber.hpp"
#include "core/string_hash.hpp"
#include "gateway/gateway_config.hpp"

namespace ztrade::gateway {

struct SymbolState {
  std::deque<wire::BarMsg> bars;  // closed bars, oldest first
  std::deque<wire::TradeMsg> trades;
  std::optional<wire::QuoteMsg> quote;
  std::optional<wire::FeaturesMsg> features;
  std::uint64_t bar_count = 0, trade_count = 0, quote_count = 0;
};

struct OrderView {
  std::uint64_t client_order_id = 0;
  std::string symbol;
  wire::Side side = wire::Side::kNone;
  double quantity = 0;  // as sent by risk (cum + leaves once execution reports)
  double filled = 0, avg_price = 0;
  std::string status;  // "sent", "accepted", "partially_filled", "filled", "canceled", ...
  std::int64_t updated_ns = 0;
};

class MarketState {
 public:
  explicit MarketState(const GatewayConfig& config) : config_(config) {}

  // Folds in one bus message; anything it does not keep is ignored.
  void on_message(const bus::Message& m);

  const SymbolState* symbol(std::string_view name) const;
  const StringMap<SymbolState>& symbols() const noexcept { return symbols_; }
  const std::map<std::string, wire::PositionMsg, std::less<>>& positions() const noexcept {
    return positions_;
  }
  // Open orders first (by id), then the recent finished ones, newest first.
  std::vector<const OrderView*> orders() const;
  // An open order, or the most recently finished one with that id; nullptr if neither.
  const OrderView* find_order(std::uint64_t id) const;
  // Messages seen, by wire::MsgType.
  const std::array<std::uint64_t, wire::kMaxMsgType + 1>& counts() const noexcept {
    return counts_;
  }
  std::uint64_t symbols_dropped() const noexcept { return symbols_dropped_; }
  std::uint64_t risk_rejects() const noexcept { return risk_rejects_; }

 private:
  SymbolState* state_for(std::string_view name);  // nullptr past max_symbols (counted)
  OrderView& order(std::uint64_t id);
  void finish(std::uint64_t id);

  const GatewayConfig& config_;
  StringMap<SymbolState> symbols_;
  std::map<std::string, wire::PositionMsg, std::less<>> positions_;
  std::map<std::uint64_t, OrderView> open_;
  std::deque<OrderView> recent_;                               // finished, newest at the front
  std::array<std::uint64_t, wire::kMaxMsgType + 1> counts_{};  // by message type
  std::uint64_t symbols_dropped_ = 0, risk_rejects_ = 0;
};

}  // namespace ztrade::gateway
