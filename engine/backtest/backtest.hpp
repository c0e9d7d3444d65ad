#pragma once
// The in-process backtester: bars of one or many symbols, in time order, through the engine's
// own parts - a FeatureComputer per symbol, the strategy, risk's desk (sizing, every check and
// reason code as live), the order manager and the simulated broker - on one thread, with no
// sockets, processes or sleeps. What it records (fills, orders with their outcome, equity at
// every bar) is what ztrade.backtest turns into statistics and plots.
//
// Fills do not cheat: a signal decided on bar i (its close) becomes an order at bar i's time,
// which the simulated broker fills at the first later price event - bar i+1's open - exactly
// as in the live engine. FillAt::kClose (opt-in, look-ahead-prone) fills it at bar i's close.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "brokers/sim/config.hpp"
#include "core/bar.hpp"
#include "features/feature_computer.hpp"
#include "risk/risk_config.hpp"

namespace ztrade::backtest {

enum class FillAt : std::uint8_t { kNextOpen, kClose };

// The settings are the engine's own sections, read as a session reads them: risk (sizing,
// limits, allow_short) and the simulated broker (slippage, partial fills, volume share,
// commission). Only `fill` (look-ahead, research only) and `cash` are the backtest's.
struct Config {
  risk::RiskConfig risk;
  brokers::sim::Options broker;
  FeatureConfig features;
  FillAt fill = FillAt::kNextOpen;
  double cash = 100'000;
  std::string strategy = "backtest";
};

// The bars, struct-of-arrays, already merged in time order (ties: input order).
struct Bars {
  std::span<const std::int64_t> ts_ns;
  std::span<const double> open, high, low, close, volume;
  std::span<const std::int32_t> symbol;  // index into Engine's symbols
};

// Trades between the bars (optional), in time order: price events for the simulated broker
// and risk, as live - an order decided on a bar fills at the first trade after that bar ends
// (or the next bar's open, whichever comes first). A symbol's bar length is the smallest gap
// between its bars.
struct Trades {
  std::span<const std::int64_t> ts_ns;
  std::span<const double> price, size;
  std::span<const std::int32_t> symbol;
};

// What a strategy decides on one bar: a target position as a fraction of risk.order_size, in
// [-1, 1] (risk sizes it), for a symbol (index).
struct Target {
  std::int32_t symbol;
  double strength;
};

// The strategy: called for every bar with its features (NaN until defined; `ready` once all
// are). Returns the targets it sets now (usually none or one). on_fill is told every fill.
class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual void on_bar(std::int32_t symbol, const Bar& bar, const FeatureRow& features, bool ready,
                      std::vector<Target>& out) = 0;
  struct FillEvent {
    std::int32_t symbol;
    bool buy;
    double qty, price;
    std::uint64_t order_id;
    std::int64_t ts_ns;
  };
  virtual void on_fill(const FillEvent&, std::vector<Target>&) {}
  // False when on_bar never reads the features: the engine then does not compute them (the
  // row passed is NaN and `ready` false).
  virtual bool wants_features() const noexcept { return true; }
};

// The built-in macd_rsi rule (signals/macd_rsi_strategy), C++ only: no Python per bar.
std::unique_ptr<Strategy> make_macd_rsi(double rsi_buy_below, double rsi_sell_above);
// Moving-average crossover reversals: long (+1) when SMA(fast) of the close crosses above
// SMA(slow), short (-1) when it crosses below. C++ only.
std::unique_ptr<Strategy> make_sma_cross(int fast, int slow);

// What a run records, struct-of-arrays (cheap to hand to numpy).
struct Results {
  // One row per fill.
  std::vector<std::int64_t> fill_ts;  // the time of the price event that filled it
  std::vector<std::int32_t> fill_symbol;
  std::vector<std::int8_t> fill_side;  // +1 buy, -1 sell
  std::vector<double> fill_qty, fill_price, fill_commission;
  std::vector<std::uint64_t> fill_order;
  // One row per order risk sized: sent (status: execution's last state) or refused by risk
  // (status "rejected", reason the risk reason's name) or by execution.
  std::vector<std::uint64_t> order_id;  // 0 for an order risk refused
  std::vector<std::int64_t> order_ts;
  std::vector<std::int32_t> order_symbol;
  std::vector<std::int8_t> order_side;
  std::vector<double> order_qty, order_limit, order_filled, order_avg_price;
  std::vector<std::string> order_status, order_reason;
  // One row per round trip: opened when a symbol's position leaves zero, closed when it
  // returns to zero (a fill that flips the position closes one and opens the next). Prices
  // are quantity-weighted; P&L is on average cost, net of the fills' commissions (a flipping
  // fill's commission shared by quantity).
  std::vector<std::int32_t> trade_symbol;
  std::vector<std::int8_t> trade_direction;  // +1 long, -1 short
  std::vector<std::int64_t> trade_entry_ts, trade_exit_ts;
  std::vector<double> trade_qty, trade_entry_price, trade_exit_price, trade_pnl, trade_commission;
  std::vector<std::int64_t> trade_bars;  // bars of its symbol from entry to exit
  // One row per bar, in the bars' order (so at the bars' times): equity (cash + positions at
  // their marks) after the bar.
  std::vector<double> equity, exposure;  // exposure: sum of |position value|
  double commissions = 0;
  std::uint64_t bars = 0, signals = 0;
};

class Engine {
 public:
  Engine(Config config, std::vector<std::string> symbols);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Runs every bar (validated: throws std::invalid_argument naming the row for unsorted time,
  // a bad symbol index or prices that are not a bar). `progress(done)` every `every` bars.
  void run(const Bars& bars, Strategy& strategy,
           const std::function<void(std::size_t)>& progress = {}, std::size_t every = 100'000,
           const Trades& trades = {});
  const Results& results() const noexcept;
  // Moves the results out (the engine's are then empty): for a caller that keeps them.
  Results take_results() noexcept;
  // Final positions: symbol -> (quantity, average price, realised P&L, mark).
  struct Position {
    std::string symbol;
    double quantity, avg_price, realized, mark;
  };
  std::vector<Position> positions() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ztrade::backtest
